import type { Tensor, TypedArray } from '@dl/autograd';
import { Optimizer, withDefaults, type OptimizerOptions, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkInRange, checkNonNegative } from './checks.js';
import { ewma } from './ewma.js';

/** Options of `Momentum`. */
export interface MomentumOptions extends OptimizerOptions {
  /** The EWMA factor ρ: how much of the past the velocity keeps (default 0.9). */
  rho: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Per-parameter state of `Momentum`: the velocity v, the EWMA of the gradients (starts at 0). */
export type MomentumState = { velocity: TypedArray };

/**
 * The course's momentum: the velocity is an EWMA of the gradients, `v ← ρ·v + (1 − ρ)·g`, and
 * `θ ← θ − lr·v`. It equals PyTorch's `SGD(momentum=ρ, lr=lr·(1 − ρ))`, written in averaging form.
 * Defaults: lr 1e-2, rho 0.9.
 * @example const opt = new Momentum(params, { lr: 0.1, rho: 0.9 });
 */
export class Momentum extends Optimizer<MomentumOptions, MomentumState> {
  constructor(params: ParamsInput<MomentumOptions>, options: Partial<MomentumOptions> = {}) {
    super(params, withDefaults({ lr: 1e-2, rho: 0.9, weightDecay: 0, maximize: false }, options));
  }

  protected override checkOptions(o: MomentumOptions): void {
    super.checkOptions(o);
    checkInRange(this.name, 'rho', o.rho, 0, 1);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
  }

  protected initState(p: TypedArray): MomentumState {
    return { velocity: this.zerosLike(p) };
  }

  protected override updateOnDevice(p: Tensor, grad: Tensor, s: Record<string, Tensor | number>, o: ParamGroup<MomentumOptions>): void {
    const v = this.ewmaOnDevice(this.stateOnDevice(s, 'velocity', p), this.effectiveGradOnDevice(p, grad, o.weightDecay, o.maximize), o.rho);
    p.sub_(v, { alpha: o.lr });
  }

  protected update(p: TypedArray, grad: TypedArray, s: MomentumState, o: ParamGroup<MomentumOptions>): void {
    const g = this.effectiveGrad(p, grad, o.weightDecay, o.maximize);
    const v = s.velocity;
    ewma(v, g, o.rho);
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - o.lr * v[i]!;
  }
}
