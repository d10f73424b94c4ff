import type { TypedArray } from '../../dtype.js';

// Comparisons giving a bool array (Uint8Array): 1 where true and 0 where false, of two arrays of equal length or of an array and
// a length-1 array standing for a scalar (as the binary kernels of elementwise.ts). `+(a < b)` rather
// than `a < b ? 1 : 0`: the branch mispredicts on random data and costs about 3x.

/** The output: as long as the operand that is not a lone scalar. */
function binaryOut(a: TypedArray, b: TypedArray): Uint8Array {
  return new Uint8Array(a.length === 1 ? b.length : a.length);
}

export function eq(a: TypedArray, b: TypedArray): Uint8Array {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = +(a[i]! === b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = +(s === b[i]!);
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = +(a[i]! === s);
  return o;
}
export function ne(a: TypedArray, b: TypedArray): Uint8Array {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = +(a[i]! !== b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = +(s !== b[i]!);
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = +(a[i]! !== s);
  return o;
}
export function lt(a: TypedArray, b: TypedArray): Uint8Array {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = +(a[i]! < b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = +(s < b[i]!);
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = +(a[i]! < s);
  return o;
}
export function le(a: TypedArray, b: TypedArray): Uint8Array {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = +(a[i]! <= b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = +(s <= b[i]!);
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = +(a[i]! <= s);
  return o;
}
export function gt(a: TypedArray, b: TypedArray): Uint8Array {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = +(a[i]! > b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = +(s > b[i]!);
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = +(a[i]! > s);
  return o;
}
export function ge(a: TypedArray, b: TypedArray): Uint8Array {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = +(a[i]! >= b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = +(s >= b[i]!);
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = +(a[i]! >= s);
  return o;
}
