import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as js from '../../src/kernels/cpu/elementwise.js';
import * as routed from '../../src/kernels/elementwise.js';
import { addIntoWasm, addRowsWasm, addScaledWasm, binaryWasm, reluBackwardWasm, reluWasm } from '../../src/kernels/wasm/elementwise.js';
import { wasmGemmSupported } from '../../src/kernels/wasm/gemm.js';
import { jsKernels, wasmKernels } from '../../src/kernels/index.js';
import { addScaledInto, DlError } from '../../src/index.js';
import { expectSameBits } from './sameBits.js';

// The wasm elementwise kernels promise the JS kernels' bits (relu and its backward on the float bits, a
// float32 sum, a float64 scaled add rounded once), so they are compared with Object.is element by element,
// over every length remainder, at offsets into larger arrays (subarrays), and on values that include NaN
// of either sign, ±0, ±Infinity, subnormals and the extremes of float32.

const specials = [NaN, -NaN, 0, -0, Infinity, -Infinity, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 3.4028235e38, -3.4028235e38, 1, -1];

/** float32 values mixing specials with random magnitudes of both signs, as bit patterns too (NaN payloads, negative NaNs). */
const f32Array = (min: number, max: number) => fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.float({ noDefaultInfinity: false, noNaN: false }) },
    { weight: 1, arbitrary: fc.constantFrom(...specials) },
  ),
  { minLength: min, maxLength: max },
).map((xs) => Float32Array.from(xs));

/** A float32 array whose words are arbitrary bits (any NaN payload, either sign). */
const bitsArray = (min: number, max: number) => fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: min, maxLength: max })
  .map((xs) => new Float32Array(Int32Array.from(xs).buffer));

/** The same values at offset `at` inside a larger array (a subarray, as tensor views hand kernels). */
function atOffset(x: Float32Array, at: number): Float32Array {
  const big = new Float32Array(x.length + at + 3).fill(7);
  big.set(x, at);
  return big.subarray(at, at + x.length);
}

describe.skipIf(!wasmGemmSupported())('the wasm elementwise kernels', () => {
  it("relu gives the JS kernel's bits for any length and offset, NaN kept and −0 made 0", () => {
    fc.assert(fc.property(fc.oneof(f32Array(1, 70), bitsArray(1, 70)), fc.integer({ min: 0, max: 5 }), (x, at) => {
      const xs = atOffset(x, at);
      const o = new Float32Array(x.length);
      expect(reluWasm(xs, o, x.length)).toBe(true);
      expectSameBits(o, js.relu(x));
      expect(Array.from(xs)).toEqual(Array.from(x)); // the input is untouched
    }), { numRuns: 300 });
    const o = new Float32Array(specials.length);
    reluWasm(Float32Array.from(specials), o, specials.length);
    // The expected float32 values, rounded by a Float32Array store as the kernel's output is.
    expectSameBits(o, Float32Array.from(specials, (v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0)));
  });

  it("relu's backward gives the JS kernel's bits: the gradient where x > 0 or x is a NaN, else 0 (even an infinite gradient)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(fc.oneof(f32Array(n, n), bitsArray(n, n)), f32Array(n, n))),
      fc.integer({ min: 0, max: 5 }), ([x, g], at) => {
        const o = new Float32Array(x.length);
        expect(reluBackwardWasm(atOffset(x, at), atOffset(g, at + 1), o, x.length)).toBe(true);
        expectSameBits(o, js.reluBackward(g, x));
      }), { numRuns: 300 });
    const x = Float32Array.from([0, -0, 1, -1, NaN, -NaN, 1e-45, -1e-45]);
    const g = new Float32Array(x.length).fill(Infinity);
    const o = new Float32Array(x.length);
    reluBackwardWasm(x, g, o, x.length);
    expectSameBits(o, [0, 0, Infinity, 0, Infinity, Infinity, Infinity, 0]);
  });

  it("a bias added to each row gives the JS kernel's bits (one float32 sum each) for rows of any multiple of 4", () => {
    const sizes = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }));
    fc.assert(fc.property(sizes.chain(([rows, quads]) => fc.tuple(fc.constant(rows), fc.constant(4 * quads), f32Array(rows * 4 * quads, rows * 4 * quads), f32Array(4 * quads, 4 * quads))),
      fc.integer({ min: 0, max: 3 }), ([rows, m, a, b], at) => {
        const o = new Float32Array(rows * m);
        expect(addRowsWasm(atOffset(a, at), atOffset(b, at + 2), o, rows, m)).toBe(true);
        expectSameBits(o, js.addRows(a, b, rows, m, 1));
      }), { numRuns: 200 });
  });

  it('the scaled add computes each y + alpha·x in float64 and rounds once, as the JS kernel, for any length', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(f32Array(n, n), f32Array(n, n))),
      fc.oneof(fc.double({ noNaN: false }), fc.constantFrom(-0.01, -1e-9, 0, -0, 1e30, -Infinity)), fc.integer({ min: 0, max: 5 }), ([y, x], alpha, at) => {
        const want = y.slice();
        js.addScaledInPlace(want, x, alpha);
        expectSameBits(want, Array.from(y, (v, i) => Math.fround(v + alpha * x[i]!)));
        const ys = atOffset(y, at);
        const big = ys.buffer;
        expect(addScaledWasm(ys, atOffset(x, at + 1), alpha, y.length)).toBe(true);
        expectSameBits(ys, want);
        // Nothing outside y's elements changed.
        const whole = new Float32Array(big);
        for (let i = 0; i < whole.length; i++) if (i < at || i >= at + y.length) expect(whole[i]).toBe(7);
      }), { numRuns: 300 });
  });

  it.each(['add', 'sub', 'mul', 'div'] as const)("%s gives the JS kernel's bits for whole arrays, a scalar first and a scalar second", (op) => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(f32Array(n, n), f32Array(n, n), f32Array(1, 1))),
      fc.integer({ min: 0, max: 5 }), ([a, b, s], at) => {
        const n = a.length;
        for (const [x, y] of [[a, b], [s, b], [a, s]] as const) {
          const o = new Float32Array(n);
          expect(binaryWasm(op, atOffset(x, at), atOffset(y, at + 1), o, n)).toBe(true);
          expectSameBits(o, js[op](x, y));
        }
      }), { numRuns: 200 });
  });

  it("adds into an array in place with the JS addInto's bits, leaving what lies around it alone", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 70 }).chain((n) => fc.tuple(f32Array(n, n), f32Array(n, n))), fc.integer({ min: 0, max: 5 }), ([a, b], at) => {
      const want = a.slice();
      js.addInto(want, b);
      const as = atOffset(a, at);
      expect(addIntoWasm(as, atOffset(b, at + 2), a.length)).toBe(true);
      expectSameBits(as, want);
      const whole = new Float32Array(as.buffer);
      for (let i = 0; i < whole.length; i++) if (i < at || i >= at + a.length) expect(whole[i]).toBe(7);
    }), { numRuns: 200 });
  });

  it('are what the wasm backend runs for float32 arrays of 1024 elements or more; smaller ones, float64 and the js backend run the JS loops', () => {
    expect(wasmKernels.relu).toBe(routed.relu);
    expect(wasmKernels.reluBackward).toBe(routed.reluBackward);
    expect(wasmKernels.addRows).toBe(routed.addRows);
    expect(wasmKernels.addScaledInPlace).toBe(routed.addScaledInPlace);
    expect(wasmKernels.addInto).toBe(routed.addInto);
    expect(jsKernels.addInto).toBe(js.addInto);
    for (const op of ['add', 'sub', 'mul', 'div'] as const) {
      expect(wasmKernels[op]).toBe(routed[op]);
      expect(jsKernels[op]).toBe(js[op]);
    }
    expect(jsKernels.relu).toBe(js.relu);
    expect(jsKernels.addScaledInPlace).toBe(js.addScaledInPlace);
    // Both sides of the size threshold and both dtypes give the JS kernel's values through the routed kernels.
    for (const n of [1023, 1024, 1027]) {
      for (const make of [(v: number[]) => Float32Array.from(v), (v: number[]) => Float64Array.from(v)]) {
        const x = make(Array.from({ length: n }, (_, i) => Math.sin(i) * 3));
        const g = make(Array.from({ length: n }, (_, i) => Math.cos(i)));
        expectSameBits(routed.relu(x), js.relu(x));
        expectSameBits(routed.reluBackward(g, x), js.reluBackward(g, x));
        expectSameBits(routed.addRows(x, g.subarray(0, 4), n >> 2, 4, 1), js.addRows(x, g.subarray(0, 4), n >> 2, 4, 1));
        const [y1, y2] = [x.slice(), x.slice()];
        routed.addScaledInPlace(y1, g, -0.3);
        js.addScaledInPlace(y2, g, -0.3);
        expectSameBits(y1, y2);
        routed.addInto(y1, g);
        js.addInto(y2, g);
        expectSameBits(y1, y2);
        for (const op of ['add', 'sub', 'mul', 'div'] as const) {
          expectSameBits(routed[op](x, g), js[op](x, g));
          expectSameBits(routed[op](x.subarray(0, 1), g), js[op](x.subarray(0, 1), g));
          expectSameBits(routed[op](x, g.subarray(2, 3)), js[op](x, g.subarray(2, 3)));
        }
      }
    }
  });
});

describe('addScaledInto', () => {
  it('adds alpha·x into y in place, in float64 rounded once to y\'s dtype, for either dtype of x', () => {
    const y = Float32Array.from([1, 2, 3]);
    addScaledInto(y, Float64Array.from([0.1, 0.2, 0.3]), -2);
    expect(Array.from(y)).toEqual([Math.fround(1 + -2 * 0.1), Math.fround(2 + -2 * 0.2), Math.fround(3 + -2 * 0.3)]);
    const z = Float64Array.from([1, 2]);
    addScaledInto(z, Float32Array.from([0.5, 0.25]), 4);
    expect(Array.from(z)).toEqual([3, 3]);
    const big = Float32Array.from({ length: 1000 }, (_, i) => i);
    addScaledInto(big, Float32Array.from({ length: 1000 }, () => 1), 0.5);
    expect(big[999]).toBe(999.5);
  });

  it('refuses arrays of different lengths and values that are not float arrays, by name', () => {
    expect(() => addScaledInto(new Float32Array(3), new Float32Array(4), 1)).toThrow(DlError);
    expect(() => addScaledInto(new Float32Array(3), new Float32Array(4), 1)).toThrow('addScaledInto: y has 3 values and x 4: they must have one length');
    expect(() => addScaledInto(new Int32Array(2) as never, new Float32Array(2), 1)).toThrow(/addScaledInto: y must be a Float32Array or Float64Array/);
    expect(() => addScaledInto(new Float32Array(2), [1, 2] as never, 1)).toThrow(/addScaledInto: x must be a Float32Array or Float64Array/);
    expect(() => addScaledInto(new Float32Array(2), new Float32Array(2), '1' as never)).toThrow(/addScaledInto: alpha must be a number/);
  });
});
