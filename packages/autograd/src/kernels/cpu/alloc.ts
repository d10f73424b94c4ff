import { allocate, dtypeOf, type TypedArray } from '../../dtype.js';

/** A zero-filled array of `n` elements of the same type as `x`, from the one allocator (`allocate`). */
export function like<T extends TypedArray>(x: T, n?: number): T;
export function like(x: TypedArray, n: number = x.length): TypedArray {
  return allocate(dtypeOf(x), n);
}
