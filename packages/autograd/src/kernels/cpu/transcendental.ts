import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';

// The kernels that call Math's transcendental functions on every element (exp, log, tanh, sin, cos, erf,
// and log-softmax's exp): 15-90 ns an element, so large arrays are worth splitting over threads. Their
// loops are here, run by the one-thread kernels (cpu/elementwise.ts, cpu/reduce.ts) and by the pool's
// workers on their part of the array (gemmWorker.ts's mapChunk), so every thread count gives the same bits.
// `mapRange` and `logSoftmaxRange` are started from their source text in the workers: they use nothing
// but their parameters and Math.

/** The functions `mapRange` computes, by the code a threaded job carries. */
export const MAP_OPS = { exp: 0, log: 1, tanh: 2, sigmoid: 3, sin: 4, cos: 5, erf: 6 } as const;

/** The code of a map job that runs `logSoftmaxRange` over lines instead of `mapRange` over values. */
export const LOG_SOFTMAX_OP = 7;

/** A function `mapRange` computes. */
export type MapOp = keyof typeof MAP_OPS;

/**
 * o[i] = f(x[i]) for i in [from, to), f the function of code `op` (MAP_OPS); `erfOf` is erfScalar
 * (passed in, as a worker has it only as source text). Uses nothing but its parameters and Math.
 */
export function mapRange(op: number, x: TypedArray, o: TypedArray, from: number, to: number, erfOf: (v: number) => number): void {
  switch (op) {
    case 0:
      for (let i = from; i < to; i++) o[i] = Math.exp(x[i]!);
      return;
    case 1:
      for (let i = from; i < to; i++) o[i] = Math.log(x[i]!);
      return;
    case 2:
      for (let i = from; i < to; i++) o[i] = Math.tanh(x[i]!);
      return;
    case 3:
      // Without overflow for large |x|: e^x / (1 + e^x) below 0.
      for (let i = from; i < to; i++) {
        const v = x[i]!;
        if (v >= 0) o[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          o[i] = e / (1 + e);
        }
      }
      return;
    case 4:
      for (let i = from; i < to; i++) o[i] = Math.sin(x[i]!);
      return;
    case 5:
      for (let i = from; i < to; i++) o[i] = Math.cos(x[i]!);
      return;
    case 6:
      for (let i = from; i < to; i++) o[i] = erfOf(x[i]!);
      return;
    default:
      throw new Error(`mapRange: unknown function code ${op}`);
  }
}

/** The one-thread kernel of a function of MAP_OPS: f over all of x, into a new array of x's type. */
export function mapKernel(op: MapOp): (x: TypedArray) => TypedArray {
  const code = MAP_OPS[op];
  return (x) => {
    const o = like(x);
    mapRange(code, x, o, 0, o.length, erfScalar);
    return o;
  };
}

/**
 * log-softmax along the middle axis of x viewed as [outer, n, inner], for the lines [from, to) (line
 * a·inner + i holds the n values x[a, :, i]): each line is shifted by its max (0 where that is infinite or
 * NaN), and its log-sum-exp taken off. Lines are independent, so any cut of them gives the same bits. Uses
 * nothing but its parameters and Math.
 */
export function logSoftmaxRange(x: TypedArray, o: TypedArray, from: number, to: number, n: number, inner: number): void {
  for (let line = from; line < to; line++) {
    const a = Math.floor(line / inner);
    const base = a * n * inner + (line - a * inner);
    let m = -Infinity;
    for (let k = 0; k < n; k++) m = Math.max(m, x[base + k * inner]!);
    if (!Number.isFinite(m)) m = 0;
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.exp(x[base + k * inner]! - m);
    // (x − m) − log s, not x − (m + log s): the latter loses the low digits when |m| is large.
    const ls = Math.log(s);
    for (let k = 0; k < n; k++) o[base + k * inner] = x[base + k * inner]! - m - ls;
  }
}

/** erf(x) for one number: a Taylor series near 0, a continued-fraction erfc further out. Uses nothing but Math. */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) {
    // Maclaurin series: converges fast for |x| < 2 (about 40 terms at the edge for 1e-16).
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc via Lentz's continued fraction, accurate for x >= 2.
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = ax + an * d;
    d = d === 0 ? tiny : 1 / d;
    c = ax + an / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}
