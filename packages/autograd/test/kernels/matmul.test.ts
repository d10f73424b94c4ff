import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import * as js from '../../src/kernels/cpu/matmul.js';
import * as dispatch from '../../src/kernels/matmul.js';
import { gemmF32, wasmGemmSupported } from '../../src/kernels/wasm/gemm.js';
import { k } from '../../src/kernels/index.js';
import { checkUntouchedAround, naive, productCases, stored, type DType, type ProductCase, type Stored } from './products.js';

// Sizes straddle the 4×4 tile and the 256-deep K block, and include 1; M·K·N stays small so a run is quick.
const dim = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 40 }));
const dims = fc.oneof(
  fc.tuple(dim, dim, dim),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 250, max: 530 }), fc.integer({ min: 1, max: 9 })),
  fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 250, max: 530 })),
);
const dtypeArb = fc.constantFrom<DType>('float32', 'float64');

describe('the JS kernel (cpu/matmul: float64, and the float32 fallback)', () => {
  it('accumulates the product of a naive triple loop, for any sizes, offsets, layouts and dtypes', () => {
    fc.assert(
      fc.property(productCases(dims), dtypeArb, (c, dtype) => {
        const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
        const { prior, aStore, bStore, out, expected } = stored(c, dtype);
        if (!transA && !transB && ao === bo) js.matmulInto(aStore, ao, bStore, bo, out, oo, M, K, N);
        else js.matmulTransposedInto(aStore, ao, transA, bStore, bo, transB, out, oo, M, K, N);
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
        checkUntouchedAround(out, oo, M * N);
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
    js.matmulInto(a, 0, b, 0, out, 0, M, K, N);
    expect(Array.from(out)).toEqual(Array.from(naive(a, b, M, K, N).value));
  });

  it('handles a row wider than the packing buffer (a 1-row product over 70 000 columns)', () => {
    const K = 3, N = 70_000;
    const a = new Float64Array([1, -2, 0.5]);
    const b = Float64Array.from({ length: K * N }, (_, i) => (i % 7) - 3);
    const out = new Float64Array(N).fill(1);
    js.matmulInto(a, 0, b, 0, out, 0, 1, K, N);
    const want = naive(a, b, 1, K, N).value;
    for (let j = 0; j < N; j++) if (out[j] !== want[j]! + 1) throw new Error(`out[${j}] = ${out[j]}, expected ${want[j]! + 1}`);
  });

  it('leaves out untouched when K is 0 and does nothing for empty M or N', () => {
    const out = new Float64Array([1, 2, 3, 4]);
    js.matmulInto(new Float64Array(0), 0, new Float64Array(0), 0, out, 0, 2, 0, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    js.matmulInto(new Float64Array(0), 0, new Float64Array(6), 0, out, 0, 0, 3, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
  });
});

// kernels/matmul.ts sends float32 products of at least 8·8·8 multiply-adds to wasm, the rest to JS.
const WASM_MIN_MACS = 512;

/** Runs `fn` (a matmulTransposedInto) on a fresh copy of the case's out and returns that out. */
function run(fn: typeof js.matmulTransposedInto, s: Stored, c: ProductCase): Float32Array | Float64Array {
  const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo] } = c;
  const out = s.out.slice();
  fn(s.aStore, ao, transA, s.bStore, bo, transB, out, oo, M, K, N);
  return out;
}

// gemmF32 as a matmulTransposedInto that must not decline.
const wasmGemmInto: typeof js.matmulTransposedInto = (a, aOff, transA, b, bOff, transB, out, oOff, M, K, N) => {
  if (!gemmF32(a as Float32Array, aOff, transA, b as Float32Array, bOff, transB, out as Float32Array, oOff, M, K, N)) {
    throw new Error('gemmF32 declined a float32 product');
  }
};

describe('matmulInto / matmulTransposedInto (kernels/matmul: the one ops call)', () => {
  it('are the kernels ops use', () => {
    expect(k.matmulInto).toBe(dispatch.matmulInto);
    expect(k.matmulTransposedInto).toBe(dispatch.matmulTransposedInto);
  });

  it('run on WebAssembly SIMD in Node (else every float32 product would silently take the JS kernel)', () => {
    expect(wasmGemmSupported()).toBe(true);
  });

  it('give float64 products bit for bit as the JS kernel does', () => {
    fc.assert(
      fc.property(productCases(dims), (c) => {
        const s = stored(c, 'float64');
        expect(run(dispatch.matmulTransposedInto, s, c)).toEqual(run(js.matmulTransposedInto, s, c));
      }),
      { numRuns: 50 },
    );
  });

  it('send float32 products to the wasm kernel, and tiny ones to the JS kernel, bit for bit', () => {
    fc.assert(
      fc.property(productCases(dims), (c) => {
        const s = stored(c, 'float32');
        const [M, K, N] = c.dims;
        const chosen = M * K * N >= WASM_MIN_MACS ? wasmGemmInto : js.matmulTransposedInto;
        expect(run(dispatch.matmulTransposedInto, s, c)).toEqual(run(chosen, s, c));
        if (!c.transA && !c.transB) {
          const out = s.out.slice();
          dispatch.matmulInto(s.aStore, c.offsets[0], s.bStore, c.offsets[1], out, c.offsets[2], M, K, N);
          expect(out).toEqual(run(chosen, s, c));
        }
      }),
      { numRuns: 50 },
    );
  });

  describe('in a runtime without WebAssembly', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
      vi.resetModules();
    });

    it('fall back to the JS kernel for float32 products', async () => {
      vi.stubGlobal('WebAssembly', undefined);
      vi.resetModules();
      const fresh = await import('../../src/kernels/matmul.js');
      const wasm = await import('../../src/kernels/wasm/gemm.js');
      expect(wasm.wasmGemmSupported()).toBe(false);
      const c: ProductCase = { dims: [33, 300, 19], transA: true, transB: false, offsets: [1, 2, 3], seed: 5 };
      const s = stored(c, 'float32');
      const out = s.out.slice();
      expect(wasm.gemmF32(s.aStore as Float32Array, 1, true, s.bStore as Float32Array, 2, false, out as Float32Array, 3, 33, 300, 19)).toBe(false);
      expect(out).toEqual(s.out);
      expect(run(fresh.matmulTransposedInto, s, c)).toEqual(run(js.matmulTransposedInto, s, c));
    });

    it('fall back to the JS kernel when compiling is refused (a page whose CSP forbids wasm)', async () => {
      const Real = WebAssembly;
      vi.stubGlobal('WebAssembly', {
        ...Real,
        validate: Real.validate,
        Module: function refused() {
          throw new Real.CompileError('WebAssembly.Module(): Wasm code generation disallowed by embedder');
        },
      });
      vi.resetModules();
      const fresh = await import('../../src/kernels/matmul.js');
      const wasm = await import('../../src/kernels/wasm/gemm.js');
      expect(wasm.wasmGemmSupported()).toBe(false);
      const c: ProductCase = { dims: [16, 16, 16], transA: false, transB: false, offsets: [0, 0, 0], seed: 6 };
      const s = stored(c, 'float32');
      expect(run(fresh.matmulTransposedInto, s, c)).toEqual(run(js.matmulTransposedInto, s, c));
    });
  });

  it('a product that needs unusually much wasm memory is computed, and products after the memory is dropped still work', async () => {
    vi.resetModules();
    const wasm = await import('../../src/kernels/wasm/gemm.js');
    const M = 4100;
    const K = 4100;
    const N = 1;
    const a = new Float32Array(M * K).fill(0.5);
    const b = new Float32Array(K * N).fill(2);
    const out = new Float32Array(M * N);
    expect(wasm.gemmF32(a, 0, false, b, 0, false, out, 0, M, K, N)).toBe(true);
    expect(out.every((v) => v === K)).toBe(true);
    // The next (small) call compiles a fresh instance whose memory starts small again.
    const small = new Float32Array(64);
    expect(wasm.gemmF32(new Float32Array(64).fill(1), 0, false, new Float32Array(64).fill(1), 0, false, small, 0, 8, 8, 8)).toBe(true);
    expect(small.every((v) => v === 8)).toBe(true);
    vi.resetModules();
  });
});
