import type { TypedArray } from '../../dtype.js';

/** A zero-filled array of `n` elements of the same type as `x`. */
export function like(x: TypedArray, n: number = x.length): TypedArray {
  return x instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}
