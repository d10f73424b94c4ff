import type { Tensor } from '../tensor.js';
import type { ValuesIndices } from './reduce.js';

/** A `ValuesIndices`: values and indices by name, by position (0 and 1) and in turn (iterable), as PyTorch's named tuple. */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r = { values, indices, 0: values, 1: indices, length: 2 as const };
  Object.defineProperty(r, Symbol.iterator, { value: function* (): Iterator<Tensor> { yield values; yield indices; } });
  return r as ValuesIndices;
}

