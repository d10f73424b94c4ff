import { allocate, defaultGenerator, mul, Tensor, type Generator, checks as C, DlError, clamp, expm1, gt, log1p, lt, div, exp, sigmoid, tanh, where } from '@dl/autograd';
import { checkRange } from '../checks.js';

export { relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, type LeakyReluOptions, type GeluOptions } from '@dl/autograd';

/** Options of `dropout`. */
export interface DropoutOptions {
  /** The probability of zeroing an element (0.5). */
  p?: number;
  /** Whether to drop at all (true); modules pass their `training` flag. */
  training?: boolean;
  /** The generator to draw the mask from (the default, seeded one unless given). */
  generator?: Generator;
}

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 − p), as PyTorch's
 * `F.dropout`; returns x unchanged when not training.
 * @example dropout(h, { p: 0.2, training: model.training })
 */
export const dropout = C.api(C.sig('dropout', ['x', C.tensor], ['options', C.options({ p: C.finite({ min: 0, max: 1 }), training: C.bool, generator: C.generator }, { positional: ['p', 'training'] })]), function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const p = checkRange('dropout', 'p', options.p ?? 0.5, 0, 1);
  if (options.training === false || p === 0) return x;
  const g = options.generator ?? defaultGenerator;
  const mask = new Tensor(allocate(x.dtype === 'float64' ? 'float64' : 'float32', x.numel()), x.shape);
  if (p < 1) {
    const keep = 1 / (1 - p);
    const m = mask.data;
    for (let i = 0; i < m.length; i++) m[i] = g.uniform() < p ? 0 : keep;
  }
  // The mask is drawn on the CPU from the seeded generator (the same stream on every device), then moved to x's.
  return mul(x, mask.to(x.device));
}) as C.Checked<(x: Tensor, ...args: [options?: DropoutOptions] | [p: number, training?: boolean]) => Tensor>;

// silu, softplus, elu, relu6, hardtanh, mish. Composed of
// autograd ops; where a branch could overflow, its input is clamped first, so that no inf·0 = NaN
// reaches the gradient of the branch `where` drops.
/** x·σ(x) (also called swish), as PyTorch's `F.silu`. */
export const silu = C.api(C.sig('silu', ['x', C.tensor]), function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
});

/** Options of `softplus`: β (1) and the threshold (20) above which β·x is returned as x. */
export interface SoftplusOptions {
  beta?: number;
  threshold?: number;
}
function finite(fn: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DlError(`${fn}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}
/** @internal Softplus's settings, checked, with errors naming `layer`. */
export function softplusSettings(layer: string, options: SoftplusOptions): Required<SoftplusOptions> {
  const beta = finite(layer, 'beta', options.beta ?? 1);
  const threshold = finite(layer, 'threshold', options.threshold ?? 20);
  if (beta === 0) throw new DlError(`${layer}: beta must not be 0`);
  return { beta, threshold };
}
/** @internal `softplus` with errors naming `layer`. */
export function softplusAs(layer: string, x: Tensor, options: SoftplusOptions = {}): Tensor {
  const { beta, threshold } = softplusSettings(layer, options);
  const z = mul(x, beta);
  // where, not minimum: at z = threshold minimum would split the gradient between its two inputs.
  const above = gt(z, threshold);
  return where(above, x, div(log1p(exp(where(above, threshold, z))), beta));
}
/** log(1 + e^(βx)) / β, linear above the threshold, as PyTorch's `F.softplus`. @example softplus(x, { beta: 2 }) */
export const softplus = C.api(C.sig('softplus', ['x', C.tensor], ['options', C.options({ beta: C.number, threshold: C.any }, { positional: ['beta', 'threshold'] })]), function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  return softplusAs('softplus', x, options);
});

/** Options of `elu`: α (1), the value −α approached for very negative x. */
export interface EluOptions {
  alpha?: number;
}
/** @internal ELU's α, checked. */
export function eluAlpha(layer: string, options: EluOptions): number {
  return finite(layer, 'alpha', options.alpha ?? 1);
}
/** @internal `elu` with errors naming `layer`. */
export function eluAs(layer: string, x: Tensor, options: EluOptions = {}): Tensor {
  const alpha = eluAlpha(layer, options);
  const positive = gt(x, 0);
  return where(positive, x, mul(expm1(where(positive, 0, x)), alpha));
}
/** x for x > 0, else α·(eˣ − 1), as PyTorch's `F.elu`. */
export const elu = C.api(C.sig('elu', ['x', C.tensor], ['options', C.options({ alpha: C.number }, { positional: ['alpha'] })]), function elu(x: Tensor, options: EluOptions = {}): Tensor {
  return eluAs('elu', x, options);
});

/** Options of `hardtanh`: the bounds (−1 and 1). */
export interface HardtanhOptions {
  minVal?: number;
  maxVal?: number;
}
/** @internal Hardtanh's bounds, checked. */
export function hardtanhBounds(layer: string, options: HardtanhOptions): Required<HardtanhOptions> {
  const minVal = options.minVal ?? -1;
  const maxVal = options.maxVal ?? 1;
  if (typeof minVal !== 'number' || typeof maxVal !== 'number' || Number.isNaN(minVal) || Number.isNaN(maxVal) || minVal > maxVal) {
    throw new DlError(`${layer}: minVal (${String(minVal)}) must be a number no larger than maxVal (${String(maxVal)})`);
  }
  return { minVal, maxVal };
}
/** @internal `hardtanh` with errors naming `layer`. */
export function hardtanhAs(layer: string, x: Tensor, options: HardtanhOptions = {}): Tensor {
  const { minVal, maxVal } = hardtanhBounds(layer, options);
  // The gradient passes strictly inside (minVal, maxVal), not at the bounds, as PyTorch's hardtanh.
  const inside = mul(gt(x, minVal), lt(x, maxVal));
  return where(inside, x, clamp(x.detach(), { min: minVal, max: maxVal }));
}
/** x limited to [minVal, maxVal], as PyTorch's `F.hardtanh`. */
export const hardtanh = C.api(C.sig('hardtanh', ['x', C.tensor], ['options', C.options({ minVal: C.number, maxVal: C.number }, { positional: ['minVal', 'maxVal'] })]), function hardtanh(x: Tensor, options: HardtanhOptions = {}): Tensor {
  return hardtanhAs('hardtanh', x, options);
});
/** min(max(x, 0), 6), as PyTorch's `F.relu6` (hardtanh on [0, 6]: gradient 0 at both ends). */
export const relu6 = C.api(C.sig('relu6', ['x', C.tensor]), function relu6(x: Tensor): Tensor {
  return hardtanhAs('relu6', x, { minVal: 0, maxVal: 6 });
});

/** x·tanh(softplus(x)), as PyTorch's `F.mish`. */
export const mish = C.api(C.sig('mish', ['x', C.tensor]), function mish(x: Tensor): Tensor {
  return mul(x, tanh(softplusAs('mish', x)));
});
