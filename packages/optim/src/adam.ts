import { DlError } from '@dl/autograd';
import { maximum, type Tensor, type TypedArray } from '@dl/autograd';
import { Optimizer, withDefaults, type OptimizerOptions, type ParamGroup, type ParamsInput } from './optimizer.js';
import { checkInRange, checkNonNegative } from './checks.js';
import { biasCorrection, ewma, ewmaOfSquares } from './ewma.js';

/** Options of `Adam`. */
export interface AdamOptions extends OptimizerOptions {
  /** EWMA factors [β1, β2] of the gradient and of its square, each in [0, 1) (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to √v̂ before dividing (default 1e-8). */
  eps: number;
  /** Weight decay λ: added to the gradient (L2), or decoupled as in AdamW (default 0). */
  weightDecay: number;
  /** Divide by the running maximum of v (AMSGrad) instead of v (default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
  /** Shrink the weights directly, θ ← θ·(1 − lr·λ), instead of adding λ·θ to the gradient (AdamW). */
  decoupledWeightDecay: boolean;
}

/** Per-parameter state of `Adam`: the step count, both moment EWMAs, and the AMSGrad maximum. */
export type AdamState = { step: number; expAvg: TypedArray; expAvgSq: TypedArray; maxExpAvgSq?: TypedArray };

/**
 * Adam as `torch.optim.Adam`: Momentum and RMSProp together. Two EWMAs, `m ← β1·m + (1 − β1)·g` and
 * `v ← β2·v + (1 − β2)·g²`, are bias-corrected (`m̂ = m / (1 − β1^t)`, `v̂ = v / (1 − β2^t)`) and
 * `θ ← θ − lr·m̂ / (√v̂ + ε)`. Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.
 * @example const opt = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, withDefaults(adamDefaults(false), options));
  }

  protected override checkOptions(o: AdamOptions): void {
    super.checkOptions(o);
    checkNonNegative(this.name, 'eps', o.eps);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) {
      throw new DlError(`${this.name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
    }
    checkInRange(this.name, 'betas[0]', o.betas[0], 0, 1);
    checkInRange(this.name, 'betas[1]', o.betas[1], 0, 1);
    checkNonNegative(this.name, 'weightDecay', o.weightDecay);
  }

  protected initState(p: TypedArray, o: ParamGroup<AdamOptions>): AdamState {
    const s: AdamState = { step: 0, expAvg: this.zerosLike(p), expAvgSq: this.zerosLike(p) };
    if (o.amsgrad) s.maxExpAvgSq = this.zerosLike(p);
    return s;
  }

  protected override updateOnDevice(p: Tensor, grad: Tensor, s: Record<string, Tensor | number>, o: ParamGroup<AdamOptions>): void {
    const t = this.countStepOnDevice(s);
    const { lr, eps, weightDecay } = o;
    const [beta1, beta2] = o.betas;
    let g: Tensor;
    if (o.decoupledWeightDecay) {
      if (weightDecay !== 0) p.mul_(1 - lr * weightDecay);
      g = this.effectiveGradOnDevice(p, grad, 0, o.maximize);
    } else g = this.effectiveGradOnDevice(p, grad, weightDecay, o.maximize);
    const m = this.ewmaOnDevice(this.stateOnDevice(s, 'expAvg', p), g, beta1);
    const v = this.ewmaOnDevice(this.stateOnDevice(s, 'expAvgSq', p), g.mul(g), beta2);
    let denomSource = v;
    if (o.amsgrad) {
      const vmax = this.stateOnDevice(s, 'maxExpAvgSq', p);
      vmax.copy_(maximum(vmax, v));
      denomSource = vmax;
    }
    const stepSize = lr / biasCorrection(beta1, t);
    const bc2Sqrt = Math.sqrt(biasCorrection(beta2, t));
    p.sub_(m.div(denomSource.sqrt().div(bc2Sqrt).add(eps)), { alpha: stepSize });
  }

  protected update(p: TypedArray, grad: TypedArray, s: AdamState, o: ParamGroup<AdamOptions>): void {
    const t = (s.step += 1);
    const { lr, eps, weightDecay } = o;
    const [beta1, beta2] = o.betas;
    let g: TypedArray;
    if (o.decoupledWeightDecay) {
      if (weightDecay !== 0) for (let i = 0; i < p.length; i++) p[i] = p[i]! * (1 - lr * weightDecay);
      g = this.effectiveGrad(p, grad, 0, o.maximize);
    } else g = this.effectiveGrad(p, grad, weightDecay, o.maximize);
    const m = s.expAvg;
    const v = s.expAvgSq;
    const stepSize = lr / biasCorrection(beta1, t);
    const bc2Sqrt = Math.sqrt(biasCorrection(beta2, t));
    if (!o.amsgrad && p instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array) {
      adamStepF32(p, g as Float32Array | Float64Array, m, v, beta1, beta2, stepSize, bc2Sqrt, eps);
      return;
    }
    ewma(m, g, beta1);
    ewmaOfSquares(v, g, beta2);
    let denomSource = v;
    if (o.amsgrad) {
      const vmax = (s.maxExpAvgSq ??= this.zerosLike(p));
      for (let i = 0; i < v.length; i++) if (v[i]! > vmax[i]!) vmax[i] = v[i]!;
      denomSource = vmax;
    }
    for (let i = 0; i < p.length; i++) p[i] = p[i]! - (stepSize * m[i]!) / (Math.sqrt(denomSource[i]!) / bc2Sqrt + eps);
  }
}

/**
 * Adam's two EWMAs and its step in one pass over float32 values (the loops above, fused so the
 * parameters and both moments are read once): the same arithmetic, each moment rounded to float32
 * when stored, as the separate loops store it.
 */
function adamStepF32(
  p: Float32Array, g: Float32Array | Float64Array, m: Float32Array, v: Float32Array,
  beta1: number, beta2: number, stepSize: number, bc2Sqrt: number, eps: number,
): void {
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = (m[i] = beta1 * m[i]! + c1 * gi);
    const vi = (v[i] = beta2 * v[i]! + c2 * (gi * gi));
    p[i] = p[i]! - (stepSize * Math.fround(mi)) / (Math.sqrt(Math.fround(vi)) / bc2Sqrt + eps);
  }
}

function adamDefaults(decoupled: boolean): AdamOptions {
  return {
    lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: decoupled ? 1e-2 : 0,
    amsgrad: false, maximize: false, decoupledWeightDecay: decoupled,
  };
}

/** Options of `AdamW`: Adam's, with the weight decay always decoupled. */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>;

/**
 * AdamW as `torch.optim.AdamW`: Adam with decoupled weight decay, `θ ← θ·(1 − lr·λ)` before the Adam
 * step, so the decay is not rescaled by √v̂. Defaults as Adam but weightDecay 1e-2.
 * @example const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    super(params as ParamsInput<AdamOptions>, { ...withDefaults(adamDefaults(true), options), decoupledWeightDecay: true });
  }
}
