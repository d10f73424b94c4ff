import type { Tensor } from '../tensor.js';
import type { ValuesIndices } from './reduce.js';

/** A `ValuesIndices` that is also iterable (values, then indices). */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r = { values, indices } as ValuesIndices;
  Object.defineProperty(r, Symbol.iterator, { value: function* (): Iterator<Tensor> { yield r.values; yield r.indices; } });
  return r;
}

