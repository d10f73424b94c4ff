// The transcendental kernels (exp, log, tanh, sigmoid, sin, cos, erf) and log-softmax split over the thread
// pool (kernels/wasm/map.ts, pool.ts's map and logSoftmax): the one-thread JS kernel's bits on 2 and 3
// threads for any length, shape and values (NaN, ±∞, ±0, subnormals, huge and tiny), chunks computed by
// workers, and the routing (small arrays, float64, one thread and the js backend stay on the calling thread).
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exp, getNumThreads, logSoftmax, setBackend, setNumThreads, tensor } from '../../src/index.js';
import { GEMM_CONFIGS, createGemm } from '../../src/kernels/wasm/gemm.js';
import { createPool, MAP_SLAB } from '../../src/kernels/wasm/pool.js';
import { threadPool, threadStats } from '../../src/kernels/wasm/threads.js';
import { chosenConfig } from '../../src/kernels/wasm/gemm.js';
import { MAP_KIND } from '../../src/kernels/wasm/gemmWorker.js';
import { logSoftmaxThreaded, MAP_THREAD_MIN, mapThreaded } from '../../src/kernels/wasm/map.js';
import { MAP_OPS, type MapOp } from '../../src/kernels/cpu/transcendental.js';
import * as js from '../../src/kernels/cpu/elementwise.js';
import { logSoftmaxAxis } from '../../src/kernels/cpu/reduce.js';
import { expectSameBits } from './sameBits.js';

const initial = getNumThreads();
afterAll(() => {
  setNumThreads(initial);
  setBackend('wasm');
});

const ops = Object.keys(MAP_OPS) as MapOp[];

/** Float32 values with every special kind often enough: NaN, ±∞, ±0, subnormals, huge and tiny magnitudes, and ordinary ones. */
const values = fc.oneof(
  { weight: 6, arbitrary: fc.float({ min: -8, max: 8 }) },
  { weight: 2, arbitrary: fc.float() },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 88.7, -103.9, 6, -6, 2, -2) },
);

/** `n` values drawn from `values` with `seed`, as a float32 array (cheap enough for arrays past the thread threshold). */
function draw(n: number, seed: number): Float32Array {
  const pool = fc.sample(values, { numRuns: 4096, seed });
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = pool[(i * 2654435761) % pool.length]!;
  return out;
}

const config = GEMM_CONFIGS[0]!;
describe.skipIf(!createGemm(config).supported())('pool.map', () => {
  const pools = [2, 3].map((t) => createPool(config, t)!);
  afterAll(() => pools.forEach((p) => p.dispose()));

  it('gives the one-thread JS kernel bit for bit on 2 and 3 threads, for every function, any length and any values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.integer({ min: 2, max: 5000 }), fc.integer(), (op, n, seed) => {
        const x = draw(n, seed);
        const want = js[op](x);
        for (const pool of pools) {
          const out = new Float32Array(n);
          expect(pool.map(op, x, out)).toBe(true);
          expectSameBits(out, want);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('hands chunks to its workers once they run', async () => {
    const x = draw(1 << 16, 1);
    const want = js.tanh(x);
    for (const pool of pools) {
      // Until a deadline rather than a count: workers start late on a loaded machine.
      const deadline = Date.now() + 15_000;
      while (pool.workerChunks() === 0 && Date.now() < deadline) {
        const out = new Float32Array(x.length);
        expect(pool.map('tanh', x, out)).toBe(true);
        expectSameBits(out, want);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      expect(pool.workerChunks()).toBeGreaterThan(0);
      expect(pool.alive()).toBe(true);
    }
  });

  it('goes through arrays longer than its window slab by slab, without growing past it or restarting', () => {
    const x = draw(MAP_SLAB * 2 + 37, 9);
    const want = js.exp(x);
    const pool = pools[0]!;
    const jobs = pool.jobs();
    for (let i = 0; i < 2; i++) {
      const out = new Float32Array(x.length);
      expect(pool.map('exp', x, out)).toBe(true);
      expectSameBits(out, want);
    }
    expect(pool.jobs()).toBe(jobs + 6);
    expect(pool.alive()).toBe(true);
  });

  it('gives the one-thread log-softmax bit for bit on 2 and 3 threads, for any [outer, n, inner] and any values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (outer, n, inner, seed) => {
        const x = draw(outer * n * inner, seed);
        const want = logSoftmaxAxis(x, outer, n, inner);
        for (const pool of pools) {
          const out = new Float32Array(x.length);
          // One line (a single row) cannot be cut: the pool declines it.
          const lines = outer * inner;
          expect(pool.logSoftmax(x, out, outer, n, inner)).toBe(lines >= 2);
          if (lines >= 2) expectSameBits(out, want);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('takes log-softmax slab by slab in whole blocks, and declines one block or a block past its window', () => {
    const [n, inner] = [3000, 1];
    const outer = Math.ceil((MAP_SLAB * 2) / n) + 1;
    const x = draw(outer * n * inner, 10);
    const out = new Float32Array(x.length);
    const pool = pools[1]!;
    const jobs = pool.jobs();
    expect(pool.logSoftmax(x, out, outer, n, inner)).toBe(true);
    expectSameBits(out, logSoftmaxAxis(x, outer, n, inner));
    expect(pool.jobs()).toBe(jobs + 3);
    expect(pool.logSoftmax(x.subarray(0, n), new Float32Array(n), 1, n, 1)).toBe(false);
    // One outer block of several lines (softmax over dim 0 of a matrix) is cut by lines.
    const one = new Float32Array(n);
    expect(pool.logSoftmax(x.subarray(0, n), one, 1, n / 3, 3)).toBe(true);
    expectSameBits(one, logSoftmaxAxis(x.subarray(0, n), 1, n / 3, 3));
    expect(pool.logSoftmax(new Float32Array(2 * (MAP_SLAB + 1)), new Float32Array(2 * (MAP_SLAB + 1)), 2, MAP_SLAB + 1, 1)).toBe(false);
    expect(pool.alive()).toBe(true);
  });

  it('hands log-softmax chunks to its workers once they run', async () => {
    const [outer, n, inner] = [2048, 40, 1];
    const x = draw(outer * n * inner, 13);
    const want = logSoftmaxAxis(x, outer, n, inner);
    for (const pool of pools) {
      const before = pool.workerChunks();
      const deadline = Date.now() + 15_000;
      while (pool.workerChunks() === before && Date.now() < deadline) {
        const out = new Float32Array(x.length);
        expect(pool.logSoftmax(x, out, outer, n, inner)).toBe(true);
        expectSameBits(out, want);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      expect(pool.workerChunks()).toBeGreaterThan(before);
      expect(pool.alive()).toBe(true);
    }
  });

  it("marks its jobs with the kind the workers' code tests for (a literal there: they have only their parameters)", () => {
    expect(MAP_KIND).toBe(4);
  });
});

describe('the routed kernels (k.exp and the others on the wasm backend)', () => {
  it('split a large float32 array over the threads, with the one-thread bits', () => {
    const x = draw(MAP_THREAD_MIN + 37, 2);
    setNumThreads(2);
    const config = chosenConfig();
    // Where this host has no pool (no WebAssembly SIMD or no worker_threads), the JS kernels run instead.
    const pooled = config !== null && threadPool(config) !== null;
    for (const op of ops) {
      const jobs = threadStats().jobs;
      const got = mapThreaded(op, x);
      if (!pooled) {
        expect(got).toBeNull();
        continue;
      }
      expect(got).not.toBeNull();
      expect(threadStats().jobs).toBe(jobs + 1);
      expectSameBits(got!, js[op](x));
    }
  });

  it('split a large float32 log-softmax over the threads, with the one-thread bits', () => {
    const [outer, n, inner] = [700, 50, 2];
    const x = draw(outer * n * inner, 11);
    setNumThreads(2);
    const config = chosenConfig();
    const pooled = config !== null && threadPool(config) !== null;
    const jobs = threadStats().jobs;
    const got = logSoftmaxThreaded(x, outer, n, inner);
    if (!pooled) {
      expect(got).toBeNull();
      return;
    }
    expect(threadStats().jobs).toBe(jobs + 1);
    expectSameBits(got!, logSoftmaxAxis(x, outer, n, inner));
    expect(logSoftmaxThreaded(draw(MAP_THREAD_MIN - 1, 12), MAP_THREAD_MIN - 1, 1, 1)).toBeNull();
    expect(logSoftmaxThreaded(draw(MAP_THREAD_MIN, 12), 1, MAP_THREAD_MIN, 1)).toBeNull();
  });

  it('keep small arrays, one thread, float64 and the js backend on the calling thread', () => {
    setNumThreads(2);
    expect(mapThreaded('exp', draw(MAP_THREAD_MIN - 1, 3))).toBeNull();
    setNumThreads(1);
    expect(mapThreaded('exp', draw(MAP_THREAD_MIN, 3))).toBeNull();
    setNumThreads(2);
    const jobs = threadStats().jobs;
    const big = Array.from({ length: MAP_THREAD_MIN }, (_, i) => (i % 17) / 4 - 2);
    exp(tensor(big, { dtype: 'float64' }));
    logSoftmax(tensor(big, { dtype: 'float64' }).reshape([-1, 4]), 1);
    setBackend('js');
    exp(tensor(big));
    logSoftmax(tensor(big).reshape([-1, 4]), 1);
    setBackend('wasm');
    expect(threadStats().jobs).toBe(jobs);
  });

  it('the public ops give the same values on 1 and 2 threads, on the pool at 2', () => {
    // 65540 values: log-softmax over rows of 4 (dim 1 of [16385, 4]) and over the middle of [4, 5, 3277].
    const x = tensor(Array.from(draw(MAP_THREAD_MIN + 4, 4)));
    const run = (threads: number) => {
      setNumThreads(threads);
      return [x.exp(), x.tanh(), x.sigmoid(), x.erf(), logSoftmax(x.reshape([-1, 4]), 1), logSoftmax(x.reshape([4, 5, -1]), 1)].map((t) => t.data);
    };
    const one = run(1);
    const jobs = threadStats().jobs;
    run(2).forEach((d, i) => expectSameBits(d, one[i]!));
    const config = chosenConfig();
    if (config !== null && threadPool(config) !== null) expect(threadStats().jobs).toBe(jobs + 6);
  });
});
