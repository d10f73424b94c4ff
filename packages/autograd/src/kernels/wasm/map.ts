// The transcendental kernels (cpu/transcendental.ts: exp and the like, and log-softmax) over large float32
// arrays, split over the thread pool's threads. The loops are the JS kernels' own (Math.exp is not SIMD
// code), so this pays only where there is more than one thread: each costs 15-90 ns an element against
// well under 1 ns to copy it.
import { chosenConfig } from './gemm.js';
import { threadCount, threadPool } from './threads.js';
import { logSoftmaxSlab, type GemmPool } from './pool.js';
import type { MapOp } from '../cpu/transcendental.js';
import { allocate } from '../../dtype.js';

// Arrays of at least this many elements are split over the threads: about 1 ms of exp on one thread,
// against some tens of µs to copy the array in and out and wake the workers.
export const MAP_THREAD_MIN = 1 << 16;

/** The pool for a threaded kernel over `n` values, or null (one thread, too few values, no pool here). */
function poolFor(n: number): GemmPool | null {
  if (n < MAP_THREAD_MIN || threadCount() < 2) return null;
  const config = chosenConfig();
  return config === null ? null : threadPool(config);
}

/** f(x) on the pool's threads into a new array, or null where it does not run there (one thread, small, no pool). */
export function mapThreaded(op: MapOp, x: Float32Array): Float32Array | null {
  const pool = poolFor(x.length);
  if (pool === null) return null;
  const out = allocate('float32', x.length) as Float32Array;
  return pool.map(op, x, out) ? out : null;
}

/** log-softmax of x viewed as [outer, n, inner] on the pool's threads into a new array, or null where it does not run there. */
export function logSoftmaxThreaded(x: Float32Array, outer: number, n: number, inner: number): Float32Array | null {
  const pool = logSoftmaxSlab(outer, n, inner) === null ? null : poolFor(x.length);
  if (pool === null) return null;
  const out = allocate('float32', x.length) as Float32Array;
  return pool.logSoftmax(x, out, outer, n, inner) ? out : null;
}
