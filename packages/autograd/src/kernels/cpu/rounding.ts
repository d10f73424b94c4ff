import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';

/** Rounds half to even, as PyTorch's `round` (JavaScript's Math.round rounds half up). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rounds each element half to even; with `decimals`, at that many decimal places (as PyTorch: x·10ᵈ rounded, / 10ᵈ). */
export function round(x: TypedArray, decimals = 0): TypedArray {
  const o = like(x);
  if (decimals === 0) for (let i = 0; i < x.length; i++) o[i] = roundHalfEven(x[i]!);
  else {
    const s = Math.pow(10, decimals);
    for (let i = 0; i < x.length; i++) o[i] = roundHalfEven(x[i]! * s) / s;
  }
  return o;
}

export function floor(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < x.length; i++) o[i] = Math.floor(x[i]!);
  return o;
}

export function ceil(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < x.length; i++) o[i] = Math.ceil(x[i]!);
  return o;
}

export function trunc(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < x.length; i++) o[i] = Math.trunc(x[i]!);
  return o;
}

export function log1p(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < x.length; i++) o[i] = Math.log1p(x[i]!);
  return o;
}

export function expm1(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < x.length; i++) o[i] = Math.expm1(x[i]!);
  return o;
}

/** 1 where the element is finite (not ±Infinity, not NaN), else 0. */
export function isfinite(x: TypedArray): Uint8Array {
  const o = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = Number.isFinite(x[i]!) ? 1 : 0;
  return o;
}

/** 1 where the element is NaN, else 0. */
export function isnan(x: TypedArray): Uint8Array {
  const o = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] !== x[i] ? 1 : 0;
  return o;
}

/** 1 where the element is ±Infinity, else 0. */
export function isinf(x: TypedArray): Uint8Array {
  const o = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) o[i] = x[i] === Infinity || x[i] === -Infinity ? 1 : 0;
  return o;
}
