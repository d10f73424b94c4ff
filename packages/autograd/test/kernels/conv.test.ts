import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import * as ref from '../../src/kernels/cpu/conv.js';
import { CONV_THREAD_MIN_MACS, conv2dInputWasm, conv2dWasm, conv2dWeightWasm } from '../../src/kernels/wasm/conv.js';
import { GEMM_CONFIGS, createGemm } from '../../src/kernels/wasm/gemm.js';
import { createPool } from '../../src/kernels/wasm/pool.js';
import { CONV_KIND } from '../../src/kernels/wasm/gemmWorker.js';
import { threadStats } from '../../src/kernels/wasm/threads.js';
import type { Window2d } from '../../src/kernels/cpu/im2col.js';

// The fused WebAssembly convolution (im2col and col2im inside wasm memory, next to the product) against
// the reference (cpu/conv.ts: the same columns, the same GEMM through copies, col2im in JS): the same
// arithmetic in the same order, so the same bits, for any window and for sizes across the GEMM's tiles.

const int = (min: number, max: number) => fc.integer({ min, max });
const initialThreads = getNumThreads();
const axis = fc.record({ size: int(1, 12), k: int(1, 4), s: int(1, 3), p: int(0, 3), d: int(1, 2) })
  .filter(({ size, k, p, d }) => d * (k - 1) + 1 <= size + 2 * p);
const geometry = fc.record({ N: int(1, 3), C: int(1, 5), O: int(4, 11), h: axis, w: axis }).map(({ N, C, O, h, w }) => {
  const out = (a: typeof h) => Math.floor((a.size + 2 * a.p - a.d * (a.k - 1) - 1) / a.s) + 1;
  const g: Window2d = { N, C, H: h.size, W: w.size, kh: h.k, kw: w.k, sh: h.s, sw: w.s, ph: h.p, pw: w.p, dh: h.d, dw: w.d, oh: out(h), ow: out(w) };
  return { g, O };
  // Products of fewer than 512 multiply-adds go to the JS GEMM in the reference (kernels/matmul.ts); all
  // three products of a convolution have O·C·kh·kw·oh·ow of them. The op tests compare the small ones.
}).filter(({ g, O }) => O * g.C * g.kh * g.kw * g.oh * g.ow >= 512);

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

describe('the fused WebAssembly convolution kernels', () => {
  it('give the reference kernels\' bits: forward, input gradient and weight gradient', () => {
    fc.assert(
      fc.property(geometry, int(0, 1000), ({ g, O }, seed) => {
        const rows = g.C * g.kh * g.kw;
        const x = random(g.N * g.C * g.H * g.W, seed);
        const w = random(O * rows, seed + 1);
        const dy = random(g.N * O * g.oh * g.ow, seed + 2);
        const bias = seed % 2 === 0 ? random(O, seed + 3) : null;
        // Stale values in the outputs must not leak in: each kernel overwrites its output.
        const y = new Float32Array(g.N * O * g.oh * g.ow).fill(7);
        const dx = new Float32Array(x.length).fill(7);
        const dw = new Float32Array(w.length).fill(7);
        expect(conv2dWasm(x, w, bias, g, O, y)).toBe(true);
        expect(conv2dInputWasm(dy, w, g, O, dx)).toBe(true);
        expect(conv2dWeightWasm(x, dy, g, O, dw)).toBe(true);
        expect(y).toEqual(ref.conv2d(x, w, bias, g, O));
        expect(dx).toEqual(ref.conv2dInput(dy, w, g, O));
        expect(dw).toEqual(ref.conv2dWeight(x, dy, g, O));
      }),
      { numRuns: 60 },
    );
  });

  it('at the bench size, where products span several register tiles and K slices', () => {
    const g: Window2d = { N: 2, C: 16, H: 28, W: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: 28, ow: 28 };
    const O = 32;
    const x = random(2 * 16 * 28 * 28, 1);
    const w = random(O * 144, 2);
    const dy = random(2 * O * 28 * 28, 3);
    const bias = random(O, 4);
    const [y, dx, dw] = [new Float32Array(dy.length), new Float32Array(x.length), new Float32Array(w.length)];
    expect(conv2dWasm(x, w, bias, g, O, y) && conv2dInputWasm(dy, w, g, O, dx) && conv2dWeightWasm(x, dy, g, O, dw)).toBe(true);
    expect(y).toEqual(ref.conv2d(x, w, bias, g, O));
    expect(dx).toEqual(ref.conv2dInput(dy, w, g, O));
    expect(dw).toEqual(ref.conv2dWeight(x, dy, g, O));
  });
});

describe('the convolution kernels on several threads', () => {
  const config = GEMM_CONFIGS.find((c) => createGemm(c).supported())!;
  const pools = [2, 3].map((t) => createPool(config, t)!);
  afterAll(() => {
    pools.forEach((p) => p.dispose());
    setNumThreads(initialThreads);
  });
  const batches = geometry.filter(({ g }) => g.N >= 2);

  it('split the images over 2 and 3 threads and give the one-thread bits', () => {
    fc.assert(
      fc.property(batches, int(0, 1000), fc.boolean(), ({ g, O }, seed, withBias) => {
        const rows = g.C * g.kh * g.kw;
        const L = g.oh * g.ow;
        const x = random(g.N * g.C * g.H * g.W, seed);
        const w = random(O * rows, seed + 1);
        const dy = random(g.N * O * L, seed + 2);
        const bias = withBias ? random(O, seed + 3) : null;
        const nan = (n: number) => new Float32Array(n).fill(NaN);
        for (const pool of pools) {
          // A job on NaN inputs first leaves NaN where this geometry's outputs, columns and sums go in the
          // shared memory: each chunk must start its own outputs (bias or zeros) for the results below to hold.
          pool.conv(CONV_KIND.FORWARD, g, O, { w: nan(w.length), x: nan(x.length), y: new Float32Array(g.N * O * L), bias: nan(O) });
          pool.conv(CONV_KIND.INPUT, g, O, { w: nan(w.length), y: nan(dy.length), dx: new Float32Array(x.length) });
          pool.conv(CONV_KIND.WEIGHT, g, O, { w: nan(w.length), x: nan(x.length), y: nan(dy.length), dw: new Float32Array(g.N * O * rows) });
          const y = new Float32Array(g.N * O * L);
          const dx = new Float32Array(x.length);
          const each = new Float32Array(g.N * O * rows);
          expect(pool.conv(CONV_KIND.FORWARD, g, O, { w, x, y, bias })).toBe(true);
          expect(pool.conv(CONV_KIND.INPUT, g, O, { w, y: dy, dx })).toBe(true);
          expect(pool.conv(CONV_KIND.WEIGHT, g, O, { w, x, y: dy, dw: each })).toBe(true);
          expect(y).toEqual(ref.conv2d(x, w, bias, g, O));
          expect(dx).toEqual(ref.conv2dInput(dy, w, g, O));
          // Image n's weight gradient alone is the reference on that image.
          const n = seed % g.N;
          const one = { ...g, N: 1 };
          const alone = ref.conv2dWeight(x.subarray(n * g.C * g.H * g.W, (n + 1) * g.C * g.H * g.W), dy.subarray(n * O * L, (n + 1) * O * L), one, O);
          expect(each.subarray(n * O * rows, (n + 1) * O * rows)).toEqual(alone);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('through setNumThreads: a convolution large enough to split gives the same bits on 1 and 2 threads', () => {
    const g: Window2d = { N: 8, C: 16, H: 28, W: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, oh: 28, ow: 28 };
    const O = 32;
    expect(g.N * O * 144 * 784).toBeGreaterThanOrEqual(CONV_THREAD_MIN_MACS);
    const x = random(8 * 16 * 28 * 28, 5);
    const w = random(O * 144, 6);
    const bias = random(O, 7);
    const dy = random(8 * O * 28 * 28, 8);
    const runAll = (threads: number) => {
      setNumThreads(threads);
      const [y, dx, dw] = [new Float32Array(dy.length), new Float32Array(x.length), new Float32Array(w.length)];
      expect(conv2dWasm(x, w, bias, g, O, y) && conv2dInputWasm(dy, w, g, O, dx) && conv2dWeightWasm(x, dy, g, O, dw)).toBe(true);
      return [y, dx, dw];
    };
    const jobs = threadStats().jobs;
    const two = runAll(2);
    expect(threadStats().jobs).toBe(jobs + 3);
    expect(two).toEqual(runAll(1));
  });
});
