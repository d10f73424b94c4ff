// Float32 2-D convolution with the window work inside WebAssembly memory: per image, only the image
// (or its output gradient) is copied in and its result out; im2col, col2im and the product run in the
// GEMM instance's memory. The columns, C·kh·kw times larger than the image, never cross to JavaScript.
// Same arithmetic as the reference (cpu/conv.ts): the same columns and the same GEMM. One thread and
// the pool's threads run the same per-image work (gemmWorker.ts's convImage).
import { align16, runBlocks } from './blocks.js';
import { chosenConfig, gemmWorkspace, releaseWorkspace } from './gemm.js';
import { CONV_KIND, convImage } from './gemmWorker.js';
import { threadCount, threadPool } from './threads.js';
import type { GemmPool } from './pool.js';
import type { Window2d } from '../cpu/im2col.js';
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

/** Byte addresses of the weight, the bias, one image, its columns, one output and one input gradient, from `base`. */
function layout(base: number, g: Window2d, O: number): { wAt: number; biasAt: number; xAt: number; colsAt: number; yAt: number; dxAt: number; end: number } {
  const rows = g.C * g.kh * g.kw;
  const L = g.oh * g.ow;
  const wAt = base;
  const biasAt = wAt + align16(4 * O * rows);
  const xAt = biasAt + align16(4 * O);
  const colsAt = xAt + align16(4 * g.C * g.H * g.W);
  const yAt = colsAt + align16(4 * rows * L);
  const dxAt = yAt + align16(4 * O * L);
  return { wAt, biasAt, xAt, colsAt, yAt, dxAt, end: dxAt + 4 * g.C * g.H * g.W };
}

/**
 * Runs `kind` (CONV_KIND) image by image on the GEMM's memory grown for this geometry, each through
 * convImage (as the threads' chunks do): `copyIn(n, heap, at)` puts image n's inputs in place and
 * `copyOut(n, heap, at)` takes its result. False when wasm cannot take it.
 */
function imageByImage(
  kind: number, g: Window2d, O: number, w: Float32Array | null, bias: Float32Array | null,
  copyIn: (n: number, heap: Float32Array, at: ReturnType<typeof layout>) => void,
  copyOut: (n: number, heap: Float32Array, at: ReturnType<typeof layout>) => void,
): boolean {
  if (g.N === 0 || g.C === 0 || O === 0) return false; // nothing to compute: the reference returns the zeros
  const bytes = layout(0, g, O).end;
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  const at = layout(ws.base, g, O);
  const { heap } = ws;
  if (w !== null) heap.set(w, at.wAt >> 2);
  if (bias !== null) heap.set(bias, at.biasAt >> 2);
  // WEIGHT has no weight operand: each image's product goes in the weight's place.
  const image = { x: at.xAt, y: at.yAt, dx: at.dxAt, dw: at.wAt, bias: bias === null ? 0 : at.biasAt, cols: at.colsAt };
  const geo = geometry(g);
  for (let n = 0; n < g.N; n++) {
    copyIn(n, heap, at);
    convImage(ws.w, heap, kind, geo, O, at.wAt, image, ws.scratch, ws.blocking, runBlocks);
    copyOut(n, heap, at);
  }
  releaseWorkspace(bytes);
  return true;
}

/** y [N, O, L] = w [O, C·kh·kw] · im2col(x) (+ bias) per image, into `y`; false when wasm cannot run it. */
export function conv2dWasm(x: Float32Array, w: Float32Array, bias: Float32Array | null, g: Window2d, O: number, y: Float32Array): boolean {
  const pool = poolFor(g, O);
  if (pool !== null && pool.conv(CONV_KIND.FORWARD, g, O, { w, x, y, bias })) return true;
  const [chw, OL] = [g.C * g.H * g.W, O * g.oh * g.ow];
  return imageByImage(CONV_KIND.FORWARD, g, O, w, bias,
    (n, heap, at) => heap.set(x.subarray(n * chw, (n + 1) * chw), at.xAt >> 2),
    (n, heap, at) => y.set(heap.subarray(at.yAt >> 2, (at.yAt >> 2) + OL), n * OL));
}

/** dx [N, C, H, W] = col2im(wᵀ · dy) per image, into `dx`; false when wasm cannot run it. */
export function conv2dInputWasm(dy: Float32Array, w: Float32Array, g: Window2d, O: number, dx: Float32Array): boolean {
  const pool = poolFor(g, O);
  if (pool !== null && pool.conv(CONV_KIND.INPUT, g, O, { w, y: dy, dx })) return true;
  const [chw, OL] = [g.C * g.H * g.W, O * g.oh * g.ow];
  return imageByImage(CONV_KIND.INPUT, g, O, w, null,
    (n, heap, at) => heap.set(dy.subarray(n * OL, (n + 1) * OL), at.yAt >> 2),
    (n, heap, at) => dx.set(heap.subarray(at.dxAt >> 2, (at.dxAt >> 2) + chw), n * chw));
}

/**
 * dw [O, C·kh·kw] = Σ over images of dy · im2col(x)ᵀ, into `dw`; false when wasm cannot run it. Each
 * image's product is computed on its own (from zero) and the products are summed in image order, so
 * the bits are the same whichever thread computes which image.
 */
export function conv2dWeightWasm(x: Float32Array, dy: Float32Array, g: Window2d, O: number, dw: Float32Array): boolean {
  const pool = poolFor(g, O);
  if (pool !== null) {
    const each = new Float32Array(g.N * O * g.C * g.kh * g.kw);
    if (pool.conv(CONV_KIND.WEIGHT, g, O, { w: dw, x, y: dy, dw: each })) {
      sumImages(each, dw, g.N);
      return true;
    }
  }
  const [chw, OL, size] = [g.C * g.H * g.W, O * g.oh * g.ow, dw.length];
  // Each image's product is added to dw as it comes out (dw is only read when this returns true).
  dw.fill(0);
  return imageByImage(CONV_KIND.WEIGHT, g, O, null, null,
    (n, heap, at) => {
      heap.set(x.subarray(n * chw, (n + 1) * chw), at.xAt >> 2);
      heap.set(dy.subarray(n * OL, (n + 1) * OL), at.yAt >> 2);
    },
    (_, heap, at) => addInto(dw, heap.subarray(at.wAt >> 2, (at.wAt >> 2) + size)));
}

/** out = 0 + Σ over the n blocks of `each` (each out.length long), added in block order (as the reference). */
function sumImages(each: Float32Array, out: Float32Array, n: number): void {
  const m = out.length;
  out.fill(0);
  for (let b = 0; b < n; b++) addInto(out, each.subarray(b * m, (b + 1) * m));
}
