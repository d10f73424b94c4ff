// The backend boundary (issue 8): which backend runs the ops, how it is chosen, and that the 'wasm'
// backend gives what the plain TypeScript 'js' reference gives, on products large enough to take the
// WebAssembly kernel (the op-table suites compare every op on small shapes).
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  allocate, availableBackends, getBackend, matmul, matmulTransposed, recurrentLayer, scaledDotProductAttention, setBackend,
  Tensor, unfoldColumns, DlError, type BackendName,
} from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { startBackend } from '../src/backend/select.js';
import * as jsGemm from '../src/kernels/cpu/matmul.js';
import { gemmF32 } from '../src/kernels/wasm/gemm.js';
import { expectBackendsAgree } from './ops/opInfo.js';

const initial = getBackend();
afterEach(() => setBackend(initial));

/** Random float32 values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
}

describe('choosing a backend', () => {
  it("starts on 'wasm' where WebAssembly SIMD compiles, and lists what this runtime runs", () => {
    expect(initial).toBe('wasm');
    expect(availableBackends()).toEqual(['wasm', 'js']);
  });

  it('runs every float32 product on the chosen backend: the JS kernel on js, the wasm kernel on wasm', () => {
    const [M, K, N] = [9, 300, 7];
    const a = values(M * K, 1), b = values(K * N, 2);
    const viaJs = new Float32Array(M * N), viaWasm = new Float32Array(M * N);
    jsGemm.matmulInto(a, 0, b, 0, viaJs, 0, M, K, N);
    expect(gemmF32(a, 0, false, b, 0, false, viaWasm, 0, M, K, N)).toBe(true);
    // The two kernels round differently (float64 against float32 sums), so the result shows which ran.
    expect(viaJs).not.toEqual(viaWasm);
    const product = () => matmul(new Tensor(a, [M, K]), new Tensor(b, [K, N])).data;
    setBackend('js');
    expect(getBackend()).toBe('js');
    expect(product()).toEqual(viaJs);
    setBackend('wasm');
    expect(product()).toEqual(viaWasm);
  });

  it('refuses unknown names, naming the call and the choices', () => {
    expect(() => setBackend('cpu' as BackendName)).toThrow(/^setBackend: name must be 'js', 'wasm' or 'webgpu', got 'cpu'/);
    expect(() => setBackend('cpu' as BackendName)).toThrow(DlError);
    expect(getBackend()).toBe(initial);
  });

  it('takes its starting backend from DL_BACKEND, and refuses a bad one naming the variable', () => {
    expect(startBackend('js')).toBe('js');
    expect(getBackend()).toBe('js');
    expect(startBackend(undefined)).toBe('wasm');
    expect(startBackend('')).toBe('wasm');
    expect(() => startBackend('gpu')).toThrow(/^DL_BACKEND: unknown backend 'gpu' \(from the DL_BACKEND environment variable\) \(expected 'js' or 'wasm'\)/);
  });

  it('allocates zero-filled buffers of each dtype, and checks its arguments', () => {
    expect(allocate('float32', 3)).toEqual(new Float32Array(3));
    expect(allocate('float64', 2)).toEqual(new Float64Array(2));
    expect(allocate('int32', 1)).toEqual(new Int32Array(1));
    expect(allocate('bool', 4)).toEqual(new Uint8Array(4));
    expect(() => allocate('float16' as never, 2)).toThrow(/^allocate: unsupported dtype 'float16'/);
    expect(() => allocate('float32', -1)).toThrow(/^allocate: /);
  });
});

// Sizes that reach the wasm kernel (at least 512 multiply-adds per product) and straddle its 4×8 tile.
const size = fc.integer({ min: 5, max: 21 });

describe("the 'wasm' backend agrees with the 'js' reference on products that take the WebAssembly kernel", () => {
  it('matmul with broadcast batch dims, forward and backward', () => {
    fc.assert(fc.property(fc.record({ B: fc.integer({ min: 1, max: 3 }), M: size, K: size, N: size, broadcast: fc.boolean() }).chain(({ B, M, K, N, broadcast }) =>
      fc.tuple(arbTensor([B, M, K], { min: -1, max: 1 }), arbTensor(broadcast ? [K, N] : [B, K, N], { min: -1, max: 1 }))), ([a, b]) => {
      expectBackendsAgree((x, y) => [matmul(x!, y!)], [a, b], 2, 'matmul');
    }), { numRuns: 15 });
  });

  it('matmulTransposed (the Linear product), forward and backward', () => {
    fc.assert(fc.property(fc.tuple(size, size, size).chain(([M, K, N]) =>
      fc.tuple(arbTensor([M, K], { min: -1, max: 1 }), arbTensor([N, K], { min: -1, max: 1 }))), ([x, w]) => {
      expectBackendsAgree((a, b) => [matmulTransposed(a!, b!)], [x, w], 2, 'matmulTransposed');
    }), { numRuns: 15 });
  });

  it('a convolution as unfoldColumns and a product, forward and backward', () => {
    fc.assert(fc.property(fc.record({ N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 5, max: 9 }), O: fc.integer({ min: 4, max: 9 }) }).chain(({ N, C, H, O }) =>
      fc.tuple(arbTensor([N, C, H, H], { min: -1, max: 1 }), arbTensor([O, C * 9], { min: -1, max: 1 }))), ([x, w]) => {
      expectBackendsAgree((a, b) => [matmul(b!, unfoldColumns(a!, 3, { padding: 1 }))], [x, w], 2, 'conv');
    }), { numRuns: 10 });
  });

  it('recurrent layers (LSTM, GRU, RNN), forward and backpropagation through time', () => {
    const modes = ['lstm', 'gru', 'rnnTanh'] as const;
    fc.assert(fc.property(fc.record({ mode: fc.constantFrom(...modes), T: fc.integer({ min: 1, max: 4 }), N: fc.integer({ min: 2, max: 5 }), H: fc.integer({ min: 8, max: 20 }) }).chain((s) => {
      const G = s.mode === 'lstm' ? 4 : s.mode === 'gru' ? 3 : 1;
      return fc.tuple(fc.constant(s), arbTensor([s.T, s.N, G * s.H], { min: -1, max: 1 }), arbTensor([G * s.H, s.H], { min: -0.5, max: 0.5 }),
        arbTensor([G * s.H], { min: -0.5, max: 0.5 }), arbTensor([s.N, s.H], { min: -1, max: 1 }), arbTensor([s.N, s.H], { min: -1, max: 1 }));
    }), ([s, xProj, wHh, bHh, h0, c0]) => {
      const lstm = s.mode === 'lstm';
      expectBackendsAgree((x, w, b, h, c) => {
        const r = recurrentLayer(x!, w!, b!, h!, lstm ? c! : null, { mode: s.mode });
        return lstm ? [r.output, r.hN, r.cN!] : [r.output, r.hN];
      }, lstm ? [xProj, wHh, bHh, h0, c0] : [xProj, wHh, bHh, h0], lstm ? 5 : 4, s.mode);
    }), { numRuns: 12 });
  });

  it('scaled dot-product attention, forward and backward', () => {
    fc.assert(fc.property(fc.tuple(fc.integer({ min: 8, max: 16 }), fc.integer({ min: 8, max: 16 })).chain(([L, E]) =>
      fc.tuple(arbTensor([2, L, E], { min: -1, max: 1 }), arbTensor([2, L, E], { min: -1, max: 1 }), arbTensor([2, L, E], { min: -1, max: 1 }))), ([q, k, v]) => {
      expectBackendsAgree((a, b, c) => [scaledDotProductAttention(a!, b!, c!)], [q, k, v], 3, 'attention');
    }), { numRuns: 10 });
  });
});
