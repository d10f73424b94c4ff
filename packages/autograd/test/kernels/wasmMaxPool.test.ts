import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as js from '../../src/kernels/cpu/im2col.js';
import type { Window2d } from '../../src/kernels/cpu/im2col.js';
import * as routed from '../../src/kernels/maxPool.js';
import { maxPool2x2Wasm, maxUnpool2x2Wasm } from '../../src/kernels/wasm/maxPool.js';
import { wasmGemmSupported } from '../../src/kernels/wasm/gemm.js';
import { jsKernels, wasmKernels } from '../../src/kernels/index.js';
import { binaryWasm } from '../../src/kernels/wasm/elementwise.js';
import { expectSameBits } from './sameBits.js';

// 2×2 max pooling at stride 2 only compares and picks, so the wasm kernels must give the JS kernels'
// values bit for bit and the same indices: ties (equal values, −0 against +0) go to the first tap, a
// NaN of either sign wins and the last one stays. Sizes cover every remainder of the four-windows-a-step
// loop and odd heights and widths (a row or column outside every window).

const pooling = (N: number, C: number, H: number, W: number): Window2d =>
  ({ N, C, H, W, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, oh: Math.floor(H / 2), ow: Math.floor(W / 2) });

// Few distinct values, so ties are common, with ±0, ±Infinity and NaNs of both signs.
const value = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -3, max: 3 }).map((i) => i / 2) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, NaN, -NaN) },
);

const planesAndSizes = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 13 }), fc.integer({ min: 2, max: 21 }));

/** Fills the GEMM memory the kernels borrow with NaNs, so a pixel a kernel forgets to write shows. */
function dirtyWorkspace(): void {
  const n = 64 * 1024;
  binaryWasm('add', new Float32Array(n).fill(NaN), new Float32Array(n).fill(NaN), new Float32Array(n), n);
}

describe.skipIf(!wasmGemmSupported())('the wasm 2x2 max pooling', () => {
  it("gives the JS kernel's maxima, bit for bit, and its indices, and its gradient gives the JS gradient's bits", () => {
    fc.assert(fc.property(planesAndSizes.chain(([planes, H, W]) => fc.tuple(
      fc.constant([planes, H, W] as const),
      fc.array(value, { minLength: planes * H * W, maxLength: planes * H * W }),
      fc.array(fc.oneof(value, fc.double({ noNaN: true, min: -1e3, max: 1e3 })), { minLength: planes * Math.floor(H / 2) * Math.floor(W / 2), maxLength: planes * Math.floor(H / 2) * Math.floor(W / 2) }),
    )), ([[planes, H, W], xs, gs]) => {
      const g = pooling(planes, 1, H, W);
      const x = Float32Array.from(xs);
      const n = planes * g.oh * g.ow;
      const wantIdx = new Int32Array(n);
      const want = js.maxPool2d(x, g, wantIdx);
      dirtyWorkspace();
      const out = new Float32Array(n);
      const idx = new Int32Array(n).fill(-7);
      expect(maxPool2x2Wasm(x, out, idx, planes, H, W, g.oh, g.ow)).toBe(true);
      expectSameBits(out, want);
      expect(Array.from(idx)).toEqual(Array.from(wantIdx));

      const grad = Float32Array.from(gs);
      dirtyWorkspace();
      const dx = new Float32Array(planes * H * W).fill(5);
      expect(maxUnpool2x2Wasm(grad, idx, dx, planes, H, W, g.oh, g.ow)).toBe(true);
      expectSameBits(dx, js.maxUnpool2d(grad, wantIdx, g));
    }), { numRuns: 300 });
  });

  it('is what the wasm backend runs for float32 2x2 pooling at stride 2; other windows, float64 and the js backend run the JS kernels', () => {
    expect(wasmKernels.maxPool2d).toBe(routed.maxPool2d);
    expect(wasmKernels.maxUnpool2d).toBe(routed.maxUnpool2d);
    expect(jsKernels.maxPool2d).toBe(js.maxPool2d);
    expect(jsKernels.maxUnpool2d).toBe(js.maxUnpool2d);
    const geometries: Window2d[] = [
      pooling(2, 3, 9, 8),
      { ...pooling(2, 3, 9, 8), kh: 3, kw: 3, oh: 7, ow: 6, sh: 1, sw: 1 }, // overlapping windows
      { ...pooling(2, 3, 9, 8), ph: 1, pw: 1, oh: 5, ow: 5 }, // padding
      { ...pooling(2, 3, 9, 8), dh: 2, dw: 2, oh: 3, ow: 3 }, // dilation
    ];
    for (const g of geometries) {
      for (const make of [(v: number[]) => Float32Array.from(v), (v: number[]) => Float64Array.from(v)]) {
        const x = make(Array.from({ length: g.N * g.C * g.H * g.W }, (_, i) => Math.sin(i * 1.3)));
        const n = g.N * g.C * g.oh * g.ow;
        const [i1, i2] = [new Int32Array(n), new Int32Array(n)];
        expectSameBits(routed.maxPool2d(x, g, i1), js.maxPool2d(x, g, i2));
        expect(Array.from(i1)).toEqual(Array.from(i2));
        const grad = make(Array.from({ length: n }, (_, i) => Math.cos(i)));
        expectSameBits(routed.maxUnpool2d(grad, i1, g), js.maxUnpool2d(grad, i2, g));
      }
    }
  });
});
