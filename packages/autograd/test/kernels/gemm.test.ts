// The WebAssembly GEMM under every configuration it can be built with: the shipped ones
// (GEMM_CONFIGS), other tile shapes, and blockings small enough that modest sizes cross every
// block boundary. Each is checked against the JS kernel (exactly, on small integers) and against
// the float64 reference (within float32 rounding, on random values), over random sizes, offsets and
// both layouts of each operand. wasm.test.ts covers gemmF32 itself.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as js from '../../src/kernels/cpu/matmul.js';
import { GEMM_CONFIGS, createGemm, gemmF32, type GemmConfig } from '../../src/kernels/wasm/gemm.js';
import { checkUntouchedAround, gamma, productCases, stored, type ProductCase } from './products.js';

const int = (min: number, max: number) => fc.integer({ min, max });

/** Sizes for a blocking: around one tile, across several mc/kc/nc blocks, and 1 and primes. */
function dimsFor({ mc, kc, nc }: GemmConfig) {
  return fc.oneof(
    fc.tuple(int(1, 13), int(1, 13), int(1, 13)),
    fc.tuple(int(1, 3 * mc + 5), int(1, 3 * kc + 5), int(1, 2 * nc + 9)).filter(([M, K, N]) => M * K * N <= 400_000),
    fc.constantFrom<[number, number, number]>([1, 1, 1], [1, 7, 1], [17, 1, 31], [3, 5, 7], [13, 11, 2], [31, 29, 37]),
  );
}

const label = (g: GemmConfig) =>
  `${g.shape.mr}×${g.shape.nr}${g.shape.relaxed ? ' relaxed' : ''}, mc ${g.mc} kc ${g.kc} nc ${g.nc}`;

const configs: GemmConfig[] = [
  ...GEMM_CONFIGS,
  // Small blocks: edge stripes inside M, thin k slices, several N slices.
  { shape: { mr: 4, nr: 8, relaxed: false }, mc: 8, kc: 6, nc: 16 },
  { shape: { mr: 4, nr: 8, relaxed: true }, mc: 12, kc: 5, nc: 24 },
  // Other tile shapes: heights not a multiple of 4 take the scalar packing paths.
  { shape: { mr: 3, nr: 12, relaxed: false }, mc: 9, kc: 7, nc: 36 },
  { shape: { mr: 5, nr: 8, relaxed: false }, mc: 10, kc: 9, nc: 16 },
  { shape: { mr: 8, nr: 4, relaxed: false }, mc: 16, kc: 8, nc: 12 },
  { shape: { mr: 1, nr: 16, relaxed: false }, mc: 3, kc: 4, nc: 32 },
];

for (const config of configs) {
  const g = createGemm(config);
  // Relaxed SIMD needs a runtime that has it (Node 22+, Chrome 114+); Node 20 rejects the module.
  describe.skipIf(!g.supported())(`createGemm(${label(config)})`, () => {
    const cases = productCases(dimsFor(config));
    const run = (c: ProductCase, ints: boolean) => {
      const s = stored(c, 'float32', ints);
      const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
      const out = s.out.slice() as Float32Array;
      expect(g.gemm(s.aStore as Float32Array, ao, transA, s.bStore as Float32Array, bo, transB, out, oo, M, K, N)).toBe(true);
      return { s, out };
    };

    it('gives the JS kernel\'s result exactly on small integers (every product lands once, in its entry)', () => {
      fc.assert(
        fc.property(cases, (c) => {
          const { s, out } = run(c, true);
          const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
          const want = s.out.slice();
          js.matmulTransposedInto(s.aStore, ao, transA, s.bStore, bo, transB, want, oo, M, K, N);
          for (let i = 0; i < want.length; i++) {
            if (out[i] !== want[i]) throw new Error(`M=${M} K=${K} N=${N} transA=${transA} transB=${transB}: out[${i}] = ${out[i]}, JS ${want[i]}`);
          }
          checkUntouchedAround(out, oo, M * N);
        }),
        { numRuns: 60 },
      );
    });

    it('accumulates random products within float32 rounding of the float64 reference', () => {
      fc.assert(
        fc.property(cases, (c) => {
          const { s, out } = run(c, false);
          const { dims: [M, K, N], offsets: [, , oo] } = c;
          // As in wasm.test.ts: at most K+1 float32 roundings per entry (fused or not), plus the reference's.
          const bound = gamma(K + 1, 2 ** -24) + gamma(K + 1, 2 ** -53);
          for (let i = 0; i < M * N; i++) {
            const want = s.prior[i]! + s.expected.value[i]!;
            const tol = bound * (Math.abs(s.prior[i]!) + s.expected.absSum[i]!);
            if (!(Math.abs(out[oo + i]! - want) <= tol)) throw new Error(`M=${M} K=${K} N=${N}: out[${i}] = ${out[oo + i]}, expected ${want} ± ${tol}`);
          }
        }),
        { numRuns: 40 },
      );
    });
  });
}

describe('the packing paths', () => {
  // Each operand layout has its own packing path (vector copy, 4×4 transposes with a k remainder,
  // scalar edge stripes); K from 1 to 9 covers every remainder of the transposes.
  it('agree with the JS kernel for every layout, K remainder and edge, through gemmF32', () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (let K = 1; K <= 9; K++) {
          for (const [M, N] of [[4, 8], [5, 9], [12, 24], [3, 7], [9, 17]] as [number, number][]) {
            const c: ProductCase = { dims: [M, K, N], transA, transB, offsets: [1, 2, 3], seed: 7 * K + M };
            const s = stored(c, 'float32', true);
            const out = s.out.slice() as Float32Array;
            const want = s.out.slice();
            expect(gemmF32(s.aStore as Float32Array, 1, transA, s.bStore as Float32Array, 2, transB, out, 3, M, K, N)).toBe(true);
            js.matmulTransposedInto(s.aStore, 1, transA, s.bStore, 2, transB, want, 3, M, K, N);
            expect(Array.from(out), `M=${M} K=${K} N=${N} transA=${transA} transB=${transB}`).toEqual(Array.from(want));
          }
        }
      }
    }
  });
});

describe('GEMM_CONFIGS', () => {
  it('lists a relaxed-SIMD configuration first and a plain one this runtime supports after it', () => {
    expect(GEMM_CONFIGS[0]!.shape.relaxed).toBe(true);
    const plain = GEMM_CONFIGS.find((g) => !g.shape.relaxed)!;
    expect(createGemm(plain).supported()).toBe(true);
  });

  it('gemmF32 runs the first supported one (the relaxed kernel where the runtime has relaxed SIMD)', () => {
    // The two differ only in rounding (fused or not), so compare against each on random values.
    const first = GEMM_CONFIGS.map(createGemm).find((g) => g.supported())!;
    const c: ProductCase = { dims: [37, 300, 45], transA: false, transB: true, offsets: [0, 1, 2], seed: 3 };
    const s = stored(c, 'float32');
    const viaF32 = s.out.slice() as Float32Array;
    const viaFirst = s.out.slice() as Float32Array;
    gemmF32(s.aStore as Float32Array, 0, false, s.bStore as Float32Array, 1, true, viaF32, 2, 37, 300, 45);
    first.gemm(s.aStore as Float32Array, 0, false, s.bStore as Float32Array, 1, true, viaFirst, 2, 37, 300, 45);
    expect(viaF32).toEqual(viaFirst);
  });
});
