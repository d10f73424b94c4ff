// Index results (argmax, max/min/sort/topk indices, argsort, randperm, multinomial) are int32 tensors
// (PyTorch's are int64; dl's integer dtype is int32). This is the one place that makes them.
import { Tensor } from '../tensor.js';
import { k } from '../kernels/index.js';
import type { DType } from '../dtype.js';

/** A tensor of integer positions: int32 unless `dtype` asks for another (randperm's `dtype` option). */
export function indexTensor(values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'int32'): Tensor {
  const data = Int32Array.from(values);
  return new Tensor(dtype === 'int32' ? data : k.cast(data, dtype), shape);
}
