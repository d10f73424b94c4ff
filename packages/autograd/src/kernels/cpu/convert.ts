import { allocate, type DType, type TypedArray } from '../../dtype.js';

/**
 * A copy of `x` as `dtype`: to int32 truncates toward zero (as C casts and PyTorch do), to bool is
 * 1 where the value is not 0 (NaN included).
 */
export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = allocate(dtype, x.length);
  if (dtype !== 'bool') {
    out.set(x);
    return out;
  }
  for (let i = 0; i < x.length; i++) out[i] = +(x[i] !== 0);
  return out;
}
