import type { Tensor, TypedArray } from '@dl/autograd';
import { Optimizer, withDefaults, type OptimizerOptions, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkInRange, checkNonNegative } from './checks.js';
import { ewma, ewmaOfSquares } from './ewma.js';

/** Options of `RMSProp` (PyTorch's `RMSprop`). */
export interface RMSPropOptions extends OptimizerOptions {
  /** The EWMA factor of the squared gradients (default 0.99). */
  alpha: number;
  /** Added to the root mean square before dividing (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor μ on the scaled step (default 0). */
  momentum: number;
  /** Divide by the estimated standard deviation (subtracting the squared EWMA of the gradient) instead of the RMS. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** Per-parameter state of `RMSProp`. */
export type RMSPropState = { step: number; squareAvg: TypedArray; gradAvg?: TypedArray; momentumBuffer?: TypedArray };

/**
 * RMSProp as `torch.optim.RMSprop`: an EWMA of the squared gradient scales each step,
 * `v ← α·v + (1 − α)·g²`, `θ ← θ − lr·g / (√v + ε)` (with `v − ḡ²` when centered, and an optional
 * momentum buffer `b ← μ·b + g / (√v + ε)`, `θ ← θ − lr·b`). Defaults: lr 1e-2, alpha 0.99, eps 1e-8.
 * @example const opt = new RMSProp(params, { lr: 1e-3 });
 */
export class RMSProp extends Optimizer<RMSPropOptions, RMSPropState> {
  constructor(params: ParamsInput<RMSPropOptions>, options: Partial<RMSPropOptions> = {}) {
    super(params, withDefaults({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options));
  }

  protected override checkOptions(o: RMSPropOptions): void {
    super.checkOptions(o);
    // PyTorch only asks alpha >= 0; above 1 the "average" of squares can turn negative and sqrt gives NaN.
    checkInRange(this.name, 'alpha', o.alpha, 0, 1, true);
    checkNonNegative(this.name, 'eps', o.eps);
    checkNonNegative(this.name, 'momentum', o.momentum);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
  }

  protected initState(p: TypedArray, o: ParamGroup<RMSPropOptions>): RMSPropState {
    const s: RMSPropState = { step: 0, squareAvg: this.zerosLike(p) };
    if (o.momentum > 0) s.momentumBuffer = this.zerosLike(p);
    if (o.centered) s.gradAvg = this.zerosLike(p);
    return s;
  }

  protected override updateOnDevice(p: Tensor, grad: Tensor, s: Record<string, Tensor | number>, o: ParamGroup<RMSPropOptions>): void {
    this.countStepOnDevice(s);
    const g = this.effectiveGradOnDevice(p, grad, o.weightDecay, o.maximize);
    const v = this.ewmaOnDevice(this.stateOnDevice(s, 'squareAvg', p), g.mul(g), o.alpha);
    // v − ḡ² ≥ 0 in exact arithmetic; clamped so sqrt never sees a rounding's tiny negative.
    let variance = v;
    if (o.centered) {
      const m = this.ewmaOnDevice(this.stateOnDevice(s, 'gradAvg', p), g, o.alpha);
      variance = v.sub(m.mul(m)).clamp({ min: 0 });
    }
    const scaled = g.div(variance.sqrt().add(o.eps));
    if (o.momentum > 0) p.sub_(this.stateOnDevice(s, 'momentumBuffer', p).mul_(o.momentum).add_(scaled), { alpha: o.lr });
    else p.sub_(scaled, { alpha: o.lr });
  }

  protected update(p: TypedArray, grad: TypedArray, s: RMSPropState, o: ParamGroup<RMSPropOptions>): void {
    s.step += 1;
    const g = this.effectiveGrad(p, grad, o.weightDecay, o.maximize);
    const { lr, eps, momentum: mu } = o;
    const v = s.squareAvg;
    ewmaOfSquares(v, g, o.alpha);
    let m: TypedArray | null = null;
    if (o.centered) {
      m = s.gradAvg ??= this.zerosLike(p);
      ewma(m, g, o.alpha);
    }
    const b = mu > 0 ? (s.momentumBuffer ??= this.zerosLike(p)) : null;
    for (let i = 0; i < p.length; i++) {
      // v − ḡ² ≥ 0 in exact arithmetic; clamp the rounding so sqrt never sees a tiny negative.
      const variance = m === null ? v[i]! : Math.max(v[i]! - m[i]! * m[i]!, 0);
      const scaled = g[i]! / (Math.sqrt(variance) + eps);
      if (b === null) p[i] = p[i]! - lr * scaled;
      else {
        b[i] = mu * b[i]! + scaled;
        p[i] = p[i]! - lr * b[i]!;
      }
    }
  }
}
