import type { FloatArray } from '../../dtype.js';

// The gate activations of the JS recurrent kernels. Their float32 steps use an exp built from two small
// tables and a short polynomial (relative error below 1e-14, far under float32's rounding, and two to
// three times as fast as Math.exp in V8); the float64 kernels keep Math.exp and Math.tanh, so gradient
// checks see the library functions. On the wasm backend the float32 LSTM and GRU steps run their gate
// math in WebAssembly instead (wasm/cellModule.ts), forward and backward; RNN steps stay here.

/** 2^(i/32) for i in [0, 32). */
const FRAC = Float64Array.from({ length: 32 }, (_, i) => 2 ** (i / 32));
/** 2^m for m in [-300, 300]. */
const SCALE = Float64Array.from({ length: 601 }, (_, i) => 2 ** (i - 300));

/**
 * e^x to about 1e-14 relative error: x = (32m + i)·ln2/32 + r with |r| ≤ ln2/64, e^r by its Taylor
 * series. x is clamped to ±200, past which every float32 sigmoid and tanh has saturated.
 */
export function expFast(x: number): number {
  // Literals rather than named constants keep the bytecode small enough for V8 to inline all five
  // calls of an LSTM cell: 32/ln2, then ln2/32 in two parts (the first exact in k·part), 1/3!, 1/4!, 1/5!.
  // NaN fails both clamp tests and comes out NaN.
  const v = x > 200 ? 200 : x < -200 ? -200 : x;
  const k = Math.floor(v * 46.16624130844683 + 0.5);
  const r = v - k * 0.02166084938653512 - k * 5.9631716539705866e-12;
  const p = 1 + r * (1 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * 0.008333333333333333))));
  return p * FRAC[k & 31]! * SCALE[(k >> 5) + 300]!;
}

/** σ(v) through expFast: the float32 kernels' sigmoid. */
export function sigmoidFast(v: number): number {
  return 1 / (1 + expFast(-v));
}

/** tanh through expFast (near 0, where 1 − 2/(1+e^2v) would cancel, its series): the float32 kernels' tanh. */
export function tanhFast(v: number): number {
  if (v > -1e-3 && v < 1e-3) return v * (1 - (v * v) / 3);
  return 1 - 2 / (1 + expFast(2 * v));
}

/** σ(v) through Math.exp without overflow: the float64 kernels' sigmoid. */
export function sigmoidExact(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** dst[dOff + i] = tanh(src[sOff + i]) for i < n: tanhFast for float32, Math.tanh for float64. */
export function tanhInto(src: FloatArray, sOff: number, dst: FloatArray, dOff: number, n: number): void {
  if (src instanceof Float32Array) {
    for (let i = 0; i < n; i++) dst[dOff + i] = tanhFast(src[sOff + i]!);
  } else {
    for (let i = 0; i < n; i++) dst[dOff + i] = Math.tanh(src[sOff + i]!);
  }
}
