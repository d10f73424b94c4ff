// A threaded float32 GEMM: one shared WebAssembly memory, the GEMM module instantiated on it by the
// calling thread and by threads − 1 workers (Node's worker_threads, or a cross-origin isolated
// page's Workers), and jobs handed over through
// control words in that memory (gemmWorker.ts). The calling thread copies the operands in, cuts C
// into row blocks or column panels (never K, so every entry is summed in the same order whichever
// thread computes it), computes chunks itself alongside the workers, waits for the last, and
// copies C out.
import { align16, copyLayout, MAX_BYTES, PAGE, runBlocks, scratchLayout, type Blocking, type GemmFns } from './blocks.js';
import type { GemmConfig, GemmF32 } from './gemm.js';
import { gemmModuleBytes } from './gemmModule.js';
import { CLAIMED_OUT, CONV_KIND, CTRL, CTRL_BYTES, convChunk, convImage, MAP_KIND, mapChunk, work, workerSource, type ChunkFns, type WorkerData } from './gemmWorker.js';
import { erfScalar, LOG_SOFTMAX_OP, logSoftmaxRange, mapRange, MAP_OPS, type MapOp } from '../cpu/transcendental.js';
import type { Window2d } from '../cpu/im2col.js';

// A product that grew the memory past this disposes of the pool after it (memory cannot shrink);
// the next threaded product starts a new one. Node only (see `releases` below).
const RELEASE_BYTES = 2 ** 27;
// A map job copies at most this many values in (and as many out) at a time.
export const MAP_SLAB = 2 ** 22;
// Chunks per thread: a few, so a thread slowed by other load hands work to the others, but not many,
// as each chunk packs the whole of the operand it does not cut.
const CHUNKS_PER_THREAD = 2;
// Polls of the control words before sleeping in Atomics.wait: a worker catches the next product of a
// batch without a wake-up (tens of µs), and the calling thread the last chunk of a job.
const WORKER_SPINS = 50_000;
const CALLER_SPINS = 50_000;

/**
 * The outer blocks a threaded log-softmax copies in at a time (each block's n·inner values whole, within
 * MAP_SLAB), or null where that cannot give two threads work: a slab of fewer than two lines.
 */
export function logSoftmaxSlab(outer: number, n: number, inner: number): number | null {
  const block = n * inner;
  if (outer < 1 || block < 1 || block > MAP_SLAB) return null;
  const perSlab = Math.min(outer, Math.floor(MAP_SLAB / block));
  return perSlab * inner >= 2 ? perSlab : null;
}

/** The part of Node's worker_threads used here (declared, not imported: the package imports in browsers). */
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: WorkerData }) => {
    unref(): void;
    on(event: 'error', listener: (error: unknown) => void): unknown;
    terminate(): Promise<number>;
  };
}

/** The part of a browser's globals used here. */
interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => { onerror: ((e: unknown) => void) | null; postMessage(data: unknown): void; terminate(): void };
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
}

/**
 * Node's worker_threads, or undefined (a browser, or a Node without `process.getBuiltinModule`,
 * added in 20.16 and 22.3). Loaded at run time so that the package imports anywhere.
 */
function workerThreads(): WorkerThreads | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return p?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether this host can share WebAssembly memory with workers: Node with worker_threads, or a browser
 * page that is cross-origin isolated (served with COOP `same-origin` and COEP `require-corp`, without
 * which there is no SharedArrayBuffer) and has Worker and Blob URLs.
 */
export function threadsSupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (workerThreads() !== undefined) return true;
  const g = globalThis as BrowserGlobals;
  return g.crossOriginIsolated === true && typeof g.Worker === 'function' && typeof g.Blob === 'function' && typeof g.URL?.createObjectURL === 'function';
}

/**
 * Starts one worker per entry of `data` on this host (worker_threads in Node, Blob-URL Workers in a
 * browser) and returns what stops them; null where neither exists. A worker that fails to start or
 * throws takes no chunks: the other threads do its share.
 */
function startWorkers(data: WorkerData[]): (() => void) | null {
  const wt = workerThreads();
  if (wt !== undefined) {
    const source = workerSource('node');
    const workers = data.map((workerData) => {
      const worker = new wt.Worker(source, { eval: true, workerData });
      worker.unref(); // an idle pool must not keep the process alive
      worker.on('error', () => {});
      return worker;
    });
    return () => workers.forEach((worker) => void worker.terminate());
  }
  const g = globalThis as BrowserGlobals;
  if (!threadsSupported() || g.Worker === undefined || g.Blob === undefined || g.URL === undefined) return null;
  const { Worker, URL } = g as Required<BrowserGlobals>;
  const workers: InstanceType<typeof Worker>[] = [];
  let url: string | undefined;
  const stop = (): void => {
    workers.forEach((worker) => worker.terminate());
    if (url !== undefined) URL.revokeObjectURL(url);
  };
  try {
    // A Content-Security-Policy without blob: workers makes these throw: then the page computes on one thread.
    url = URL.createObjectURL(new g.Blob([workerSource('browser')], { type: 'text/javascript' }));
    for (const d of data) {
      const worker = new Worker(url);
      worker.onerror = () => {};
      workers.push(worker);
      worker.postMessage(d);
    }
  } catch {
    stop();
    return null;
  }
  return stop;
}

/**
 * Whether this thread may block in `Atomics.wait` (a browser window's main thread may not; Node's
 * threads and browser workers may), probed with a wait that returns at once.
 */
function canBlock(ctrl: Int32Array, index: number): boolean {
  try {
    Atomics.wait(ctrl, index, Atomics.load(ctrl, index) + 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** The arrays of a convolution job (see `GemmPool.conv`); absent ones are not needed by that kind. */
export interface ConvArrays {
  /** The weight [O, C·kh·kw]. */
  w: Float32Array;
  /** The images [N, C, H, W] (FORWARD, WEIGHT). */
  x?: Float32Array;
  /** FORWARD: the output [N, O, L], written. INPUT, WEIGHT: dy. */
  y: Float32Array;
  /** FORWARD: the bias [O] each output row starts from; absent or null: zeros. */
  bias?: Float32Array | null;
  /** INPUT: the input's gradient [N, C, H, W], written. */
  dx?: Float32Array;
  /** WEIGHT: each image's weight gradient [N, O, C·kh·kw], written. */
  dw?: Float32Array;
}

/** A GEMM running on several threads, and its workers. */
export interface GemmPool {
  /** As `GemmF32`, on all the pool's threads; false (out untouched) where it cannot run this product. */
  readonly gemm: GemmF32;
  /**
   * One kind of convolution job over the window `g` with O output channels, one image per chunk, on all
   * the pool's threads (see `convChunk`); false (outputs untouched) where it cannot run it.
   */
  conv(kind: (typeof CONV_KIND)[keyof typeof CONV_KIND], g: Window2d, O: number, arrays: ConvArrays): boolean;
  /**
   * out = f(x) elementwise for a function of cpu/transcendental.ts, the array cut into ranges over all the
   * pool's threads (see `mapChunk`), MAP_SLAB values at a time; false where it cannot run it (out may then be
   * partly written).
   */
  map(op: MapOp, x: Float32Array, out: Float32Array): boolean;
  /**
   * log-softmax along the middle axis of x viewed as [outer, n, inner] (cpu/transcendental.ts's
   * logSoftmaxRange), its lines cut into chunks; false where it cannot run it (see `logSoftmaxSlab`; out may
   * then be partly written).
   */
  logSoftmax(x: Float32Array, out: Float32Array, outer: number, n: number, inner: number): boolean;
  /** Threads, the calling one included. */
  readonly threads: number;
  /** Worker threads started. */
  workers(): number;
  /** Products computed on several threads. */
  jobs(): number;
  /** Chunks of those products that workers computed (the calling thread computed the rest). */
  workerChunks(): number;
  /** False once disposed (by `dispose`, a failure, or in Node after a product over 128 MiB). */
  alive(): boolean;
  /** Stops the workers; the pool's gemm returns false after. */
  dispose(): void;
}

/**
 * A pool of `threads` threads (the calling one and threads − 1 workers, started now) running the
 * GEMM of `config`; null where threads cannot run here (see `threadsSupported`) or the module does
 * not compile.
 * @example const pool = createPool(GEMM_CONFIGS[1], 2); pool?.gemm(a, 0, false, b, 0, false, c, 0, M, K, N)
 */
export function createPool(config: GemmConfig, threads: number): GemmPool | null {
  if (threads < 2 || !threadsSupported()) return null;
  let module: WebAssembly.Module;
  let memory: WebAssembly.Memory;
  let w: GemmFns;
  try {
    module = new WebAssembly.Module(gemmModuleBytes(config.shape, MAX_BYTES / PAGE));
    memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_BYTES / PAGE, shared: true });
    w = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmFns;
  } catch {
    return null;
  }
  const { shape: { mr, nr }, mc, kc, nc } = config;
  const blocking: Blocking = { mr, nr, mc, kc, nc };
  const scratch = scratchLayout(blocking);
  const SCRATCH = CTRL_BYTES;
  const COPIES = SCRATCH + threads * scratch.bytes;
  const ctrl = new Int32Array(memory.buffer, 0, CTRL.WORDS);
  let heap = new Float32Array(memory.buffer);
  let gen = 0;
  let jobs = 0;
  let workerChunks = 0;
  let disposed = false;

  const more: ChunkFns = { chunk: convChunk, image: convImage, map: mapChunk, range: mapRange, erf: erfScalar, rows: logSoftmaxRange, memory };
  // A browser window's main thread may not sleep: it polls until the workers' last chunks are done.
  const blocks = canBlock(ctrl, CTRL.STOP);
  const data = Array.from({ length: threads - 1 }, (_, i): WorkerData => ({ module, memory, slot: i + 1, blocking, scratch, spins: WORKER_SPINS }));
  const stopWorkers = startWorkers(data);
  if (stopWorkers === null) return null;
  // After a very large product Node's pool lets its memory go and the next one starts new workers; a
  // page keeps its pool, as its new workers would start only once the main thread is idle.
  const releases = workerThreads() !== undefined;

  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    Atomics.store(ctrl, CTRL.STOP, 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    stopWorkers();
  };

  /** Grows the memory to `end` bytes; false when it cannot. */
  function reserve(end: number): boolean {
    if (end > MAX_BYTES) return false;
    if (heap.byteLength < end) {
      try {
        memory.grow(Math.ceil((end - heap.byteLength) / PAGE));
      } catch {
        return false;
      }
      heap = new Float32Array(memory.buffer);
    }
    return true;
  }

  /**
   * Publishes a job (its words, then a fresh claim word), computes chunks on this thread alongside the
   * workers, and waits for the last; false (and the pool disposed) when a thread failed.
   */
  function runJob(words: [number, number][], chunks: number): boolean {
    gen = (gen + 1) & 0x3fffffff;
    // Exhausted first, so a late thread's claim on the previous job fails while the words change.
    Atomics.store(ctrl, CTRL.CLAIM, ((gen & 0x7fff) << 16) | CLAIMED_OUT);
    for (const [at, v] of [...words, [CTRL.CHUNKS, chunks], [CTRL.SCRATCH, SCRATCH], [CTRL.SCRATCH_BYTES, scratch.bytes], [CTRL.DONE, 0], [CTRL.FAILED, 0]]) {
      Atomics.store(ctrl, at!, v!);
    }
    Atomics.store(ctrl, CTRL.CLAIM, (gen & 0x7fff) << 16);
    Atomics.store(ctrl, CTRL.GEN, gen);
    if (Atomics.load(ctrl, CTRL.SLEEPING) > 0) Atomics.notify(ctrl, CTRL.GEN);
    const mine = work(w, ctrl, 0, blocking, scratch, runBlocks, CTRL, more);
    // The workers' last chunks: poll a while, then sleep until the one finishing the job notifies.
    // Workers not started yet (a browser starts them when its main thread is idle) claim nothing, so
    // this waits only for chunks a running worker holds.
    let done = Atomics.load(ctrl, CTRL.DONE);
    for (let i = 0; done < chunks && (i < CALLER_SPINS || !blocks); i++) done = Atomics.load(ctrl, CTRL.DONE);
    while (done < chunks) {
      Atomics.wait(ctrl, CTRL.DONE, done);
      done = Atomics.load(ctrl, CTRL.DONE);
    }
    jobs++;
    workerChunks += chunks - mine;
    if (Atomics.load(ctrl, CTRL.FAILED) !== 0) {
      dispose();
      return false;
    }
    return true;
  }

  const gemm: GemmF32 = (a, aOff, transA, b, bOff, transB, out, oOff, M, K, N, zeroed = false) => {
    if (disposed) return false;
    if (M === 0 || N === 0 || K === 0) return true;
    // Cut the longer side, in whole register tiles.
    const byRows = Math.ceil(M / mr) > Math.ceil(N / nr);
    const unit = byRows ? mr : nr;
    const tiles = Math.ceil((byRows ? M : N) / unit);
    if (tiles < 2) return false;
    const size = Math.ceil(tiles / Math.min(tiles, threads * CHUNKS_PER_THREAD)) * unit;
    const chunks = Math.ceil((byRows ? M : N) / size);
    const { aAt, bAt, cAt, end } = copyLayout(COPIES, M, K, N);
    if (!reserve(end)) return false;
    heap.set(a.subarray(aOff, aOff + M * K), aAt >> 2);
    heap.set(b.subarray(bOff, bOff + K * N), bAt >> 2);
    if (zeroed) heap.fill(0, cAt >> 2, (cAt >> 2) + M * N);
    else heap.set(out.subarray(oOff, oOff + M * N), cAt >> 2);
    const job: [number, number][] = [
      [CTRL.KIND, 0],
      [CTRL.A, aAt], [CTRL.ARS, transA ? 1 : K], [CTRL.ACS, transA ? M : 1],
      [CTRL.B, bAt], [CTRL.BRS, transB ? 1 : N], [CTRL.BCS, transB ? K : 1],
      [CTRL.C, cAt], [CTRL.M, M], [CTRL.K, K], [CTRL.N, N],
      [CTRL.BY_ROWS, byRows ? 1 : 0], [CTRL.CHUNK, size],
    ];
    if (!runJob(job, chunks)) return false;
    out.set(heap.subarray(cAt >> 2, (cAt >> 2) + M * N), oOff);
    if (end - COPIES > RELEASE_BYTES && releases) dispose(); // the copies alone: scratch grows with the thread count
    return true;
  };

  const conv: GemmPool['conv'] = (kind, g, O, arrays) => {
    if (disposed || g.N < 2) return false;
    const rows = g.C * g.kh * g.kw;
    const L = g.oh * g.ow;
    const chw = g.C * g.H * g.W;
    // Weight, images, outputs, image gradients, per-image weight gradients, then each thread's columns.
    const wAt = COPIES;
    const xAt = wAt + align16(4 * O * rows);
    const yAt = xAt + align16(4 * g.N * chw);
    const dxAt = yAt + align16(4 * g.N * O * L);
    const dwAt = dxAt + align16(4 * g.N * chw);
    const biasAt = dwAt + align16(4 * g.N * O * rows);
    const colsAt = biasAt + align16(4 * O);
    const colsBytes = align16(4 * rows * L);
    const end = colsAt + threads * colsBytes;
    if (!reserve(end)) return false;
    // Only the inputs cross: each chunk starts its own outputs (convChunk).
    heap.set(arrays.w, wAt >> 2);
    if (kind !== CONV_KIND.FORWARD) heap.set(arrays.y, yAt >> 2);
    if (arrays.x !== undefined) heap.set(arrays.x, xAt >> 2);
    const bias = kind === CONV_KIND.FORWARD ? arrays.bias ?? null : null;
    if (bias !== null) heap.set(bias, biasAt >> 2);
    const geo = [g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow];
    const job: [number, number][] = [
      [CTRL.KIND, kind], ...geo.map((v, i): [number, number] => [CTRL.GEO + i, v]), [CTRL.O, O],
      [CTRL.W_AT, wAt], [CTRL.X_AT, xAt], [CTRL.Y_AT, yAt], [CTRL.DX_AT, dxAt], [CTRL.DW_AT, dwAt],
      [CTRL.COLS_AT, colsAt], [CTRL.COLS_BYTES, colsBytes], [CTRL.BIAS_AT, bias === null ? 0 : biasAt],
    ];
    if (!runJob(job, g.N)) return false;
    if (kind === CONV_KIND.FORWARD) arrays.y.set(heap.subarray(yAt >> 2, (yAt >> 2) + g.N * O * L));
    if (kind === CONV_KIND.INPUT) arrays.dx!.set(heap.subarray(dxAt >> 2, (dxAt >> 2) + g.N * chw));
    if (kind === CONV_KIND.WEIGHT) arrays.dw!.set(heap.subarray(dwAt >> 2, (dwAt >> 2) + g.N * O * rows));
    if (end - COPIES > RELEASE_BYTES && releases) dispose();
    return true;
  };

  /**
   * A map job through the fixed window of MAP_SLAB values (the memory never grows past it for these jobs, so a
   * large array neither restarts the pool (RELEASE_BYTES) nor meets the memory's limit): x is `units` units of
   * `unit` values, `perSlab` units are copied in at a time, and a slab of m units is `items(m)` work items,
   * cut into chunks of `chunk(items)`. `words` are the job's own control words. False where it cannot run.
   */
  function slabbed(
    x: Float32Array, out: Float32Array, unit: number, units: number, perSlab: number,
    items: (m: number) => number, chunk: (items: number) => number, words: [number, number][],
  ): boolean {
    const xAt = COPIES;
    const outAt = xAt + align16(4 * perSlab * unit);
    if (!reserve(outAt + align16(4 * perSlab * unit))) return false;
    for (let from = 0; from < units; from += perSlab) {
      const m = Math.min(perSlab, units - from);
      heap.set(x.subarray(from * unit, (from + m) * unit), xAt >> 2);
      const count = items(m);
      const size = chunk(count);
      const job: [number, number][] = [[CTRL.KIND, MAP_KIND], [CTRL.MAP_X, xAt], [CTRL.MAP_OUT, outAt], [CTRL.MAP_N, count], [CTRL.MAP_CHUNK, size], ...words];
      if (!runJob(job, Math.ceil(count / size))) return false;
      out.set(heap.subarray(outAt >> 2, (outAt >> 2) + m * unit), from * unit);
    }
    return true;
  }

  const map: GemmPool['map'] = (op, x, out) => {
    const n = x.length;
    if (disposed || n < 2) return false;
    // Whole cache lines per chunk (16 floats), a few chunks per thread.
    return slabbed(x, out, 1, n, Math.min(n, MAP_SLAB), (m) => m, (m) => Math.ceil(m / (threads * CHUNKS_PER_THREAD) / 16) * 16, [[CTRL.MAP_OP, MAP_OPS[op]]]);
  };

  const logSoftmax: GemmPool['logSoftmax'] = (x, out, outer, n, inner) => {
    const perSlab = logSoftmaxSlab(outer, n, inner);
    if (disposed || perSlab === null) return false;
    // Whole outer blocks at a time, their lines cut into chunks.
    return slabbed(x, out, n * inner, outer, perSlab, (blocks) => blocks * inner, (lines) => Math.ceil(lines / (threads * CHUNKS_PER_THREAD)),
      [[CTRL.MAP_OP, LOG_SOFTMAX_OP], [CTRL.MAP_AXIS, n], [CTRL.MAP_INNER, inner]]);
  };

  return { gemm, conv, map, logSoftmax, threads, workers: () => data.length, jobs: () => jobs, workerChunks: () => workerChunks, alive: () => !disposed, dispose };
}

