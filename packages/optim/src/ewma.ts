// The course's building block: an exponentially weighted moving average S_t = ρ·S_{t-1} + (1 − ρ)·y_t.
// Momentum averages the gradient, RMSProp the squared gradient, Adam both; all three call these loops.
import { checks as C } from '@dl/autograd';
import type { TypedArray } from '@dl/autograd';

/**
 * One EWMA step in place, elementwise: `s ← ρ·s + (1 − ρ)·y`. Keeps O(n) state for n values.
 * `s` and `y` have the same length.
 * @example
 * const v = new Float64Array(2);
 * ewma(v, Float64Array.of(1, 2), 0.9); // v = [0.1, 0.2]
 */
export const ewma = C.api(C.sig('ewma', ['s', C.kind('typedArray', 'a Float32Array or a Float64Array', (v) => v instanceof Float32Array || v instanceof Float64Array)], ['y', C.kind('typedArray', 'a Float32Array or a Float64Array', (v) => v instanceof Float32Array || v instanceof Float64Array)], ['rho', C.number]), function ewma(s: TypedArray, y: TypedArray, rho: number): void {
  const c = 1 - rho;
  for (let i = 0; i < s.length; i++) s[i] = rho * s[i]! + c * y[i]!;
});

/**
 * The EWMA of the squares, in place: `s ← ρ·s + (1 − ρ)·y²` (RMSProp's and Adam's second moment),
 * without allocating `y²`.
 * @example
 * const v = new Float64Array(1);
 * ewmaOfSquares(v, Float64Array.of(3), 0.99); // v = [0.09]
 */
export const ewmaOfSquares = C.api(C.sig('ewmaOfSquares', ['s', C.kind('typedArray', 'a Float32Array or a Float64Array', (v) => v instanceof Float32Array || v instanceof Float64Array)], ['y', C.kind('typedArray', 'a Float32Array or a Float64Array', (v) => v instanceof Float32Array || v instanceof Float64Array)], ['rho', C.number]), function ewmaOfSquares(s: TypedArray, y: TypedArray, rho: number): void {
  const c = 1 - rho;
  for (let i = 0; i < s.length; i++) {
    const yi = y[i]!;
    s[i] = rho * s[i]! + c * (yi * yi);
  }
});

/**
 * The factor `1 − ρ^t` that removes an EWMA's bias toward its zero start after `t` steps:
 * `S_t / (1 − ρ^t)` is an unbiased average (Adam's m̂ and v̂).
 * @example biasCorrection(0.9, 1) // 0.1, so m̂_1 = m_1 / 0.1 = g_1
 */
export const biasCorrection = C.api(C.sig('biasCorrection', ['rho', C.number], ['t', C.number]), function biasCorrection(rho: number, t: number): number {
  return 1 - rho ** t;
});
