// Index results (sort, argsort, topk, randperm, multinomial) are float tensors holding integers, as
// argmax's are. This is the one place that makes them, so integer dtypes can replace it later.
import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';

/** A tensor of integer positions, in `dtype` (the input's, or float32 for the random samplers). */
export function indexTensor(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor(data, shape);
}
