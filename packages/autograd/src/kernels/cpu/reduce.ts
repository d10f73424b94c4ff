import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';
import { logSoftmaxRange } from './transcendental.js';

// Reductions see the input as [outer, n, inner] and reduce the middle axis.

/**
 * Sums over the middle axis. Float32 inputs are accumulated in float64 and rounded once at the end,
 * so large float32 reductions (2^25 ones, a mean over millions of values) do not stall or drift.
 */
export function sumAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  const o = like(x, outer * inner);
  if (inner === 1) {
    // Eight running sums: one would wait on each add's latency (V8 neither unrolls nor vectorizes).
    for (let a = 0, p = 0; a < outer; a++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      const end = p + n;
      for (; p + 8 <= end; p += 8) {
        s0 += x[p]!;
        s1 += x[p + 1]!;
        s2 += x[p + 2]!;
        s3 += x[p + 3]!;
        s4 += x[p + 4]!;
        s5 += x[p + 5]!;
        s6 += x[p + 6]!;
        s7 += x[p + 7]!;
      }
      for (; p < end; p++) s0 += x[p]!;
      o[a] = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
    return o;
  }
  const acc = o instanceof Float64Array ? o : new Float64Array(outer * inner);
  for (let a = 0; a < outer; a++) {
    const ob = a * inner;
    let k = 0;
    // Four rows per pass over the sums: a quarter of the loads and stores of acc.
    for (; k + 4 <= n; k += 4) {
      const x0 = (a * n + k) * inner;
      const [x1, x2, x3] = [x0 + inner, x0 + 2 * inner, x0 + 3 * inner];
      for (let i = 0; i < inner; i++) acc[ob + i] = acc[ob + i]! + ((x[x0 + i]! + x[x1 + i]!) + (x[x2 + i]! + x[x3 + i]!));
    }
    for (; k < n; k++) {
      const xb = (a * n + k) * inner;
      for (let i = 0; i < inner; i++) acc[ob + i] = acc[ob + i]! + x[xb + i]!;
    }
  }
  if (acc !== o) o.set(acc);
  return o;
}

/** Max (or min, with `sign = -1`) over the middle axis, with the index of the first extreme; NaN wins. */
export function extremeAxis(
  x: TypedArray,
  outer: number,
  n: number,
  inner: number,
  sign: 1 | -1,
): { values: TypedArray; indices: Int32Array } {
  const values = like(x, outer * inner);
  const indices = new Int32Array(outer * inner);
  // Row by row along the reduced axis, so the inner loop reads contiguous memory.
  for (let a = 0; a < outer; a++) {
    const ob = a * inner;
    const xb = a * n * inner;
    for (let i = 0; i < inner; i++) values[ob + i] = x[xb + i]!;
    for (let k = 1; k < n; k++) {
      const row = xb + k * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[row + i]!;
        const best = values[ob + i]!;
        // A NaN, once picked, stays: best === best is false for NaN.
        if ((sign * v > sign * best || v !== v) && best === best) {
          values[ob + i] = v;
          indices[ob + i] = k;
        }
      }
    }
  }
  return { values, indices };
}

/** log_softmax over the middle axis, stabilised by the max. */
export function logSoftmaxAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  const o = like(x);
  logSoftmaxRange(x, o, 0, outer * inner, n, inner);
  return o;
}
