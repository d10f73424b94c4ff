// The threaded float32 GEMM (kernels/wasm/pool.ts) and setNumThreads/getNumThreads: the same bits
// on 1, 2 and 3 threads for random sizes, offsets and layouts (under the shipped blocking and under
// blockings small enough that modest sizes cross every block and chunk boundary), small products on
// the calling thread, no worker with one thread, and checked arguments.
import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DlError, getNumThreads, matmul, randn, setNumThreads, manualSeed } from '../../src/index.js';
import { GEMM_CONFIGS, THREAD_MIN_MACS, createGemm, gemmF32, type GemmConfig } from '../../src/kernels/wasm/gemm.js';
import { createPool } from '../../src/kernels/wasm/pool.js';
import { defaultThreadCount, threadStats } from '../../src/kernels/wasm/threads.js';
import { CLAIMED_OUT, CTRL, CTRL_BYTES, work } from '../../src/kernels/wasm/gemmWorker.js';
import { productCases, stored, type ProductCase } from './products.js';

const int = (min: number, max: number) => fc.integer({ min, max });
const initial = getNumThreads();
afterAll(() => setNumThreads(initial));

/** Whether two arrays hold the same bits (NaN included). */
function sameBits(x: Float32Array, y: Float32Array): boolean {
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

/** Runs `gemm` on a case's stored operands (random floats); returns out, or null when it declined. */
function run(gemm: typeof gemmF32, c: ProductCase): Float32Array | null {
  const s = stored(c, 'float32');
  const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
  const out = s.out.slice() as Float32Array;
  return gemm(s.aStore as Float32Array, ao, transA, s.bStore as Float32Array, bo, transB, out, oo, M, K, N) ? out : null;
}

const configs: GemmConfig[] = [
  ...GEMM_CONFIGS,
  { shape: { mr: 4, nr: 8, relaxed: false }, mc: 8, kc: 6, nc: 16 },
  { shape: { mr: 4, nr: 8, relaxed: true }, mc: 12, kc: 5, nc: 24 },
];

for (const config of configs) {
  const one = createGemm(config);
  const label = `${config.shape.relaxed ? 'relaxed, ' : ''}mc ${config.mc} kc ${config.kc} nc ${config.nc}`;
  describe.skipIf(!one.supported())(`createPool (${label})`, () => {
    const pools = [2, 3].map((t) => createPool(config, t)!);
    afterAll(() => pools.forEach((p) => p.dispose()));
    const dims = fc.oneof(
      fc.tuple(int(1, 40), int(1, 40), int(1, 40)),
      fc.tuple(int(1, 3 * config.mc + 9), int(1, 2 * config.kc + 5), int(1, 2 * config.nc + 17)).filter(([M, K, N]) => M * K * N <= 2_000_000),
      fc.constantFrom<[number, number, number]>([1, 1, 1], [4, 3, 8], [5, 7, 9], [1, 300, 17], [130, 1, 1], [8, 16, 2100]),
    );

    it('starts its workers', () => {
      expect(pools.map((p) => p.workers())).toEqual([1, 2]);
    });

    it('hands chunks to its workers once they run (the calling thread takes them all before)', async () => {
      const c = { M: 256, K: 64, N: 256 };
      const a = new Float32Array(c.M * c.K).fill(1), b = new Float32Array(c.K * c.N).fill(1);
      for (const pool of pools) {
        for (let i = 0; i < 500 && pool.workerChunks() === 0; i++) {
          const out = new Float32Array(c.M * c.N);
          expect(pool.gemm(a, 0, false, b, 0, false, out, 0, c.M, c.K, c.N)).toBe(true);
          expect(out.every((v) => v === c.K)).toBe(true);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        expect(pool.workerChunks()).toBeGreaterThan(0);
      }
    });

    it('gives the one-thread result bit for bit on 2 and 3 threads, for any sizes, offsets and layouts', () => {
      fc.assert(
        fc.property(productCases(dims), (c) => {
          const want = run(one.gemm, c)!;
          for (const pool of pools) {
            const got = run(pool.gemm, c);
            // A product of a single register tile is not cut: the pool declines it.
            const [M, , N] = c.dims;
            if (got === null) {
              if (Math.ceil(M / config.shape.mr) >= 2 || Math.ceil(N / config.shape.nr) >= 2) throw new Error(`declined ${c.dims.join('×')}`);
              continue;
            }
            if (!sameBits(got, want)) throw new Error(`${pool.threads} threads, ${c.dims.join('×')} transA=${c.transA} transB=${c.transB}: bits differ`);
          }
        }),
        { numRuns: 80 },
      );
    });
  });
}

describe('the control words', () => {
  it('fit in the bytes reserved for them, before the first thread\'s scratch', () => {
    expect(CTRL.WORDS * 4).toBeLessThanOrEqual(CTRL_BYTES);
    expect(Math.max(...Object.values(CTRL).filter((v) => v !== CTRL.WORDS))).toBeLessThan(CTRL.WORDS);
  });
});

describe('setNumThreads / getNumThreads', () => {
  const big = (seed: number): ProductCase => ({ dims: [512, 516, 520], transA: seed % 2 === 1, transB: seed % 3 === 1, offsets: [seed % 5, 1, 2], seed });

  it('defaults to the core count, or DL_NUM_THREADS', () => {
    const saved = process.env['DL_NUM_THREADS'];
    try {
      delete process.env['DL_NUM_THREADS'];
      expect(defaultThreadCount()).toBe(os.availableParallelism());
      process.env['DL_NUM_THREADS'] = '3';
      expect(defaultThreadCount()).toBe(3);
      process.env['DL_NUM_THREADS'] = 'many';
      expect(defaultThreadCount()).toBe(os.availableParallelism());
    } finally {
      if (saved === undefined) delete process.env['DL_NUM_THREADS'];
      else process.env['DL_NUM_THREADS'] = saved;
    }
  });

  it('sets the count, and gemmF32 gives the same bits on 1, 2 and 3 threads', () => {
    expect(512 * 516 * 520).toBeGreaterThanOrEqual(THREAD_MIN_MACS);
    for (let seed = 0; seed < 6; seed++) {
      const results = [1, 2, 3].map((t) => {
        setNumThreads(t);
        expect(getNumThreads()).toBe(t);
        const jobs = threadStats().jobs;
        const out = run(gemmF32, big(seed))!;
        expect(threadStats().jobs - jobs).toBe(t === 1 ? 0 : 1);
        return out;
      });
      expect(sameBits(results[1]!, results[0]!)).toBe(true);
      expect(sameBits(results[2]!, results[0]!)).toBe(true);
    }
  });

  it('gives matmul (forward and backward) the same bits on 1 and 2 threads', () => {
    const compute = (t: number) => {
      setNumThreads(t);
      manualSeed(7);
      const a = randn([2, 512, 516], { requiresGrad: true });
      const b = randn([516, 520], { requiresGrad: true });
      expect(512 * 516 * 520).toBeGreaterThanOrEqual(THREAD_MIN_MACS);
      const jobs = threadStats().jobs;
      const y = matmul(a, b);
      y.sum().backward();
      expect(threadStats().jobs > jobs).toBe(t > 1);
      return [y, a.grad!, b.grad!].map((x) => x.data as Float32Array);
    };
    const [one, two] = [compute(1), compute(2)];
    one.forEach((x, i) => expect(sameBits(two[i]!, x)).toBe(true));
  });

  it('keeps small products on the calling thread', () => {
    setNumThreads(2);
    const jobs = threadStats().jobs;
    run(gemmF32, { dims: [32, 32, 32], transA: false, transB: false, offsets: [0, 0, 0], seed: 1 });
    expect(threadStats().jobs).toBe(jobs);
  });

  it('parks its pool at one thread and takes it up again at the same count, starting no new worker', () => {
    setNumThreads(2);
    run(gemmF32, big(3));
    const { workersStarted } = threadStats();
    setNumThreads(1);
    setNumThreads(2);
    const jobs = threadStats().jobs;
    run(gemmF32, big(3));
    expect(threadStats()).toMatchObject({ workersStarted, jobs: jobs + 1 });
  });

  it('starts no worker with one thread', () => {
    setNumThreads(1);
    const { workersStarted, jobs, workerChunks } = threadStats();
    run(gemmF32, big(3));
    expect(threadStats()).toEqual({ workersStarted, jobs, workerChunks });
  });

  it('rejects a count that is not a positive integer, naming setNumThreads', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '2', undefined]) {
      expect(() => (setNumThreads as (n: unknown) => void)(bad)).toThrow(DlError);
      expect(() => (setNumThreads as (n: unknown) => void)(bad)).toThrow(/setNumThreads/);
    }
  });
});

describe('the chunk-claim protocol (gemmWorker.work)', () => {
  const blocking = { mr: 4, nr: 8, mc: 8, kc: 8, nc: 8 };
  const scratch = { tile: 0, packedA: 0, packedB: 0, bytes: 0 };
  /** Control words with a job of `chunks` chunks, the claim word as given; and work() with a recording run. */
  function setup(claim: number, chunks: number) {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.WORDS * 4));
    Atomics.store(ctrl, CTRL.CHUNKS, chunks);
    Atomics.store(ctrl, CTRL.CHUNK, 4);
    Atomics.store(ctrl, CTRL.M, 4 * chunks);
    Atomics.store(ctrl, CTRL.BY_ROWS, 1);
    Atomics.store(ctrl, CTRL.CLAIM, claim);
    const ran: number[] = [];
    const record = ((_w: unknown, _s: unknown, _b: unknown, a: number) => void ran.push(a)) as unknown as Parameters<typeof work>[5];
    return { ctrl, ran, go: () => work({} as never, ctrl, 1, blocking, scratch, record, CTRL) };
  }

  it('takes every chunk of a published job once, and counts them done', () => {
    const { ctrl, ran, go } = setup(5 << 16, 3);
    expect(go()).toBe(3);
    expect(ran.length).toBe(3);
    expect(Atomics.load(ctrl, CTRL.DONE)).toBe(3);
    expect(Atomics.load(ctrl, CTRL.CLAIM) & 0xffff).toBe(3);
  });

  it('claims nothing while the calling thread writes a job (the claim word marked exhausted), whatever CHUNKS says', () => {
    // A thread woken for the previous job that arrives late: before the fix it read the new job's
    // CHUNKS against the old job's spent claim word and computed a chunk with half-written operands.
    const { ctrl, ran, go } = setup((6 << 16) | CLAIMED_OUT, 40);
    expect(go()).toBe(0);
    expect(ran).toEqual([]);
    expect(Atomics.load(ctrl, CTRL.DONE)).toBe(0);
  });
});
