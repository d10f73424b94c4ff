import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matmulInto, matmulTransposedInto } from '../../src/kernels/cpu/matmul.js';

type Arr = Float32Array | Float64Array;
const ctor = { float32: Float32Array, float64: Float64Array } as const;

// The reference: a naive triple loop over logical (row-major, untransposed) operands.
// Also returns Σ|a·b| per entry, which scales the rounding-error bound.
function naive(a: Arr, b: Arr, M: number, K: number, N: number): { value: Float64Array; absSum: Float64Array } {
  const value = new Float64Array(M * N);
  const absSum = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let t = 0;
      for (let k = 0; k < K; k++) {
        s += a[i * K + k]! * b[k * N + j]!;
        t += Math.abs(a[i * K + k]! * b[k * N + j]!);
      }
      value[i * N + j] = s;
      absSum[i * N + j] = t;
    }
  }
  return { value, absSum };
}

function transposed(x: Arr, rows: number, cols: number): Arr {
  const t = new (x.constructor as typeof Float64Array)(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c]!;
  return t;
}

// Sizes straddle the 4×4 tile and the 256-deep K block, and include 1; M·K·N stays small so a run is quick.
const dim = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 40 }));
const dims = fc.oneof(
  fc.tuple(dim, dim, dim),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 250, max: 530 }), fc.integer({ min: 1, max: 9 })),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 250, max: 530 })),
);
const caseArb = fc.record({
  dims,
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
  transA: fc.boolean(),
  transB: fc.boolean(),
  offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
  seed: fc.integer(),
});

function filled(C: typeof Float64Array, n: number, seed: number): Arr {
  const x = new C(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

describe('matmulInto / matmulTransposedInto', () => {
  it('accumulate the product of a naive triple loop, for any sizes, offsets, layouts and dtypes', () => {
    fc.assert(
      fc.property(caseArb, ({ dims: [M, K, N], dtype, transA, transB, offsets: [ao, bo, oo], seed }) => {
        const C = ctor[dtype] as typeof Float64Array;
        const a = filled(C, M * K, seed);
        const b = filled(C, K * N, seed + 1);
        const prior = filled(C, M * N, seed + 2);
        const expected = naive(a, b, M, K, N);
        // Stored operands with a leading offset and, if asked, transposed layout.
        const aStore = new C(ao + M * K);
        aStore.set(transA ? transposed(a, M, K) : a, ao);
        const bStore = new C(bo + K * N);
        bStore.set(transB ? transposed(b, K, N) : b, bo);
        const out = new C(oo + M * N + 3);
        out.set(prior, oo);
        out.fill(7, oo + M * N);
        if (!transA && !transB && ao === bo) matmulInto(aStore, ao, bStore, bo, out, oo, M, K, N);
        else matmulTransposedInto(aStore, ao, transA, bStore, bo, transB, out, oo, M, K, N);
        // Products are summed in float64; a float32 out is rounded once per 256-deep K block (plus once
        // in the reference), a float64 one accumulates at most K+2 roundings of 2^-53.
        const roundings = dtype === 'float32' ? Math.ceil(K / 256) + 1 : 0;
        for (let i = 0; i < M * N; i++) {
          const want = prior[i]! + expected.value[i]!;
          const scale = Math.abs(prior[i]!) + expected.absSum[i]!;
          const tol = scale * (roundings * 2 ** -24 + (K + 2) * 2 ** -52);
          const got = out[oo + i]!;
          if (!(Math.abs(got - want) <= tol)) {
            throw new Error(`M=${M} K=${K} N=${N} ${dtype} transA=${transA} transB=${transB}: out[${i}] = ${got}, expected ${want}`);
          }
        }
        for (let i = 0; i < oo; i++) expect(out[i]).toBe(0);
        for (let i = oo + M * N; i < out.length; i++) expect(out[i]).toBe(7);
      }),
      { numRuns: 200 },
    );
  });

  it('gives exact small-integer results through the tiled path and the edge tiles', () => {
    // 5×6 · 6×7: one full 4×4 tile plus row and column edges; integers make the result exact.
    const M = 5, K = 6, N = 7;
    const a = Float32Array.from({ length: M * K }, (_, i) => (i % 5) - 2);
    const b = Float32Array.from({ length: K * N }, (_, i) => (i % 3) - 1);
    const out = new Float32Array(M * N);
    matmulInto(a, 0, b, 0, out, 0, M, K, N);
    expect(Array.from(out)).toEqual(Array.from(naive(a, b, M, K, N).value));
  });

  it('handles a row wider than the packing buffer (a 1-row product over 70 000 columns)', () => {
    const K = 3, N = 70_000;
    const a = new Float64Array([1, -2, 0.5]);
    const b = Float64Array.from({ length: K * N }, (_, i) => (i % 7) - 3);
    const out = new Float64Array(N).fill(1);
    matmulInto(a, 0, b, 0, out, 0, 1, K, N);
    const want = naive(a, b, 1, K, N).value;
    for (let j = 0; j < N; j++) if (out[j] !== want[j]! + 1) throw new Error(`out[${j}] = ${out[j]}, expected ${want[j]! + 1}`);
  });

  it('leaves out untouched when K is 0 and does nothing for empty M or N', () => {
    const out = new Float64Array([1, 2, 3, 4]);
    matmulInto(new Float64Array(0), 0, new Float64Array(0), 0, out, 0, 2, 0, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    matmulInto(new Float64Array(0), 0, new Float64Array(6), 0, out, 0, 0, 3, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  });
});
