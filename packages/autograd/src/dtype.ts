import { DlError } from './checks/error.js';
/** The element types a tensor can hold: `float32` by default, `float64` for gradient checks. */
export type DType = 'float32' | 'float64';

/** The typed array behind a tensor of either dtype. */
export type TypedArray = Float32Array | Float64Array;

/** The dtype new tensors get when none is given. */
export const defaultDType: DType = 'float32';

/** Allocates a zero-filled typed array of `n` elements for `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** The dtype of a typed array. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/** Checks that a string names a supported dtype, else throws naming the operation. */
export function checkDType(op: string, dtype: string): DType {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new DlError(`${op}: unsupported dtype '${dtype}' (expected 'float32' or 'float64')`);
  }
  return dtype;
}
