import type { TypedArray } from '../dtype.js';
import { like } from './cpu/alloc.js';
import * as js from './cpu/im2col.js';
import type { Window2d } from './cpu/im2col.js';
import { maxPool2x2Wasm, maxUnpool2x2Wasm } from './wasm/maxPool.js';

// The wasm backend's max pooling: float32 pooling over 2×2 windows at stride 2 without padding or
// dilation (nn.MaxPool2d(2)) runs in WebAssembly SIMD (wasm/maxPool.ts), with the JS kernel's values and
// indices; other windows, other dtypes and runtimes without WebAssembly SIMD run the JS kernels.

/** Whether a pooling geometry is the 2×2, stride-2 one the wasm kernels take, with something to pool. */
function twoByTwo(g: Window2d): boolean {
  return g.kh === 2 && g.kw === 2 && g.sh === 2 && g.sw === 2 && g.ph === 0 && g.pw === 0 && g.dh === 1 && g.dw === 1 &&
    g.N * g.C > 0 && g.oh > 0 && g.ow > 0;
}

/** As cpu/im2col.ts's `maxPool2d`. */
export function maxPool2d(x: TypedArray, g: Window2d, argmax: Int32Array): TypedArray {
  if (x instanceof Float32Array && twoByTwo(g)) {
    const out = like(x, g.N * g.C * g.oh * g.ow);
    if (maxPool2x2Wasm(x, out, argmax, g.N * g.C, g.H, g.W, g.oh, g.ow)) return out;
  }
  return js.maxPool2d(x, g, argmax);
}

/** As cpu/im2col.ts's `maxUnpool2d`. */
export function maxUnpool2d(grad: TypedArray, argmax: Int32Array, g: Window2d): TypedArray {
  if (grad instanceof Float32Array && twoByTwo(g)) {
    const out = like(grad, g.N * g.C * g.H * g.W);
    if (maxUnpool2x2Wasm(grad, argmax, out, g.N * g.C, g.H, g.W, g.oh, g.ow)) return out;
  }
  return js.maxUnpool2d(grad, argmax, g);
}
