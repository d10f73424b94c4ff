import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sumAxis } from '../../src/kernels/cpu/reduce.js';

// sumAxis keeps eight running sums along a contiguous axis (and adds four rows per pass across an
// inner one), then the rest one by one. With small integer values every order of addition is exact,
// so any lost or doubled element shows as a wrong sum.

const ints = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.round(Math.sin(seed + i * 1.3) * 8));

describe('sumAxis', () => {
  it('sums [outer, n, inner] over n for every n from 0 to 40 (every remainder of the eight sums), float32 and float64', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 99 }), (outer, n, inner, seed) => {
        const xs = ints(outer * n * inner, seed);
        const want = Array.from({ length: outer * inner }, (_, o) => {
          const [a, i] = [Math.floor(o / inner), o % inner];
          let s = 0;
          for (let k = 0; k < n; k++) s += xs[(a * n + k) * inner + i]!;
          return s;
        });
        for (const Type of [Float32Array, Float64Array]) {
          const got = sumAxis(Type.from(xs), outer, n, inner);
          expect(got).toBeInstanceOf(Type);
          expect(Array.from(got)).toEqual(want);
        }
      }),
      { numRuns: 200 },
    );
  });
});
