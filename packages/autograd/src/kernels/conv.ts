import type { TypedArray } from '../dtype.js';
import * as ref from './cpu/conv.js';
import { like } from './cpu/alloc.js';
import { wasmProductsOn } from './matmul.js';
import { conv2dInputWasm, conv2dWasm, conv2dWeightWasm } from './wasm/conv.js';
import type { Window2d } from './cpu/im2col.js';

// The wasm backend's convolution kernels: float32 runs the fused WebAssembly kernels (wasm/conv.ts)
// when this runtime has them; float64, and runtimes without WebAssembly SIMD, the reference (cpu/conv.ts).

function f32(...xs: TypedArray[]): boolean {
  return wasmProductsOn() && xs.every((x) => x instanceof Float32Array);
}

/** y [N, O, oh·ow] = w [O, C·kh·kw] · im2col(x [N, C, H, W]) (+ bias [O]) per image. */
export function conv2d(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Window2d, O: number): TypedArray {
  const y = like(x, g.N * O * g.oh * g.ow);
  if (f32(x, w, ...(bias === null ? [] : [bias])) && conv2dWasm(x as Float32Array, w as Float32Array, bias as Float32Array | null, g, O, y as Float32Array)) return y;
  return ref.conv2d(x, w, bias, g, O);
}

/** dx [N, C, H, W] = col2im(wᵀ · dy) per image. */
export function conv2dInput(dy: TypedArray, w: TypedArray, g: Window2d, O: number): TypedArray {
  const dx = like(dy, g.N * g.C * g.H * g.W);
  if (f32(dy, w) && conv2dInputWasm(dy as Float32Array, w as Float32Array, g, O, dx as Float32Array)) return dx;
  return ref.conv2dInput(dy, w, g, O);
}

/** dw [O, C·kh·kw] = Σ over images of dy · im2col(x)ᵀ. */
export function conv2dWeight(x: TypedArray, dy: TypedArray, g: Window2d, O: number): TypedArray {
  const dw = like(x, O * g.C * g.kh * g.kw);
  if (f32(x, dy) && conv2dWeightWasm(x as Float32Array, dy as Float32Array, g, O, dw as Float32Array)) return dw;
  return ref.conv2dWeight(x, dy, g, O);
}
