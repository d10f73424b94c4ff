// The EWMA building block S_t = ρ·S_{t−1} + (1 − ρ)·y_t that Momentum, RMSProp and Adam share.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { biasCorrection, ewma, ewmaOfSquares } from '@dl/optim';

const real = (min: number, max: number) => fc.integer({ min: 0, max: 1_000_000 }).map((k) => min + ((max - min) * k) / 1_000_000);
const arbSeries = fc
  .record({ n: fc.integer({ min: 1, max: 5 }), t: fc.integer({ min: 1, max: 12 }), rho: real(0, 0.999) })
  .chain(({ n, t, rho }) => fc.record({
    rho: fc.constant(rho),
    ys: fc.array(fc.array(real(-10, 10), { minLength: n, maxLength: n }), { minLength: t, maxLength: t }),
  }));

describe('ewma', () => {
  it('from zero, equals the unrolled sum (1 − ρ)·Σ_k ρ^(t−k)·y_k, elementwise', () => {
    fc.assert(fc.property(arbSeries, ({ rho, ys }) => {
      const n = ys[0]!.length;
      const s = new Float64Array(n);
      for (const y of ys) ewma(s, Float64Array.from(y), rho);
      const t = ys.length;
      for (let i = 0; i < n; i++) {
        let expected = 0;
        ys.forEach((y, k) => (expected += (1 - rho) * rho ** (t - 1 - k) * y[i]!));
        expect(Math.abs(s[i]! - expected)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected)));
      }
    }), { numRuns: 50 });
  });

  it('ewmaOfSquares is the ewma of y², without allocating it', () => {
    fc.assert(fc.property(arbSeries, ({ rho, ys }) => {
      const a = new Float64Array(ys[0]!.length);
      const b = new Float64Array(ys[0]!.length);
      for (const y of ys) {
        ewmaOfSquares(a, Float64Array.from(y), rho);
        ewma(b, Float64Array.from(y, (v) => v * v), rho);
      }
      expect(a).toEqual(b);
    }), { numRuns: 50 });
  });

  it('bias correction turns the average of a constant into that constant (Adam’s m̂)', () => {
    fc.assert(fc.property(real(0, 0.999), real(-10, 10), fc.integer({ min: 1, max: 50 }), (rho, c, t) => {
      const s = new Float64Array(1);
      for (let k = 0; k < t; k++) ewma(s, Float64Array.of(c), rho);
      expect(Math.abs(s[0]! / biasCorrection(rho, t) - c)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(c)));
    }), { numRuns: 50 });
  });

  it('works in place on float32 state', () => {
    const s = new Float32Array([1, 2]);
    ewma(s, new Float32Array([3, 4]), 0.5);
    expect(Array.from(s)).toEqual([2, 3]);
    expect(biasCorrection(0.9, 1)).toBeCloseTo(0.1, 15);
  });
});
