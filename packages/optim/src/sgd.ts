import { addScaledInto, DlError } from '@dl/autograd';
import type { FloatArray, Tensor, TypedArray } from '@dl/autograd';
import { Optimizer, withDefaults, type OptimizerOptions, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkNonNegative } from './checks.js';

/** Options of `SGD` (PyTorch's names in camelCase). */
export interface SGDOptions extends OptimizerOptions {
  /** Momentum factor μ (default 0: plain SGD). */
  momentum: number;
  /** Dampening τ of the momentum: b ← μ·b + (1 − τ)·g (default 0). */
  dampening: number;
  /** L2 penalty λ added to the gradient: g ← g + λ·θ (default 0). */
  weightDecay: number;
  /** Nesterov momentum: step along g + μ·b instead of b (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Per-parameter state of `SGD`: the momentum buffer, created on the first step when momentum ≠ 0. */
export type SGDState = { momentumBuffer?: TypedArray };

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, exactly as `torch.optim.SGD`:
 * `b_1 = g_1`, `b_t = μ·b_{t−1} + (1 − τ)·g_t`, `θ ← θ − lr·(nesterov ? g + μ·b : b)`.
 * Defaults: lr 1e-3, momentum 0, dampening 0, weightDecay 0.
 * @example
 * const opt = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, withDefaults({ lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options));
  }

  protected override checkOptions(o: SGDOptions): void {
    super.checkOptions(o);
    checkNonNegative(this.name, 'momentum', o.momentum);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
    if (!Number.isFinite(o.dampening)) throw new DlError(`${this.name}: invalid dampening ${o.dampening} (expected a finite number)`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new DlError(`${this.name}: Nesterov momentum requires momentum > 0 and dampening 0 (got momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  }

  protected initState(): SGDState {
    return {};
  }

  protected override updateOnDevice(p: Tensor, grad: Tensor, s: Record<string, Tensor | number>, o: ParamGroup<SGDOptions>): void {
    const g = this.effectiveGradOnDevice(p, grad, o.weightDecay, o.maximize);
    const { lr, momentum: mu } = o;
    if (mu === 0) {
      p.sub_(g, { alpha: lr });
      return;
    }
    let b = s['momentumBuffer'] as Tensor | undefined;
    if (b === undefined) b = s['momentumBuffer'] = g.clone();
    else b.mul_(mu).add_(g, { alpha: 1 - o.dampening });
    p.sub_(o.nesterov ? g.add(b.mul(mu)) : b, { alpha: lr });
  }

  protected update(p: TypedArray, grad: TypedArray, s: SGDState, o: ParamGroup<SGDOptions>): void {
    const g = this.effectiveGrad(p, grad, o.weightDecay, o.maximize);
    const { lr, momentum: mu } = o;
    if (mu === 0) {
      // The plain step is most of an optimizer's time on large layers: the backend's kernel runs it.
      addScaledInto(p as FloatArray, g as FloatArray, -lr);
      return;
    }
    let b = s.momentumBuffer;
    if (b === undefined) {
      b = s.momentumBuffer = this.zerosLike(p);
      b.set(g);
    } else {
      const c = 1 - o.dampening;
      for (let i = 0; i < b.length; i++) b[i] = mu * b[i]! + c * g[i]!;
    }
    if (o.nesterov) for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * (g[i]! + mu * b[i]!);
    else for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * b[i]!;
  }
}
