import type { Tensor, TypedArray } from '@dl/autograd';
import { Optimizer, withDefaults, type OptimizerOptions, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkNonNegative } from './checks.js';

/** Options of `Adagrad`. */
export interface AdagradOptions extends OptimizerOptions {
  /** Learning-rate decay η: step t uses lr / (1 + (t − 1)·η) (default 0). */
  lrDecay: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** The starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the root of the sum before dividing (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Per-parameter state of `Adagrad`: the step count and the running sum of squared gradients. */
export type AdagradState = { step: number; sum: TypedArray };

/**
 * Adagrad as `torch.optim.Adagrad`: a running (not moving) sum of squared gradients scales each step,
 * `s ← s + g²`, `θ ← θ − lr_t·g / (√s + ε)`. Defaults: lr 1e-2, eps 1e-10.
 * @example const opt = new Adagrad(params, { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, withDefaults({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options));
  }

  protected override checkOptions(o: AdagradOptions): void {
    super.checkOptions(o);
    checkNonNegative(this.name, 'lrDecay', o.lrDecay);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
    checkNonNegative(this.name, 'initialAccumulatorValue', o.initialAccumulatorValue);
    checkNonNegative(this.name, 'eps', o.eps);
  }

  protected initState(p: TypedArray, o: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: this.zerosLike(p).fill(o.initialAccumulatorValue) };
  }

  protected override updateOnDevice(p: Tensor, grad: Tensor, s: Record<string, Tensor | number>, o: ParamGroup<AdagradOptions>): void {
    const step = this.countStepOnDevice(s);
    const g = this.effectiveGradOnDevice(p, grad, o.weightDecay, o.maximize);
    const sum = this.stateOnDevice(s, 'sum', p, o.initialAccumulatorValue).add_(g.mul(g));
    p.sub_(g.div(sum.sqrt().add(o.eps)), { alpha: o.lr / (1 + (step - 1) * o.lrDecay) });
  }

  protected update(p: TypedArray, grad: TypedArray, s: AdagradState, o: ParamGroup<AdagradOptions>): void {
    s.step += 1;
    const g = this.effectiveGrad(p, grad, o.weightDecay, o.maximize);
    const clr = o.lr / (1 + (s.step - 1) * o.lrDecay);
    const sum = s.sum;
    for (let i = 0; i < p.length; i++) {
      sum[i] = sum[i]! + g[i]! * g[i]!;
      p[i] = p[i]! - (clr * g[i]!) / (Math.sqrt(sum[i]!) + o.eps);
    }
  }
}
