import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gemmF32, wasmGemmSupported } from '../../src/kernels/wasm/gemm.js';
import { checkUntouchedAround, gamma, productCases, stored, type ProductCase } from './products.js';

const int = (min: number, max: number) => fc.integer({ min, max });
// Sizes cover one tile, the 4×8 register tile's row and column edges, and each blocking boundary of
// gemm.ts (K across 256-deep slices, M across 128-row blocks, N across 512-column blocks), with 1.
const dims = fc.oneof(
  fc.tuple(int(1, 20), int(1, 20), int(1, 20)),
  fc.tuple(int(1, 9), int(250, 530), int(1, 12)),
  fc.tuple(int(120, 140), int(1, 12), int(1, 12)),
  fc.tuple(int(1, 6), int(1, 8), int(500, 530)),
);
const cases = productCases(dims);

/** Runs gemmF32 on the stored operands of `c`; returns them with out after the call. */
function compute(c: ProductCase, ints = false) {
  const s = stored(c, 'float32', ints);
  const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
  const ok = gemmF32(s.aStore as Float32Array, ao, transA, s.bStore as Float32Array, bo, transB, s.out as Float32Array, oo, M, K, N);
  if (!ok) throw new Error('gemmF32 declined');
  return s;
}

describe('gemmF32 (the WebAssembly SIMD kernel)', () => {
  it('is available in Node', () => {
    expect(wasmGemmSupported()).toBe(true);
  });

  it('accumulates the product within float32 rounding, for any sizes, offsets and layouts', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const { dims: [M, K, N], transA, transB, offsets: [, , oo] } = c;
        const { prior, out, expected, aStore, bStore } = compute(c);
        const before = stored(c, 'float32');
        // Each out is prior + Σ_k a_k·b_k evaluated in float32: K rounded products and K additions in
        // some order, so each term meets at most K+1 roundings of u = 2^-24 and the error is at most
        // γ(K+1)·(|prior| + Σ|a_k·b_k|). The float64 reference (exact products of float32 inputs)
        // adds at most γ(K+1) with u = 2^-53 of the same scale.
        const bound = gamma(K + 1, 2 ** -24) + gamma(K + 1, 2 ** -53);
        for (let i = 0; i < M * N; i++) {
          const want = prior[i]! + expected.value[i]!;
          const tol = bound * (Math.abs(prior[i]!) + expected.absSum[i]!);
          const got = out[oo + i]!;
          if (!(Math.abs(got - want) <= tol)) {
            throw new Error(`M=${M} K=${K} N=${N} transA=${transA} transB=${transB}: out[${i}] = ${got}, expected ${want} ± ${tol}`);
          }
        }
        checkUntouchedAround(out, oo, M * N);
        expect(aStore).toEqual(before.aStore);
        expect(bStore).toEqual(before.bStore);
      }),
      { numRuns: 150 },
    );
  });

  it('is exact on small integers, so every product lands in its own entry exactly once', () => {
    // With entries in [-4, 3] and K ≤ 530 every partial sum is an integer below 2^24: no rounding at all.
    fc.assert(
      fc.property(cases, (c) => {
        const { dims: [M, , N], offsets: [, , oo] } = c;
        const { prior, out, expected } = compute(c, true);
        for (let i = 0; i < M * N; i++) {
          if (out[oo + i] !== prior[i]! + expected.value[i]!) {
            throw new Error(`M=${c.dims} transA=${c.transA} transB=${c.transB}: out[${i}] = ${out[oo + i]}, expected ${prior[i]! + expected.value[i]!}`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('grows its memory for a product larger than any before and stays exact before and after', () => {
    for (const dims of [[7, 9, 11], [300, 310, 290], [5, 6, 13]] as [number, number, number][]) {
      const c: ProductCase = { dims, transA: false, transB: true, offsets: [3, 0, 1], seed: 11 };
      const { prior, out, expected } = compute(c, true);
      const [M, , N] = dims;
      for (let i = 0; i < M * N; i++) if (out[1 + i] !== prior[i]! + expected.value[i]!) throw new Error(`${dims}: out[${i}] = ${out[1 + i]}`);
    }
  });

  it('propagates NaN and Infinity to the rows they meet, as the float arithmetic does', () => {
    // 6×5 · 5×10 covers a full tile and edge tiles; zero padding must not leak NaN into real entries.
    const M = 6, K = 5, N = 10;
    const a = new Float32Array(M * K).fill(1);
    const b = new Float32Array(K * N).fill(1);
    a[1 * K + 2] = NaN;
    a[5 * K + 0] = Infinity;
    const out = new Float32Array(M * N);
    expect(gemmF32(a, 0, false, b, 0, false, out, 0, M, K, N)).toBe(true);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const want = i === 1 ? NaN : i === 5 ? Infinity : K;
        expect(out[i * N + j]).toBe(want);
      }
    }
  });

  it('with zeroed, gives the bits of a product into zeros whatever out held, and nothing outside its block', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
        const s = stored(c, 'float32');
        const into = (out: Float32Array, zeroed: boolean) =>
          gemmF32(s.aStore as Float32Array, ao, transA, s.bStore as Float32Array, bo, transB, out, oo, M, K, N, zeroed);
        const zeros = new Float32Array(s.out.length);
        const stale = (s.out as Float32Array).slice();
        expect(into(zeros, false)).toBe(true);
        expect(into(stale, true)).toBe(true);
        expect(stale.subarray(oo, oo + M * N)).toEqual(zeros.subarray(oo, oo + M * N));
        expect(stale.subarray(0, oo)).toEqual((s.out as Float32Array).subarray(0, oo));
        expect(stale.subarray(oo + M * N)).toEqual((s.out as Float32Array).subarray(oo + M * N));
      }),
      { numRuns: 60 },
    );
  });

  it('leaves out untouched when K is 0 and does nothing for empty M or N', () => {
    const out = new Float32Array([1, 2, 3, 4]);
    expect(gemmF32(new Float32Array(0), 0, false, new Float32Array(0), 0, false, out, 0, 2, 0, 2)).toBe(true);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    expect(gemmF32(new Float32Array(0), 0, true, new Float32Array(6), 0, false, out, 0, 0, 3, 2)).toBe(true);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  });
});
