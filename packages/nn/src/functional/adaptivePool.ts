import { allocate, DlError, Tensor, matmul, transpose, type DType, checks as C } from '@dl/autograd';
import { fmt, sizeOrKeepKind as size } from '../checks.js';


/** An output size for adaptive pooling: one size for both dims, or [height, width] where null keeps the input's. */
export type AdaptiveSize2 = number | readonly [number | null, number | null];

/** @internal Checks an adaptive output size. */
export function checkAdaptiveSize(layer: string, size: AdaptiveSize2): readonly [number | null, number | null] {
  const pair = typeof size === 'number' ? ([size, size] as const) : size;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((s) => s !== null && (!Number.isInteger(s) || s < 1))) {
    throw new DlError(`${layer}: outputSize must be a positive integer or a pair of positive integers or nulls, got ${JSON.stringify(size)}`);
  }
  return pair as readonly [number | null, number | null];
}

/**
 * The [out, n] matrix that averages PyTorch's adaptive windows: row i covers
 * [⌊i·n/out⌋, ⌈(i+1)·n/out⌉).
 */
function averagingMatrix(n: number, out: number, dtype: DType): Tensor {
  const m = allocate(dtype === 'float64' ? 'float64' : 'float32', out * n);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * n) / out);
    const end = Math.ceil(((i + 1) * n) / out);
    for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
  }
  return new Tensor(m, [out, n]);
}

/** @internal `adaptiveAvgPool2d` with errors naming `layer`. */
export function adaptiveAvgPool2dAs(layer: string, x: Tensor, outputSize: AdaptiveSize2): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new DlError(`${layer}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${fmt(x.shape)}`);
  const [H, W] = x.shape.slice(-2) as [number, number];
  const [oh, ow] = checkAdaptiveSize(layer, outputSize);
  if (H === 0 || W === 0) throw new DlError(`${layer}: input of shape ${fmt(x.shape)} has an empty spatial dim`);
  // The windows are products of a row range and a column range, so the average is Ph · x · Pwᵀ.
  const ph = averagingMatrix(H, oh ?? H, x.dtype).to(x.device);
  const pw = averagingMatrix(W, ow ?? W, x.dtype).to(x.device);
  return matmul(matmul(ph, x), transpose(pw, 0, 1));
}

/**
 * The mean over adaptive windows that divide H×W into `outputSize` cells, as PyTorch's
 * `F.adaptive_avg_pool2d` (windows may overlap when the size does not divide evenly).
 * @example adaptiveAvgPool2d(features, 1) // global average pooling: [N, C, H, W] → [N, C, 1, 1]
 */
export const adaptiveAvgPool2d = C.api(C.sig('adaptiveAvgPool2d', ['x', C.tensor], ['outputSize', size]), function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize2): Tensor {
  return adaptiveAvgPool2dAs('adaptiveAvgPool2d', x, outputSize);
});
