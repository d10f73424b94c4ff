import { add, matmul, matmulTransposed, transpose, type Tensor, DlError } from '@dl/autograd';
import { fmt } from '../checks.js';
import { checks as C } from '@dl/autograd';

/** @internal `linear` with errors naming `layer`. */
export function linearAs(layer: string, x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  if (weight.ndim !== 2) throw new DlError(`${layer}: weight must be 2-D [outFeatures, inFeatures], got shape ${fmt(weight.shape)}`);
  const [out, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new DlError(`${layer}: expected input with ${inF} features (last dim), got shape ${fmt(x.shape)}`);
  }
  if (x.dtype !== weight.dtype) {
    throw new DlError(`${layer}: input dtype ${x.dtype} does not match the weight's ${weight.dtype}; convert one (x.to('${weight.dtype}') or model.to('${x.dtype}'))`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out)) {
    throw new DlError(`${layer}: bias must have shape [${out}], got ${fmt(bias.shape)}`);
  }
  // x·Wᵀ without copying Wᵀ (PyTorch's addmm with a transposed operand); a 1-D x is one row.
  const y = x.ndim === 1 ? matmul(x, transpose(weight, 0, 1)) : matmulTransposed(x, weight);
  return bias === null ? y : add(y, bias);
}

/**
 * y = x·Wᵀ + b, as PyTorch's `F.linear`: x [..., in], weight [out, in], bias [out] → [..., out].
 * @example linear(x, weight, bias) // [64, 784] → [64, 10] with weight [10, 784]
 */
export const linear = C.api(C.sig('linear', ['x', C.tensor], ['weight', C.tensor], ['bias', C.optional(C.nullable(C.tensor))]), function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearAs('linear', x, weight, bias);
});
