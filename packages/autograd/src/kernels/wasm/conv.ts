// Float32 2-D convolution with the window work inside WebAssembly memory: per image, only the image
// (or its output gradient) is copied in and its result out; im2col, col2im and the product run in the
// GEMM instance's memory. The columns, C·kh·kw times larger than the image, never cross to JavaScript.
// Same arithmetic as the reference (cpu/conv.ts): the same columns and the same GEMM.
import { align16, runBlocks } from './blocks.js';
import { gemmWorkspace, releaseWorkspace, type Workspace } from './gemm.js';
import type { Window2d } from '../cpu/im2col.js';

/** The geometry arguments of the module's im2col and col2im, in their order. */
function geometry(g: Window2d): number[] {
  return [g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
}

/** Byte addresses of the weight, one image, its columns, one output and one input gradient, from `base`. */
function layout(base: number, g: Window2d, O: number): { wAt: number; xAt: number; colsAt: number; yAt: number; dxAt: number; end: number } {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const wAt = base;
  const xAt = wAt + align16(4 * O * rows);
  const colsAt = xAt + align16(4 * g.C * g.H * g.W);
  const yAt = colsAt + align16(4 * rows * L);
  const dxAt = yAt + align16(4 * O * L);
  return { wAt, xAt, colsAt, yAt, dxAt, end: dxAt + 4 * g.C * g.H * g.W };
}

/** Runs `work` on the GEMM's memory grown for this geometry; false when wasm cannot take it. */
function withWorkspace(g: Window2d, O: number, work: (ws: Workspace, at: ReturnType<typeof layout>) => void): boolean {
  if (g.N === 0 || g.C === 0 || O === 0) return false; // nothing to compute: the reference returns the zeros
  const bytes = layout(0, g, O).end;
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  work(ws, layout(ws.base, g, O));
  releaseWorkspace(bytes);
  return true;
}

/** y [N, O, L] = w [O, C·kh·kw] · im2col(x) (+ bias) per image, into `y`; false when wasm cannot run it. */
export function conv2dWasm(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Window2d, O: number, y: Float32Array): boolean {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const chw = g.C * g.H * g.W;
  return withWorkspace(g, O, ({ w: fns, heap, scratch, blocking }, at) => {
    heap.set(w, at.wAt >> 2);
    const geo = geometry(g);
    for (let n = 0; n < g.N; n++) {
      heap.set(x.subarray(n * chw, (n + 1) * chw), at.xAt >> 2);
      fns.im2col(...geo, at.xAt, at.colsAt);
      // Each output row starts as its bias (as the reference's does), and the product is added to it.
      for (let o = 0, at0 = at.yAt >> 2; o < O; o++, at0 += L) heap.fill(bias === null ? 0 : bias[o]!, at0, at0 + L);
      runBlocks(fns, scratch, blocking, at.wAt, rows, 1, at.colsAt, L, 1, at.yAt, L, O, rows, L);
      y.set(heap.subarray(at.yAt >> 2, (at.yAt >> 2) + O * L), n * O * L);
    }
  });
}

/** dx [N, C, H, W] = col2im(wᵀ · dy) per image, into `dx`; false when wasm cannot run it. */
export function conv2dInputWasm(dy: Float32Array, w: Float32Array, g: Window2d, O: number, dx: Float32Array): boolean {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const chw = g.C * g.H * g.W;
  return withWorkspace(g, O, ({ w: fns, heap, scratch, blocking }, at) => {
    heap.set(w, at.wAt >> 2);
    const geo = geometry(g);
    for (let n = 0; n < g.N; n++) {
      heap.set(dy.subarray(n * O * L, (n + 1) * O * L), at.yAt >> 2);
      heap.fill(0, at.colsAt >> 2, (at.colsAt >> 2) + rows * L);
      // A = wᵀ: A(i, k) = w[k·rows + i].
      runBlocks(fns, scratch, blocking, at.wAt, 1, rows, at.yAt, L, 1, at.colsAt, L, rows, O, L);
      heap.fill(0, at.dxAt >> 2, (at.dxAt >> 2) + chw);
      fns.col2im(...geo, at.colsAt, at.dxAt);
      dx.set(heap.subarray(at.dxAt >> 2, (at.dxAt >> 2) + chw), n * chw);
    }
  });
}

/** dw [O, C·kh·kw] = Σ over images of dy · im2col(x)ᵀ, into `dw`; false when wasm cannot run it. */
export function conv2dWeightWasm(x: Float32Array, dy: Float32Array, g: Window2d, O: number, dw: Float32Array): boolean {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const chw = g.C * g.H * g.W;
  return withWorkspace(g, O, ({ w: fns, heap, scratch, blocking }, at) => {
    // The weight's place holds the gradient, summed over the images in order.
    heap.fill(0, at.wAt >> 2, (at.wAt >> 2) + O * rows);
    const geo = geometry(g);
    for (let n = 0; n < g.N; n++) {
      heap.set(x.subarray(n * chw, (n + 1) * chw), at.xAt >> 2);
      fns.im2col(...geo, at.xAt, at.colsAt);
      heap.set(dy.subarray(n * O * L, (n + 1) * O * L), at.yAt >> 2);
      // B = colsᵀ: B(k, j) = cols[j·L + k].
      runBlocks(fns, scratch, blocking, at.yAt, L, 1, at.colsAt, 1, L, at.wAt, rows, O, L, rows);
    }
    dw.set(heap.subarray(at.wAt >> 2, (at.wAt >> 2) + O * rows));
  });
}
