import type { TypedArray } from '../dtype.js';
import { like } from './cpu/alloc.js';
import * as js from './cpu/reduce.js';
import { sumAxisWasm } from './wasm/reduce.js';
import { wasmTakes } from './wasm/regions.js';
import { logSoftmaxThreaded } from './wasm/map.js';

// The wasm backend's sums: float32 inputs large enough (regions.ts's wasmTakes) run in WebAssembly SIMD
// (wasm/reduce.ts) with the JS kernel's bits; other dtypes, small inputs, an odd inner size and runtimes
// without WebAssembly SIMD run the JS kernel (cpu/reduce.ts). log-softmax runs the JS loops, split over the
// threads for a large float32 input.

/** As cpu/reduce.ts's `sumAxis`. */
export function sumAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  if (wasmTakes(x.length, x) && (inner === 1 || inner % 2 === 0) && outer > 0 && n > 0) {
    const o = like(x, outer * inner);
    if (sumAxisWasm(x as Float32Array, o as Float32Array, outer, n, inner)) return o;
  }
  return js.sumAxis(x, outer, n, inner);
}

/** As cpu/reduce.ts's `logSoftmaxAxis`; a large float32 input is split over the threads by lines (wasm/map.ts). */
export function logSoftmaxAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  return (x instanceof Float32Array ? logSoftmaxThreaded(x, outer, n, inner) : null) ?? js.logSoftmaxAxis(x, outer, n, inner);
}
