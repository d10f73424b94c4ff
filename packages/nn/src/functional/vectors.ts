// normalize and oneHot, as torch.nn.functional's.
import { DlError, Tensor, clamp, div, norm, zeros, type DType, checks as C } from '@dl/autograd';
import { fmt } from '../checks.js';

/** Options of `normalize`. */
export interface NormalizeOptions {
  /** The norm's order (2). */
  p?: number;
  /** The dim along which vectors are normalized (1). */
  dim?: number;
  /** The smallest norm divided by (1e-12), so zero vectors stay zero. */
  eps?: number;
}

/**
 * x / max(‖x‖ₚ, eps) along `dim`, as PyTorch's `F.normalize`: unit vectors, zero vectors kept at 0.
 * @example normalize(embeddings, { dim: -1 })
 */
export const normalize = C.api(C.sig('normalize', ['x', C.tensor], ['options', C.options({ p: C.any, dim: C.any, eps: C.number }, { positional: ['p', 'dim', 'eps'] })]), function normalize(x: Tensor, options: NormalizeOptions = {}): Tensor {
  const p = options.p ?? 2;
  const eps = options.eps ?? 1e-12;
  if (typeof eps !== 'number' || !(eps >= 0)) throw new DlError(`normalize: eps must be a non-negative number, got ${String(eps)}`);
  const n = norm(x, { p, dim: options.dim ?? 1, keepdim: true });
  return div(x, clamp(n, { min: eps }));
});

/** Options of `oneHot`. */
export interface OneHotOptions {
  /** The number of classes; -1 (the default) takes the largest index + 1. */
  numClasses?: number;
  /** The dtype of the result (the indices' dtype by default: int32 for int32 indices, as PyTorch's integer result). */
  dtype?: DType;
}

/**
 * One-hot rows for integer class indices: shape [...indices.shape, numClasses], 1 at each index and 0
 * elsewhere, as PyTorch's `F.one_hot` (of the indices' dtype unless `dtype`: int32 for int32 indices).
 * @example oneHot(tensor([0, 2]), { numClasses: 3 }) // [[1, 0, 0], [0, 0, 1]]
 */
export const oneHot = C.api(C.sig('oneHot', ['indices', C.tensor], ['options', C.options({ numClasses: C.int(), dtype: C.dtype }, { positional: ['numClasses'] })]), function oneHot(indices: Tensor, options: OneHotOptions = {}): Tensor {
  if (!(indices instanceof Tensor)) throw new DlError('oneHot: indices must be a tensor');
  const values = indices.data;
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0) throw new DlError(`oneHot: indices must be non-negative integers, got ${v}`);
  }
  let classes = options.numClasses ?? -1;
  if (classes === -1) {
    if (values.length === 0) throw new DlError('oneHot: cannot infer numClasses from an empty tensor; give numClasses');
    classes = 0;
    for (const v of values) classes = Math.max(classes, v + 1);
  }
  if (!Number.isInteger(classes) || classes < 1) throw new DlError(`oneHot: numClasses must be a positive integer or -1, got ${String(classes)}`);
  const dtype = options.dtype ?? (indices.dtype === 'bool' ? 'int32' : indices.dtype);
  const out = zeros([values.length * classes], { dtype }).data;
  values.forEach((v, i) => {
    if (v >= classes) throw new DlError(`oneHot: index ${v} is out of range for ${classes} classes (indices of shape ${fmt(indices.shape)})`);
    out[i * classes + v] = 1;
  });
  return new Tensor(out, [...indices.shape, classes]);
}) as C.Checked<(indices: Tensor, ...args: [options?: OneHotOptions] | [numClasses: number]) => Tensor>;
