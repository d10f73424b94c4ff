import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as js from '../../src/kernels/cpu/reduce.js';
import * as routed from '../../src/kernels/reduce.js';
import { sumAxisWasm } from '../../src/kernels/wasm/reduce.js';
import { wasmGemmSupported } from '../../src/kernels/wasm/gemm.js';
import { jsKernels, wasmKernels } from '../../src/kernels/index.js';
import { expectSameBits } from './sameBits.js';

// The wasm sums promise sumAxis's bits (the same float64 running sums, fed and combined in the same order),
// so they are compared bit for bit over shapes that cover every remainder of the eight-way contiguous sums
// and of the four-rows-a-pass strided sums, on values spanning many magnitudes (where the order of
// additions shows: see `cancelling`), and on ±0, ±Infinity and NaN.

const sizes = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 12 }).map((h) => 2 * h)));

// Magnitudes from 2^-20 to 2^20, and huge values that cancel (2^60 + 1 − 2^60 is 0 or 1 in float64,
// by the order of the additions), so that a different order of additions shows after rounding to float32.
const ordinary = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -20, max: 20 })).map(([m, e]) => Math.fround(m * 2 ** e));
const cancelling = fc.constantFrom(2 ** 60, -(2 ** 60), 2 ** 58, -(2 ** 58), 1, -1, 3, 2 ** -30);
const special = fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e-45, 3.4028235e38);
const valuesFor = (count: number) => fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.oneof(ordinary, cancelling), { minLength: count, maxLength: count }) },
  { weight: 1, arbitrary: fc.array(fc.oneof({ weight: 12, arbitrary: ordinary }, { weight: 1, arbitrary: special }), { minLength: count, maxLength: count }) },
).map((v) => Float32Array.from(v));

describe.skipIf(!wasmGemmSupported())('the wasm sums', () => {
  it("sum over the middle axis with sumAxis's bits, contiguous (inner 1) and strided (inner even)", () => {
    fc.assert(fc.property(sizes.chain(([outer, n, inner]) => fc.tuple(fc.constant([outer, n, inner] as const), valuesFor(outer * n * inner))), ([[outer, n, inner], x]) => {
      const o = new Float32Array(outer * inner).fill(7);
      expect(sumAxisWasm(x, o, outer, n, inner)).toBe(true);
      expectSameBits(o, js.sumAxis(x, outer, n, inner));
    }), { numRuns: 400 });
  });

  it('keep a sum of negative zeros at +0, as the float64 running sums that start at +0 do', () => {
    const o = new Float32Array(2);
    sumAxisWasm(new Float32Array(22).fill(-0), o, 2, 11, 1);
    expectSameBits(o, [0, 0]);
    sumAxisWasm(new Float32Array(12).fill(-0), o, 1, 6, 2);
    expectSameBits(o, [0, 0]);
  });

  it('are what the wasm backend runs for float32 inputs of 1024 values or more with inner 1 or even; the rest, and the js backend, run the JS loop', () => {
    expect(wasmKernels.sumAxis).toBe(routed.sumAxis);
    expect(jsKernels.sumAxis).toBe(js.sumAxis);
    for (const [outer, n, inner] of [[1, 1023, 1], [1, 1024, 1], [4, 300, 1], [3, 100, 4], [3, 100, 5], [2, 3, 200]] as const) {
      const x = Float32Array.from({ length: outer * n * inner }, (_, i) => Math.fround(Math.sin(i) * 2 ** (i % 30 - 15)));
      expectSameBits(routed.sumAxis(x, outer, n, inner) as Float32Array, js.sumAxis(x, outer, n, inner));
      const x64 = Float64Array.from(x);
      expect(Array.from(routed.sumAxis(x64, outer, n, inner))).toEqual(Array.from(js.sumAxis(x64, outer, n, inner)));
    }
  });
});
