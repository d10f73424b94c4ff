import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';

// Scans, products, sorting and norms. Like the reductions, they see the input as [outer, n, inner]
// and work along the middle axis.

/** Running sums along the middle axis (accumulated in float64, rounded once per element). */
export function cumsumAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  const o = like(x);
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let j = 0, p = a * n * inner + i; j < n; j++, p += inner) o[p] = acc += x[p]!;
    }
  }
  return o;
}

/** Running products along the middle axis. */
export function cumprodAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  const o = like(x);
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      let acc = 1;
      for (let j = 0, p = a * n * inner + i; j < n; j++, p += inner) o[p] = acc *= x[p]!;
    }
  }
  return o;
}

/** The product over the middle axis: [outer, n, inner] → [outer, inner]. */
export function prodAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  const o = like(x, outer * inner).fill(1);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < n; j++) {
      const xb = (a * n + j) * inner;
      const ob = a * inner;
      for (let i = 0; i < inner; i++) o[ob + i] = o[ob + i]! * x[xb + i]!;
    }
  }
  return o;
}

/**
 * The positions that sort each line along the middle axis, stably (equal values keep their order),
 * ascending or descending; NaN counts as larger than every number, as in PyTorch.
 */
export function argsortAxis(x: TypedArray, outer: number, n: number, inner: number, descending: boolean): Float64Array {
  const out = new Float64Array(outer * n * inner);
  const order = new Array<number>(n);
  const line = new Float64Array(n);
  const sign = descending ? -1 : 1;
  const cmp = (p: number, q: number): number => {
    const u = line[p]!;
    const v = line[q]!;
    const un = u !== u;
    const vn = v !== v;
    if (un || vn) return un && vn ? p - q : (un ? 1 : -1) * sign;
    return u < v ? -sign : u > v ? sign : p - q;
  };
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      const base = a * n * inner + i;
      for (let j = 0; j < n; j++) {
        line[j] = x[base + j * inner]!;
        order[j] = j;
      }
      order.sort(cmp);
      for (let j = 0; j < n; j++) out[base + j * inner] = order[j]!;
    }
  }
  return out;
}

/**
 * The p-norm of each row of a [rows, n] array: (Σ|x|ᵖ)^(1/p); p = ±Infinity gives max/min |x|, p = 0
 * the count of non-zeros.
 */
export function pnormRows(x: TypedArray, rows: number, n: number, p: number): TypedArray {
  const o = like(x, rows);
  for (let r = 0; r < rows; r++) {
    const b = r * n;
    let acc: number;
    if (p === Infinity || p === -Infinity) {
      acc = p > 0 ? (n === 0 ? 0 : -Infinity) : Infinity;
      for (let j = 0; j < n; j++) {
        const v = Math.abs(x[b + j]!);
        if (v !== v) { acc = NaN; break; }
        acc = p > 0 ? Math.max(acc, v) : Math.min(acc, v);
      }
    } else if (p === 0) {
      acc = 0;
      for (let j = 0; j < n; j++) acc += x[b + j] !== 0 ? 1 : 0;
    } else if (p === 1) {
      acc = 0;
      for (let j = 0; j < n; j++) acc += Math.abs(x[b + j]!);
    } else if (p === 2) {
      acc = 0;
      for (let j = 0; j < n; j++) acc += x[b + j]! * x[b + j]!;
      acc = Math.sqrt(acc);
    } else {
      acc = 0;
      for (let j = 0; j < n; j++) acc += Math.pow(Math.abs(x[b + j]!), p);
      acc = Math.pow(acc, 1 / p);
    }
    o[r] = acc;
  }
  return o;
}
