import type { TypedArray } from '../dtype.js';
import { like } from './cpu/alloc.js';
import * as js from './cpu/reduce.js';
import { sumAxisWasm } from './wasm/reduce.js';

// The wasm backend's sums: float32 inputs of at least WASM_MIN_ELEMENTS values run in WebAssembly SIMD
// (wasm/reduce.ts) with the JS kernel's bits; other dtypes, small inputs, an odd inner size and runtimes
// without WebAssembly SIMD run the JS kernel (cpu/reduce.ts).

// Below this many values the copies and the call cost more than the JS loop saves.
const WASM_MIN_ELEMENTS = 1024;

/** As cpu/reduce.ts's `sumAxis`. */
export function sumAxis(x: TypedArray, outer: number, n: number, inner: number): TypedArray {
  if (x instanceof Float32Array && x.length >= WASM_MIN_ELEMENTS && (inner === 1 || inner % 2 === 0) && outer > 0 && n > 0) {
    const o = like(x, outer * inner);
    if (sumAxisWasm(x, o, outer, n, inner)) return o;
  }
  return js.sumAxis(x, outer, n, inner);
}
