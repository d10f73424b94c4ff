import { add, clone, indexSelect, mul, Tensor, DlError } from '@dl/autograd';
import { checkPair, fmt, sizeOrKeepKind as size, type Size2 } from '../checks.js';
import { checks as C } from '@dl/autograd';


/** The resampling modes of `interpolate`. */
export type InterpolateMode = 'nearest' | 'bilinear';

/** A scale for both spatial dims, or `[height, width]`. */
export type Scale2 = number | readonly [number, number];

/** Options of `interpolate`, as PyTorch's `F.interpolate`: exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** The output's [H, W] (or one size for both). */
  size?: Size2;
  /** The output is ⌊H·scaleFactor⌋ x ⌊W·scaleFactor⌋; the resampling uses 1/scaleFactor as its step. */
  scaleFactor?: Scale2;
  /** 'nearest' (the default) or 'bilinear'. */
  mode?: InterpolateMode;
  /** Bilinear only: align the corner pixels' centres instead of their edges (false). */
  alignCorners?: boolean;
  /** With `scaleFactor`: resample with the step in/out of the computed size instead of 1/scaleFactor (false). */
  recomputeScaleFactor?: boolean;
}

/** @internal The checked settings of an `interpolate` call or an `Upsample` layer. */
export interface InterpolateSettings {
  size: [number, number] | undefined;
  scaleFactor: [number, number] | undefined;
  mode: InterpolateMode;
  alignCorners: boolean;
  recomputeScaleFactor: boolean;
}

/** @internal Checks the options as PyTorch's `F.interpolate` does, with errors naming `layer`. */
export function interpolateSettings(layer: string, o: InterpolateOptions): InterpolateSettings {
  const mode = o.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new DlError(`${layer}: mode must be 'nearest' or 'bilinear', got '${String(mode)}'`);
  if (o.size !== undefined && o.scaleFactor !== undefined) throw new DlError(`${layer}: only one of size or scaleFactor should be given`);
  if (o.size === undefined && o.scaleFactor === undefined) throw new DlError(`${layer}: either size or scaleFactor should be given`);
  if (mode === 'nearest' && o.alignCorners !== undefined) {
    throw new DlError(`${layer}: alignCorners can only be set with mode 'bilinear', got mode 'nearest'`);
  }
  if (o.recomputeScaleFactor === true && o.size !== undefined) throw new DlError(`${layer}: recomputeScaleFactor is not meaningful with an explicit size`);
  let scaleFactor: [number, number] | undefined;
  if (o.scaleFactor !== undefined) {
    const v = o.scaleFactor;
    const p: number[] = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [NaN];
    if (p.some((s) => typeof s !== 'number' || !(s > 0) || !Number.isFinite(s))) {
      const shown = Array.isArray(v) ? `[${v.map(String).join(',')}]` : String(v);
      throw new DlError(`${layer}: scaleFactor must be positive finite numbers, got ${shown}`);
    }
    scaleFactor = p as [number, number];
  }
  return {
    size: o.size === undefined ? undefined : checkPair(layer, 'size', o.size, 1),
    scaleFactor,
    mode,
    alignCorners: o.alignCorners ?? false,
    recomputeScaleFactor: o.recomputeScaleFactor ?? false,
  };
}

/**
 * For each output position, the input position whose value it copies, by PyTorch's rule (in float32
 * arithmetic, as PyTorch's kernels, whatever the dtype): ⌊dst·step⌋ with step = 1/scaleFactor when
 * given, else in/out.
 */
function nearestIndices(out: number, size: number, scale: number | undefined): number[] {
  if (out === 2 * size) return Array.from({ length: out }, (_, d) => d >> 1);
  const f = Math.fround;
  const step = scale !== undefined ? f(1 / scale) : f(size / out);
  return Array.from({ length: out }, (_, d) => Math.min(Math.floor(f(d * step)), size - 1));
}

/** The two input positions and their weights for each output position of a linear resampling. */
interface LinearTable {
  i0: number[];
  i1: number[];
  w0: number[];
  w1: number[];
}

/**
 * PyTorch's linear source positions and weights: the step is (in − 1)/(out − 1) with alignCorners,
 * else 1/scaleFactor or in/out; the source of dst is step·dst, or step·(dst + ½) − ½ clamped at 0.
 * `r` rounds each step to the dtype's arithmetic (PyTorch computes in float for float32).
 */
function linearTable(out: number, size: number, scale: number | undefined, alignCorners: boolean, r: (v: number) => number): LinearTable {
  const t: LinearTable = { i0: [], i1: [], w0: [], w1: [] };
  const step = alignCorners ? (out > 1 ? r((size - 1) / (out - 1)) : 0) : scale !== undefined ? r(1 / scale) : r(size / out);
  for (let d = 0; d < out; d++) {
    const src = alignCorners ? r(step * d) : Math.max(r(r(step * r(d + 0.5)) - 0.5), 0);
    const i0 = Math.min(Math.floor(src), size - 1);
    const l1 = Math.min(Math.max(r(src - i0), 0), 1);
    t.i0.push(i0);
    t.i1.push(i0 < size - 1 ? i0 + 1 : i0);
    t.w0.push(r(1 - l1));
    t.w1.push(l1);
  }
  return t;
}

/** Linear resampling of x along `dim` (2 or 3): x[i0]·w0 + x[i1]·w1, in differentiable ops. */
function resampleLinear(x: Tensor, dim: number, t: LinearTable): Tensor {
  const weights = (w: number[]): Tensor => {
    const data = x.dtype === 'float32' ? Float32Array.from(w) : Float64Array.from(w);
    return new Tensor(data, dim === 2 ? [w.length, 1] : [w.length]);
  };
  return add(mul(indexSelect(x, dim, t.i0), weights(t.w0)), mul(indexSelect(x, dim, t.i1), weights(t.w1)));
}

/** @internal `interpolate` with checked settings and errors naming `layer`. */
export function interpolateAs(layer: string, x: Tensor, s: InterpolateSettings): Tensor {
  if (x.ndim !== 4) throw new DlError(`${layer}: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  const sf = s.scaleFactor;
  const [oh, ow] = s.size ?? [Math.floor(H * sf![0]), Math.floor(W * sf![1])];
  if (oh < 1 || ow < 1 || H < 1 || W < 1) {
    throw new DlError(`${layer}: input and output sizes must be positive, got input shape ${fmt(x.shape)} and output size ${oh}x${ow}`);
  }
  // PyTorch resamples with 1/scaleFactor only when it was given and is not to be recomputed.
  const [scaleH, scaleW] = sf !== undefined && !s.recomputeScaleFactor ? sf : [undefined, undefined];
  let y = x;
  // A dim whose size does not change is copied as it is, as in PyTorch (whatever the scale factor).
  if (s.mode === 'nearest') {
    if (oh !== H) y = indexSelect(y, 2, nearestIndices(oh, H, scaleH));
    if (ow !== W) y = indexSelect(y, 3, nearestIndices(ow, W, scaleW));
    return y === x ? clone(x) : y;
  }
  const r = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  // Width first, then height: the order (and so the rounding) of PyTorch's kernel.
  if (ow !== W) y = resampleLinear(y, 3, linearTable(ow, W, scaleW, s.alignCorners, r));
  if (oh !== H) y = resampleLinear(y, 2, linearTable(oh, H, scaleH, s.alignCorners, r));
  return y === x ? clone(x) : y;
}

/**
 * Resizes x [N, C, H, W], as PyTorch's `F.interpolate`: `'nearest'` copies the pixel at ⌊dst·step⌋,
 * `'bilinear'` mixes the four nearest pixels (with `alignCorners`, the corner pixels map onto each
 * other). Give `size` [H', W'] or `scaleFactor` (H' = ⌊H·scaleFactor⌋). Built from `indexSelect`,
 * `mul` and `add`, so its gradients (of any order) come from theirs.
 * @example interpolate(x, { scaleFactor: 2, mode: 'bilinear' }) // [N, C, 14, 14] → [N, C, 28, 28]
 */
export const interpolate = C.api(C.sig('interpolate', ['x', C.tensor], ['options', C.required(C.options({ size: C.any, scaleFactor: C.any, mode: C.any, alignCorners: C.bool, recomputeScaleFactor: C.bool }, { positional: ['size', 'scaleFactor', 'mode', 'alignCorners'] }))]), function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  return interpolateAs('interpolate', x, interpolateSettings('interpolate', options));
});
