// Float32 2-D convolution with the window work inside WebAssembly memory: per image, only the image
// (or its output gradient) is copied in and its result out; im2col, col2im and the product run in the
// GEMM instance's memory. The columns, C·kh·kw times larger than the image, never cross to JavaScript.
// Same arithmetic as the reference (cpu/conv.ts): the same columns and the same GEMM.
import { align16, runBlocks } from './blocks.js';
import { chosenConfig, gemmWorkspace, releaseWorkspace, type Workspace } from './gemm.js';
import { CONV_KIND } from './gemmWorker.js';
import { threadCount, threadPool } from './threads.js';
import type { GemmPool } from './pool.js';
import type { Window2d } from '../cpu/im2col.js';
import { fillBiasRows } from '../cpu/conv.js';
import { addInto } from '../cpu/elementwise.js';

/** The geometry arguments of the module's im2col and col2im, in their order. */
function geometry(g: Window2d): number[] {
  return [g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
}

// Convolutions of at least this many multiply-adds (all images together) split their images over the
// threads; below it the hand-over costs more than the second thread saves.
export const CONV_THREAD_MIN_MACS = 1 << 24;

/** The thread pool for a convolution worth splitting, else null (one thread, or too small, or one image). */
function poolFor(g: Window2d, O: number): GemmPool | null {
  if (g.N < 2 || threadCount() < 2 || g.N * O * g.C * g.kh * g.kw * g.oh * g.ow < CONV_THREAD_MIN_MACS) return null;
  const config = chosenConfig();
  return config === null ? null : threadPool(config);
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
  // dx's place also holds the weight gradient's running sum (conv2dWeightWasm).
  return { wAt, xAt, colsAt, yAt, dxAt, end: dxAt + 4 * Math.max(g.C * g.H * g.W, O * rows) };
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
  const pool = poolFor(g, O);
  if (pool !== null && pool.conv(CONV_KIND.FORWARD, g, O, { w, x, y, bias })) return true;
  return withWorkspace(g, O, ({ w: fns, heap, scratch, blocking }, at) => {
    heap.set(w, at.wAt >> 2);
    const geo = geometry(g);
    for (let n = 0; n < g.N; n++) {
      heap.set(x.subarray(n * chw, (n + 1) * chw), at.xAt >> 2);
      fns.im2col(...geo, at.xAt, at.colsAt);
      // Each output row starts as its bias (as the reference's does), and the product is added to it.
      fillBiasRows(heap, at.yAt >> 2, bias, O, O, L);
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
  const pool = poolFor(g, O);
  if (pool !== null && pool.conv(CONV_KIND.INPUT, g, O, { w, y: dy, dx })) return true;
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

/**
 * dw [O, C·kh·kw] = Σ over images of dy · im2col(x)ᵀ, into `dw`; false when wasm cannot run it. Each
 * image's product is computed on its own (from zero) and the products are summed in image order, so
 * the bits are the same whichever thread computes which image.
 */
export function conv2dWeightWasm(x: Float32Array, dy: Float32Array, g: Window2d, O: number, dw: Float32Array): boolean {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const chw = g.C * g.H * g.W;
  const pool = poolFor(g, O);
  if (pool !== null) {
    const each = new Float32Array(g.N * O * rows);
    if (pool.conv(CONV_KIND.WEIGHT, g, O, { w: dw, x, y: dy, dw: each })) {
      sumImages(each, dw, g.N);
      return true;
    }
  }
  return withWorkspace(g, O, ({ w: fns, heap, scratch, blocking }, at) => {
    const sum = heap.subarray(at.dxAt >> 2, (at.dxAt >> 2) + O * rows);
    sum.fill(0);
    const geo = geometry(g);
    for (let n = 0; n < g.N; n++) {
      heap.set(x.subarray(n * chw, (n + 1) * chw), at.xAt >> 2);
      fns.im2col(...geo, at.xAt, at.colsAt);
      heap.set(dy.subarray(n * O * L, (n + 1) * O * L), at.yAt >> 2);
      // This image's product from zero in the weight's place, then added to the sum. B = colsᵀ: B(k, j) = cols[j·L + k].
      heap.fill(0, at.wAt >> 2, (at.wAt >> 2) + O * rows);
      runBlocks(fns, scratch, blocking, at.yAt, L, 1, at.colsAt, 1, L, at.wAt, rows, O, L, rows);
      addInto(sum, heap.subarray(at.wAt >> 2, (at.wAt >> 2) + O * rows));
    }
    dw.set(sum);
  });
}

/** out = 0 + Σ over the n blocks of `each` (each out.length long), added in block order (as the reference). */
function sumImages(each: Float32Array, out: Float32Array, n: number): void {
  const m = out.length;
  out.fill(0);
  for (let b = 0; b < n; b++) addInto(out, each.subarray(b * m, (b + 1) * m));
}
