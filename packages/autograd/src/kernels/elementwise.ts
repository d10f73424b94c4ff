import type { TypedArray } from '../dtype.js';
import { like } from './cpu/alloc.js';
import * as js from './cpu/elementwise.js';
import { addIntoWasm, addRowsWasm, addScaledWasm, binaryWasm, reluBackwardWasm, reluWasm } from './wasm/elementwise.js';
import { wasmTakes } from './wasm/regions.js';
import { mapThreaded } from './wasm/map.js';
import type { MapOp } from './cpu/transcendental.js';

// The wasm backend's elementwise kernels: float32 arrays large enough (regions.ts's wasmTakes) run in
// WebAssembly SIMD (wasm/elementwise.ts) with the JS kernel's bits; other dtypes, small arrays and
// runtimes without WebAssembly SIMD run the JS kernels (cpu/elementwise.ts). The transcendental ones
// (exp, log, tanh, sigmoid, sin, cos, erf) run the JS loops, split over the threads for large float32 arrays.

/** As cpu/elementwise.ts's `relu`. */
export function relu(x: TypedArray): TypedArray {
  if (wasmTakes(x.length, x)) {
    const o = like(x);
    if (reluWasm(x as Float32Array, o as Float32Array, x.length)) return o;
  }
  return js.relu(x);
}

/** As cpu/elementwise.ts's `reluBackward`. */
export function reluBackward(grad: TypedArray, x: TypedArray): TypedArray {
  if (wasmTakes(grad.length, grad, x)) {
    const o = like(grad);
    if (reluBackwardWasm(x as Float32Array, grad as Float32Array, o as Float32Array, grad.length)) return o;
  }
  return js.reluBackward(grad, x);
}

/** As cpu/elementwise.ts's `addRows`; a bias over the last dim (inner 1) whose width is a multiple of 4 runs in wasm. */
export function addRows(a: TypedArray, b: TypedArray, outer: number, m: number, inner: number): TypedArray {
  if (inner === 1 && m % 4 === 0 && wasmTakes(a.length, a, b)) {
    const o = like(a);
    if (addRowsWasm(a as Float32Array, b as Float32Array, o as Float32Array, outer, m)) return o;
  }
  return js.addRows(a, b, outer, m, inner);
}

/** As cpu/elementwise.ts's `addInto` (the engine's sums of gradients). */
export function addInto(a: TypedArray, b: TypedArray): void {
  if (wasmTakes(a.length, a, b) && addIntoWasm(a as Float32Array, b as Float32Array, a.length)) return;
  js.addInto(a, b);
}

/** As cpu/elementwise.ts's `addScaledInPlace`. */
export function addScaledInPlace(y: TypedArray, x: TypedArray, alpha: number): void {
  if (wasmTakes(y.length, y, x) && addScaledWasm(y as Float32Array, x as Float32Array, alpha, y.length)) return;
  js.addScaledInPlace(y, x, alpha);
}

/** A binary kernel of cpu/elementwise.ts (two arrays of one length, or one and a length-1 scalar) with float32 operands in wasm. */
function binary(op: 'add' | 'sub' | 'mul' | 'div', jsKernel: (a: TypedArray, b: TypedArray) => TypedArray) {
  return (a: TypedArray, b: TypedArray): TypedArray => {
    const n = a.length === 1 ? b.length : a.length;
    if (wasmTakes(n, a, b)) {
      const o = like(a, n);
      if (binaryWasm(op, a as Float32Array, b as Float32Array, o as Float32Array, n)) return o;
    }
    return jsKernel(a, b);
  };
}

/** As cpu/elementwise.ts's `add`. */
export const add = binary('add', js.add);
/** As cpu/elementwise.ts's `sub`. */
export const sub = binary('sub', js.sub);
/** As cpu/elementwise.ts's `mul`. */
export const mul = binary('mul', js.mul);
/** As cpu/elementwise.ts's `div`. */
export const div = binary('div', js.div);

/** A transcendental kernel of cpu/elementwise.ts, on the thread pool for a large float32 array (wasm/map.ts). */
function transcendental(op: MapOp, jsKernel: (x: TypedArray) => TypedArray) {
  return (x: TypedArray): TypedArray => (x instanceof Float32Array ? mapThreaded(op, x) : null) ?? jsKernel(x);
}

/** As cpu/elementwise.ts's `exp`. */
export const exp = transcendental('exp', js.exp);
/** As cpu/elementwise.ts's `log`. */
export const log = transcendental('log', js.log);
/** As cpu/elementwise.ts's `tanh`. */
export const tanh = transcendental('tanh', js.tanh);
/** As cpu/elementwise.ts's `sigmoid`. */
export const sigmoid = transcendental('sigmoid', js.sigmoid);
/** As cpu/elementwise.ts's `sin`. */
export const sin = transcendental('sin', js.sin);
/** As cpu/elementwise.ts's `cos`. */
export const cos = transcendental('cos', js.cos);
/** As cpu/elementwise.ts's `erf`. */
export const erf = transcendental('erf', js.erf);
