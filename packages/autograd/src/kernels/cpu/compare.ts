import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';

// Comparisons of equal-length arrays, giving 1 where true and 0 where false.

export function eq(a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = a[i] === b[i] ? 1 : 0;
  return o;
}
export function ne(a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = a[i] !== b[i] ? 1 : 0;
  return o;
}
export function lt(a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = a[i]! < b[i]! ? 1 : 0;
  return o;
}
export function le(a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = a[i]! <= b[i]! ? 1 : 0;
  return o;
}
export function gt(a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = a[i]! > b[i]! ? 1 : 0;
  return o;
}
export function ge(a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = a[i]! >= b[i]! ? 1 : 0;
  return o;
}
