// What runs on a GEMM worker thread, and the control words through which the calling thread hands it
// jobs. A job is one product cut into chunks (row blocks or column panels of C); every thread, the
// calling one included, claims chunks until none is left. The worker is started from source text
// (`workerSource`), so it needs no file of its own next to this one: that works the same from dist
// and from the TypeScript sources under a test runner. Hence the functions here use nothing but
// their parameters and globals.
import { runBlocks, type Blocking, type GemmFns, type Scratch } from './blocks.js';
import { erfScalar, logSoftmaxRange, mapRange } from '../cpu/transcendental.js';

/** Indices of the control words (an Int32Array at the start of the shared memory). */
export const CTRL = {
  /** Job generation: bumped for each job; workers sleep on it. */
  GEN: 0,
  /** (generation & 0x7fff) << 16 | next unclaimed chunk: claimed by compare-exchange; CLAIMED_OUT while a job is written. */
  CLAIM: 1,
  /** Chunks finished; the calling thread sleeps on it. */
  DONE: 2,
  /** Non-zero: workers exit. */
  STOP: 3,
  /** Non-zero: a worker threw while computing a chunk (the calling thread redoes the product). */
  FAILED: 4,
  /** Workers asleep on GEN (the calling thread notifies only when some are). */
  SLEEPING: 5,
  // The job: operands (byte addresses and strides in floats), sizes, the cut, and the scratch.
  A: 6, ARS: 7, ACS: 8, B: 9, BRS: 10, BCS: 11, C: 12, M: 13, K: 14, N: 15,
  BY_ROWS: 16, CHUNKS: 17, CHUNK: 18, SCRATCH: 19, SCRATCH_BYTES: 20,
  /** What a job is: 0, a product (the words above); else a convolution (CONV_KIND), one chunk per image. */
  KIND: 21,
  // A convolution job: the window geometry (as im2col takes it: C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow),
  // the output channels, and byte addresses: the weight, every image, every output (or its gradient), every
  // image's gradient, every image's weight gradient, and the columns (one block of COLS_BYTES per thread).
  GEO: 22, O: 35, W_AT: 36, X_AT: 37, Y_AT: 38, DX_AT: 39, DW_AT: 40, COLS_AT: 41, COLS_BYTES: 42,
  /** FORWARD: the bias's byte address, or 0 for none (outputs then start from zero). */
  BIAS_AT: 43,
  // A map job (KIND MAP_KIND): the function's code (MAP_OPS, or LOG_SOFTMAX_OP), the byte addresses of x and
  // of the output, the element count (LOG_SOFTMAX_OP: the lines), the elements (lines) per chunk, and for
  // LOG_SOFTMAX_OP the axis length and the inner size.
  MAP_OP: 44, MAP_X: 45, MAP_OUT: 46, MAP_N: 47, MAP_CHUNK: 48, MAP_AXIS: 49, MAP_INNER: 50,
  /** Words in all. */
  WORDS: 51,
} as const;

/** The kinds of convolution job (CTRL.KIND): the output, the input's gradient, the weight's gradient per image. */
export const CONV_KIND = { FORWARD: 1, INPUT: 2, WEIGHT: 3 } as const;

/** The kind of a map job (CTRL.KIND): a unary function of cpu/transcendental.ts, or log-softmax, over a float32 array, cut into ranges. */
export const MAP_KIND = 4;

/** The GEMM module's window functions (windowModule.ts), which convolution chunks call. */
export interface WindowFns {
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
}

/** Byte addresses of one image's blocks in the memory (convImage); a kind reads or writes only its own. */
export interface ImageAt {
  /** The image [C, H, W] (FORWARD, WEIGHT). */
  x: number;
  /** FORWARD: the output [O, L], written. INPUT, WEIGHT: dy [O, L]. */
  y: number;
  /** INPUT: the image's gradient [C, H, W], written. */
  dx: number;
  /** WEIGHT: this image's weight gradient [O, C·kh·kw], written. */
  dw: number;
  /** FORWARD: the bias [O], or 0 for none. */
  bias: number;
  /** The columns [C·kh·kw, L], scratch. */
  cols: number;
}

/**
 * One image of a convolution (kind as CONV_KIND) over the window `geo` (im2col's arguments: C, H, W,
 * kh, kw, sh, sw, ph, pw, dh, dw, oh, ow) with O output channels and the weight at byte `wAt`. FORWARD:
 * y = bias (each output row starts from its channel's bias, or zero) + w · im2col(x); INPUT:
 * dx = col2im(wᵀ · dy); WEIGHT: dw = dy · im2col(x)ᵀ. It starts its own outputs, so callers copy in
 * only the inputs. The one-thread kernels (conv.ts) and every thread's chunks (convChunk) run it, so
 * all give the same bits. `heap` views the memory. Refers to nothing but its parameters, as `work`.
 */
export function convImage(
  w: GemmFns & WindowFns, heap: Float32Array, kind: number, geo: readonly number[], O: number, wAt: number, at: ImageAt,
  s: Scratch, blocking: Blocking, run: typeof runBlocks,
): void {
  const [ch, H, W, kh, kw] = geo as [number, number, number, number, number];
  const L = geo[11]! * geo[12]!;
  const rows = ch * kh * kw;
  const { x, y, dx, dw, cols } = at;
  if (kind === 1) {
    const bias = at.bias >> 2;
    for (let o = 0, p = y >> 2; o < O; o++, p += L) heap.fill(bias === 0 ? 0 : heap[bias + o]!, p, p + L);
    w.im2col(...geo, x, cols);
    run(w, s, blocking, wAt, rows, 1, cols, L, 1, y, L, O, rows, L);
  } else if (kind === 2) {
    heap.fill(0, cols >> 2, (cols >> 2) + rows * L);
    // A = wᵀ: A(i, k) = w[k·rows + i].
    run(w, s, blocking, wAt, 1, rows, y, L, 1, cols, L, rows, O, L);
    heap.fill(0, dx >> 2, (dx >> 2) + ch * H * W);
    w.col2im(...geo, cols, dx);
  } else {
    w.im2col(...geo, x, cols);
    heap.fill(0, dw >> 2, (dw >> 2) + O * rows);
    // B = colsᵀ: B(k, j) = cols[j·L + k].
    run(w, s, blocking, y, L, 1, cols, 1, L, dw, rows, O, L, rows);
  }
}

/**
 * Image `n` of the convolution job in the control words, on thread `slot`'s columns and scratch (see
 * convImage). WEIGHT writes image n's own block, which the calling thread sums in image order, so the
 * result does not depend on which thread took which image. Refers to nothing but its parameters, as `work`.
 */
export function convChunk(
  w: GemmFns & WindowFns, heap: Float32Array, ctrl: Int32Array, n: number, slot: number, s: Scratch, blocking: Blocking,
  run: typeof runBlocks, C: typeof CTRL, image: typeof convImage,
): void {
  const geo: number[] = [];
  for (let i = 0; i < 13; i++) geo.push(Atomics.load(ctrl, C.GEO + i));
  const chw = geo[0]! * geo[1]! * geo[2]!;
  const L = geo[11]! * geo[12]!;
  const O = Atomics.load(ctrl, C.O);
  image(w, heap, Atomics.load(ctrl, C.KIND), geo, O, Atomics.load(ctrl, C.W_AT), {
    x: Atomics.load(ctrl, C.X_AT) + 4 * n * chw,
    y: Atomics.load(ctrl, C.Y_AT) + 4 * n * O * L,
    dx: Atomics.load(ctrl, C.DX_AT) + 4 * n * chw,
    dw: Atomics.load(ctrl, C.DW_AT) + 4 * n * O * geo[0]! * geo[3]! * geo[4]!,
    bias: Atomics.load(ctrl, C.BIAS_AT),
    cols: Atomics.load(ctrl, C.COLS_AT) + slot * Atomics.load(ctrl, C.COLS_BYTES),
  }, s, blocking, run);
}

/**
 * Chunk `n` of the map job in the control words: its range of x through `range` (mapRange), or for code 7
 * (LOG_SOFTMAX_OP) its lines through `rows` (logSoftmaxRange). The one-thread kernels run the same
 * loops, so the bits do not depend on the thread. Refers to nothing but its parameters, as `work`.
 */
export function mapChunk(
  heap: Float32Array, ctrl: Int32Array, n: number, C: typeof CTRL, range: typeof mapRange, erfOf: typeof erfScalar, rows: typeof logSoftmaxRange,
): void {
  const op = Atomics.load(ctrl, C.MAP_OP);
  const count = Atomics.load(ctrl, C.MAP_N);
  const size = Atomics.load(ctrl, C.MAP_CHUNK);
  const x = Atomics.load(ctrl, C.MAP_X) >> 2;
  const out = Atomics.load(ctrl, C.MAP_OUT) >> 2;
  const from = n * size;
  const to = Math.min(count, from + size);
  if (op === 7) {
    const axis = Atomics.load(ctrl, C.MAP_AXIS);
    const inner = Atomics.load(ctrl, C.MAP_INNER);
    const values = count * axis;
    rows(heap.subarray(x, x + values), heap.subarray(out, out + values), from, to, axis, inner);
  } else {
    range(op, heap.subarray(x, x + count), heap.subarray(out, out + count), from, to, erfOf);
  }
}

/** What a thread runs besides products: convolution chunks and map chunks, and the memory they view. */
export interface ChunkFns {
  chunk: typeof convChunk;
  image: typeof convImage;
  map: typeof mapChunk;
  range: typeof mapRange;
  erf: typeof erfScalar;
  rows: typeof logSoftmaxRange;
  memory: WebAssembly.Memory;
}

/** The claim index that marks the claim word exhausted while the calling thread writes a job. */
export const CLAIMED_OUT = 0xffff;

/** Bytes the control words take at the start of the memory (scratch starts after): room for CTRL.WORDS, 16-byte aligned. */
export const CTRL_BYTES = 256;

/**
 * Claims and computes chunks of the current job until none is left, as thread `slot`; returns how
 * many it computed. A thread may arrive late, after the job it was woken for has finished and while
 * the calling thread writes the next one, so nothing is read before a claim succeeds: the calling
 * thread marks the claim word exhausted (index CLAIMED_OUT) before it writes a job and publishes a
 * fresh one after, so a compare-exchange that succeeds took an unclaimed chunk of a job that is
 * fully written, and that job's words cannot change until its last chunk (this one included) is
 * done. Only then are the operands read. `run` is `runBlocks` (passed in, as the worker has it only
 * as source text).
 */
export function work(
  w: GemmFns, ctrl: Int32Array, slot: number, blocking: Blocking, scratch: Scratch, run: typeof runBlocks, C: typeof CTRL,
  more?: ChunkFns,
): number {
  let done = 0;
  for (;;) {
    const v = Atomics.load(ctrl, C.CLAIM);
    const index = v & 0xffff;
    // CHUNKS is read between the load and the exchange: if the job changed in between, the claim word
    // changed too (it is marked exhausted first), and the exchange fails.
    const chunks = Atomics.load(ctrl, C.CHUNKS);
    if (index >= chunks) return done;
    if (Atomics.compareExchange(ctrl, C.CLAIM, v, v + 1) !== v) continue;
    const kind = Atomics.load(ctrl, C.KIND);
    if (kind !== 0) {
      const base = Atomics.load(ctrl, C.SCRATCH) + slot * Atomics.load(ctrl, C.SCRATCH_BYTES);
      const s = { tile: base + scratch.tile, packedA: base + scratch.packedA, packedB: base + scratch.packedB };
      try {
        // A view made now: the memory may have grown since the last job.
        const heap = new Float32Array(more!.memory.buffer);
        if (kind === 4 /* MAP_KIND; the worker has only its parameters */) more!.map(heap, ctrl, index, C, more!.range, more!.erf, more!.rows);
        else more!.chunk(w as GemmFns & WindowFns, heap, ctrl, index, slot, s, blocking, run, C, more!.image);
      } catch {
        Atomics.store(ctrl, C.FAILED, 1);
      }
      done++;
      if (Atomics.add(ctrl, C.DONE, 1) + 1 === chunks) Atomics.notify(ctrl, C.DONE);
      continue;
    }
    const a = Atomics.load(ctrl, C.A), ars = Atomics.load(ctrl, C.ARS), acs = Atomics.load(ctrl, C.ACS);
    const b = Atomics.load(ctrl, C.B), brs = Atomics.load(ctrl, C.BRS), bcs = Atomics.load(ctrl, C.BCS);
    const c = Atomics.load(ctrl, C.C), M = Atomics.load(ctrl, C.M), K = Atomics.load(ctrl, C.K), N = Atomics.load(ctrl, C.N);
    const byRows = Atomics.load(ctrl, C.BY_ROWS) !== 0, size = Atomics.load(ctrl, C.CHUNK);
    const base = Atomics.load(ctrl, C.SCRATCH) + slot * Atomics.load(ctrl, C.SCRATCH_BYTES);
    const s = { tile: base + scratch.tile, packedA: base + scratch.packedA, packedB: base + scratch.packedB };
    const from = index * size;
    try {
      if (byRows) run(w, s, blocking, a + 4 * from * ars, ars, acs, b, brs, bcs, c + 4 * from * N, N, Math.min(size, M - from), K, N);
      else run(w, s, blocking, a, ars, acs, b + 4 * from * bcs, brs, bcs, c + 4 * from, N, M, K, Math.min(size, N - from));
    } catch {
      Atomics.store(ctrl, C.FAILED, 1);
    }
    done++;
    if (Atomics.add(ctrl, C.DONE, 1) + 1 === chunks) Atomics.notify(ctrl, C.DONE);
  }
}

/** What a worker is started with. */
export interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  slot: number;
  blocking: Blocking;
  scratch: Scratch;
  /** Polls of GEN after a job before sleeping (a product often follows another at once). */
  spins: number;
}

/** A worker's life: instantiate the module on the shared memory, then take jobs until STOP. */
function workerMain(
  d: WorkerData, C: typeof CTRL, workFn: typeof work, run: typeof runBlocks, chunk: typeof convChunk, image: typeof convImage,
  map: typeof mapChunk, range: typeof mapRange, erf: typeof erfScalar, rows: typeof logSoftmaxRange,
): void {
  let w: GemmFns;
  try {
    w = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports as unknown as GemmFns;
  } catch {
    return; // the calling thread computes the chunks this worker would have taken
  }
  const ctrl = new Int32Array(d.memory.buffer, 0, C.WORDS);
  let seen = -1;
  for (;;) {
    let gen = Atomics.load(ctrl, C.GEN);
    for (let i = 0; gen === seen && i < d.spins; i++) gen = Atomics.load(ctrl, C.GEN);
    if (gen === seen) {
      Atomics.add(ctrl, C.SLEEPING, 1);
      Atomics.wait(ctrl, C.GEN, seen);
      Atomics.sub(ctrl, C.SLEEPING, 1);
      continue;
    }
    if (Atomics.load(ctrl, C.STOP) !== 0) return;
    seen = gen;
    workFn(w, ctrl, d.slot, d.blocking, d.scratch, run, C, { chunk, image, map, range, erf, rows, memory: d.memory });
  }
}

/**
 * The source text a worker is started from. For `'node'`, a worker_threads script run with
 * `new Worker(source, { eval: true, workerData })`; for `'browser'`, a dedicated Worker's script (loaded
 * from a Blob URL) that takes its WorkerData from the first message.
 */
export function workerSource(host: 'node' | 'browser' = 'node'): string {
  // Every function gets CTRL as an argument: a bundler may rename the module's constant.
  const main = `(${workerMain.toString()})`;
  const rest = [JSON.stringify(CTRL), work, runBlocks, convChunk, convImage, mapChunk, mapRange, erfScalar, logSoftmaxRange].map(String).join(', ');
  return host === 'node'
    ? `${main}(require('node:worker_threads').workerData, ${rest});`
    : `self.onmessage = (e) => { self.onmessage = null; ${main}(e.data, ${rest}); };`;
}
