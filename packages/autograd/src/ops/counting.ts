// Not part of the public surface: shared by the ops that add or multiply values (sum, cumsum, cumprod, prod).
import type { Tensor } from '../tensor.js';
import { toDType } from './movement.js';

/** Bools as int32, so that adding or multiplying them counts (PyTorch counts them in int64). */
export function counted(x: Tensor): Tensor {
  return x.dtype === 'bool' ? toDType(x, 'int32') : x;
}
