// How many threads float32 matrix products use, and the pool that runs them on more than one.
import type { GemmConfig } from './gemm.js';
import { createPool, threadsSupported, type GemmPool } from './pool.js';

/** The part of Node's os used here. */
interface NodeOs {
  availableParallelism?: () => number;
  cpus(): readonly unknown[];
}

interface Runtime {
  process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (id: string) => unknown };
}

/**
 * The default thread count: DL_NUM_THREADS when it is a positive integer, else the number of cores
 * (Node's `os.availableParallelism()`, or `os.cpus().length` before Node 18.14; a cross-origin isolated
 * page's `navigator.hardwareConcurrency`); 1 elsewhere (a browser page without isolation has no
 * shared memory to give workers).
 */
export function defaultThreadCount(): number {
  const p = (globalThis as Runtime).process;
  const env = p?.env?.['DL_NUM_THREADS']?.trim();
  if (env !== undefined && /^\d+$/.test(env) && Number(env) >= 1) return Number(env);
  try {
    const os = p?.getBuiltinModule?.('node:os') as NodeOs | undefined;
    if (os !== undefined) return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  } catch {
    // not Node after all
  }
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const cores = g.navigator?.hardwareConcurrency;
  if (g.crossOriginIsolated === true && threadsSupported() && typeof cores === 'number' && cores >= 1) return Math.floor(cores);
  return 1;
}

let count: number | undefined;
// The pool for the current count and config; null where threads cannot run (then not retried).
let pool: GemmPool | null | undefined;
let poolConfig: GemmConfig | undefined;
let started = 0;
let pastJobs = 0;
let pastChunks = 0;

/** Stops the current pool, if any. */
function retire(): void {
  if (pool) {
    pastJobs += pool.jobs();
    pastChunks += pool.workerChunks();
    pool.dispose();
  }
  pool = undefined;
}

/** The thread count float32 products use (`defaultThreadCount()` until set). */
export function threadCount(): number {
  return (count ??= defaultThreadCount());
}

/**
 * Sets the thread count. A pool of another size is stopped now (the next large product starts one);
 * going down to one thread parks the pool instead (its workers sleep), so switching back and forth, as
 * a benchmark comparing both does, does not start new workers each time.
 */
export function setThreadCount(n: number): void {
  if (n === threadCount()) return;
  count = n;
  if (n > 1 && pool !== undefined && (pool === null || pool.threads !== n)) retire();
}

/**
 * The pool running `config` on `threadCount()` threads, started on first use; null with one thread,
 * or where threads cannot run.
 */
export function threadPool(config: GemmConfig): GemmPool | null {
  if (threadCount() < 2) return null;
  // A pool stops itself after a product too large to keep the memory of, or after a failure.
  if (pool !== undefined && poolConfig === config && (pool === null || (pool.alive() && pool.threads === threadCount()))) return pool;
  retire();
  poolConfig = config;
  pool = createPool(config, threadCount());
  started += pool?.workers() ?? 0;
  return pool;
}

/** Workers started so far, products run on several threads, and chunks of them that workers computed, for tests and benchmarks. */
export function threadStats(): { workersStarted: number; jobs: number; workerChunks: number } {
  return { workersStarted: started, jobs: pastJobs + (pool?.jobs() ?? 0), workerChunks: pastChunks + (pool?.workerChunks() ?? 0) };
}
