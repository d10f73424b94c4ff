// A threaded float32 GEMM: one shared WebAssembly memory, the GEMM module instantiated on it by the
// calling thread and by threads − 1 workers (Node's worker_threads), and jobs handed over through
// control words in that memory (gemmWorker.ts). The calling thread copies the operands in, cuts C
// into row blocks or column panels (never K, so every entry is summed in the same order whichever
// thread computes it), computes chunks itself alongside the workers, waits for the last, and
// copies C out.
import { copyLayout, MAX_BYTES, PAGE, runBlocks, scratchLayout, type Blocking, type GemmFns } from './blocks.js';
import type { GemmConfig, GemmF32 } from './gemm.js';
import { gemmModuleBytes } from './gemmModule.js';
import { CLAIMED_OUT, CTRL, CTRL_BYTES, work, workerSource, type WorkerData } from './gemmWorker.js';

// A product that grew the memory past this disposes of the pool after it (memory cannot shrink);
// the next threaded product starts a new one.
const RELEASE_BYTES = 2 ** 27;
// Chunks per thread: a few, so a thread slowed by other load hands work to the others, but not many,
// as each chunk packs the whole of the operand it does not cut.
const CHUNKS_PER_THREAD = 2;
// Polls of the control words before sleeping in Atomics.wait: a worker catches the next product of a
// batch without a wake-up (tens of µs), and the calling thread the last chunk of a job.
const WORKER_SPINS = 50_000;
const CALLER_SPINS = 50_000;

/** The part of Node's worker_threads used here (declared, not imported: the package imports in browsers). */
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: WorkerData }) => {
    unref(): void;
    on(event: 'error', listener: (error: unknown) => void): unknown;
    terminate(): Promise<number>;
  };
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

/** A GEMM running on several threads, and its workers. */
export interface GemmPool {
  /** As `GemmF32`, on all the pool's threads; false (out untouched) where it cannot run this product. */
  readonly gemm: GemmF32;
  /** Threads, the calling one included. */
  readonly threads: number;
  /** Worker threads started. */
  workers(): number;
  /** Products computed on several threads. */
  jobs(): number;
  /** False once disposed (by `dispose`, a failure, or after a product over 128 MiB). */
  alive(): boolean;
  /** Stops the workers; the pool's gemm returns false after. */
  dispose(): void;
}

/**
 * A pool of `threads` threads (the calling one and threads − 1 workers, started now) running the
 * GEMM of `config`; null where threads cannot run here: no worker_threads (browsers: TODO, below),
 * no shared WebAssembly memory, or the module does not compile.
 * @example const pool = createPool(GEMM_CONFIGS[1], 2); pool?.gemm(a, 0, false, b, 0, false, c, 0, M, K, N)
 */
export function createPool(config: GemmConfig, threads: number): GemmPool | null {
  // TODO(browser): where crossOriginIsolated is true, start the workers from a Blob URL of
  // workerSource() (taking WorkerData by postMessage), and replace the Atomics.wait below, which a
  // window's main thread may not call, by polling. Until then a browser computes on one thread.
  const wt = workerThreads();
  if (wt === undefined || threads < 2 || typeof SharedArrayBuffer !== 'function') return null;
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
  let disposed = false;

  const source = workerSource();
  const workers = Array.from({ length: threads - 1 }, (_, i) => {
    const data: WorkerData = { module, memory, slot: i + 1, blocking, scratch, spins: WORKER_SPINS };
    const worker = new wt.Worker(source, { eval: true, workerData: data });
    worker.unref(); // an idle pool must not keep the process alive
    worker.on('error', () => {}); // a failed worker takes no chunks; the others do its share
    return worker;
  });

  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    Atomics.store(ctrl, CTRL.STOP, 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    for (const worker of workers) void worker.terminate();
  };

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
    if (end > MAX_BYTES) return false;
    if (heap.byteLength < end) {
      try {
        memory.grow(Math.ceil((end - heap.byteLength) / PAGE));
      } catch {
        return false;
      }
      heap = new Float32Array(memory.buffer);
    }
    heap.set(a.subarray(aOff, aOff + M * K), aAt >> 2);
    heap.set(b.subarray(bOff, bOff + K * N), bAt >> 2);
    if (zeroed) heap.fill(0, cAt >> 2, (cAt >> 2) + M * N);
    else heap.set(out.subarray(oOff, oOff + M * N), cAt >> 2);
    const job: [number, number][] = [
      [CTRL.A, aAt], [CTRL.ARS, transA ? 1 : K], [CTRL.ACS, transA ? M : 1],
      [CTRL.B, bAt], [CTRL.BRS, transB ? 1 : N], [CTRL.BCS, transB ? K : 1],
      [CTRL.C, cAt], [CTRL.M, M], [CTRL.K, K], [CTRL.N, N],
      [CTRL.BY_ROWS, byRows ? 1 : 0], [CTRL.CHUNKS, chunks], [CTRL.CHUNK, size],
      [CTRL.SCRATCH, SCRATCH], [CTRL.SCRATCH_BYTES, scratch.bytes],
      [CTRL.DONE, 0], [CTRL.FAILED, 0],
    ];
    gen = (gen + 1) & 0x3fffffff;
    // Exhausted first, so a late thread's claim on the previous job fails while the words change.
    Atomics.store(ctrl, CTRL.CLAIM, ((gen & 0x7fff) << 16) | CLAIMED_OUT);
    for (const [at, v] of job) Atomics.store(ctrl, at, v);
    Atomics.store(ctrl, CTRL.CLAIM, (gen & 0x7fff) << 16);
    Atomics.store(ctrl, CTRL.GEN, gen);
    if (Atomics.load(ctrl, CTRL.SLEEPING) > 0) Atomics.notify(ctrl, CTRL.GEN);
    work(w, ctrl, 0, blocking, scratch, runBlocks);
    // The workers' last chunks: poll a while, then sleep until the one finishing the job notifies.
    let done = Atomics.load(ctrl, CTRL.DONE);
    for (let i = 0; done < chunks && i < CALLER_SPINS; i++) done = Atomics.load(ctrl, CTRL.DONE);
    while (done < chunks) {
      Atomics.wait(ctrl, CTRL.DONE, done);
      done = Atomics.load(ctrl, CTRL.DONE);
    }
    jobs++;
    if (Atomics.load(ctrl, CTRL.FAILED) !== 0) {
      dispose();
      return false;
    }
    out.set(heap.subarray(cAt >> 2, (cAt >> 2) + M * N), oOff);
    if (end - COPIES > RELEASE_BYTES) dispose(); // the copies alone: scratch grows with the thread count
    return true;
  };

  return { gemm, threads, workers: () => workers.length, jobs: () => jobs, alive: () => !disposed, dispose };
}

