import type { TypedArray } from '../dtype.js';
import * as js from './cpu/matmul.js';
import { gemmF32 } from './wasm/gemm.js';

// Below about one 8×8×8 product the wasm call and the copies in and out cost more than the JS loop.
const WASM_MIN_MACS = 512;

// Whether float32 products may go to the WebAssembly kernel: the 'wasm' backend turns it on, the 'js'
// backend (the plain TypeScript reference) off. Kernels that multiply inside (the recurrent ones) read it
// too, so a backend's choice holds for every product it runs.
let wasmProducts = true;

/** @internal Routes float32 products to the WebAssembly kernel (true) or keeps every product in JS (false). */
export function useWasmProducts(on: boolean): void {
  wasmProducts = on;
}

/** @internal Whether float32 products (and the kernels built on them, such as convolution) may run in WebAssembly. */
export function wasmProductsOn(): boolean {
  return wasmProducts;
}

/** Whether a product goes to the WebAssembly SIMD kernel (float32 only; float64 stays in JS, unchanged). */
function wasmWorthIt(a: TypedArray, b: TypedArray, out: TypedArray, M: number, K: number, N: number): boolean {
  return wasmProducts && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && M * K * N >= WASM_MIN_MACS;
}

/**
 * out[oOff + M×N] += a[aOff + M×K] · b[bOff + K×N], all row-major. On the 'wasm' backend float32
 * products run in the WebAssembly SIMD kernel (float32 accumulation, as PyTorch's CPU GEMM); float64
 * products, tiny ones, the 'js' backend and runtimes without WebAssembly SIMD use the JS kernel
 * (float64 accumulation).
 * @example matmulInto(a, 0, b, 0, out, 0, 2, 3, 4) // out (2×4) += a (2×3) · b (3×4)
 */
export function matmulInto(
  a: TypedArray, aOff: number,
  b: TypedArray, bOff: number,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
): void {
  matmulTransposedInto(a, aOff, false, b, bOff, false, out, oOff, M, K, N);
}

/**
 * As `matmulInto`, but either operand may be stored transposed, which saves the caller a transpose
 * copy: with `transA` the M×K operand is read from a K×M row-major array (and likewise `transB`
 * reads the K×N operand from an N×K array). out stays M×N row-major and is accumulated into; pass
 * `zeroed` when out is all zeros there (a fresh output), which spares the wasm kernel copying it in.
 * @example matmulTransposedInto(x, 0, false, w, 0, true, y, 0, B, nIn, nOut) // y += x · wᵀ, w [nOut, nIn]
 */
export function matmulTransposedInto(
  a: TypedArray, aOff: number, transA: boolean,
  b: TypedArray, bOff: number, transB: boolean,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
  zeroed = false,
): void {
  if (wasmWorthIt(a, b, out, M, K, N) &&
    gemmF32(a as Float32Array, aOff, transA, b as Float32Array, bOff, transB, out as Float32Array, oOff, M, K, N, zeroed)) return;
  js.matmulTransposedInto(a, aOff, transA, b, bOff, transB, out, oOff, M, K, N);
}
