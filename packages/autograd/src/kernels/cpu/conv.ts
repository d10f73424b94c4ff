import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';
import { col2im, im2col, type Window2d } from './im2col.js';
import { matmulTransposedInto } from '../matmul.js';
import { addInto } from './elementwise.js';

// 2-D convolution as im2col, one product per image and col2im: the reference the fused WebAssembly
// kernels (wasm/conv.ts) are tested against, and what float64 and the 'js' backend run. Images are
// [N, C, H, W], the weight [O, C·kh·kw], outputs and their gradients [N, O, oh·ow].

/**
 * y [N, O, L] = w [O, C·kh·kw] · im2col(x) (+ bias [O]) for each image: each output row starts as its
 * bias and the product is added to it.
 */
export function conv2d(x: TypedArray, w: TypedArray, bias: TypedArray | null, g: Window2d, O: number): TypedArray {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const cols = im2col(x, g);
  const y = like(x, g.N * O * L);
  // Row r (output channel r mod O) starts as its bias, as in every conv2d kernel (gemmWorker.ts's convImage).
  if (bias !== null) for (let r = 0, p = 0; r < g.N * O; r++, p += L) y.fill(bias[r % O]!, p, p + L);
  for (let n = 0; n < g.N; n++) matmulTransposedInto(w, 0, false, cols, n * rows * L, false, y, n * O * L, O, rows, L, bias === null);
  return y;
}

/** dx [N, C, H, W] = col2im(wᵀ · dy) for each image: the input's gradient. */
export function conv2dInput(dy: TypedArray, w: TypedArray, g: Window2d, O: number): TypedArray {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const cols = like(dy, g.N * rows * L);
  for (let n = 0; n < g.N; n++) matmulTransposedInto(w, 0, true, dy, n * O * L, false, cols, n * rows * L, rows, O, L, true);
  return col2im(cols, g);
}

/**
 * dw [O, C·kh·kw] = Σ over images of dy · im2col(x)ᵀ: the weight's gradient. Each image's product is
 * computed from zero and the products are added in image order (as the threaded kernel must).
 */
export function conv2dWeight(x: TypedArray, dy: TypedArray, g: Window2d, O: number): TypedArray {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const cols = im2col(x, g);
  const dw = like(x, O * rows);
  const one = like(x, O * rows);
  for (let n = 0; n < g.N; n++) {
    one.fill(0);
    matmulTransposedInto(dy, n * O * L, false, cols, n * rows * L, true, one, 0, O, L, rows, true);
    addInto(dw, one);
  }
  return dw;
}
