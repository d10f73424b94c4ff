import type { TypedArray } from '../../dtype.js';

/** A zero-filled array of `n` elements of the same type as `x`. */
export function like<T extends TypedArray>(x: T, n?: number): T;
export function like(x: TypedArray, n: number = x.length): TypedArray {
  if (x instanceof Float32Array) return new Float32Array(n);
  if (x instanceof Float64Array) return new Float64Array(n);
  return x instanceof Int32Array ? new Int32Array(n) : new Uint8Array(n);
}
