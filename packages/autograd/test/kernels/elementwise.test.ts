import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { add, addInto, addRows, mul, sub } from '../../src/kernels/cpu/elementwise.js';

// add, sub and mul run four elements per iteration, then the rest one by one: for every length (so every
// remainder) and each operand layout they give what one element at a time gives, as does addInto.

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed + i * 1.7) * 8));

describe('the unrolled binary kernels', () => {
  const ops = [
    ['add', add, (x: number, y: number) => x + y],
    ['sub', sub, (x: number, y: number) => x - y],
    ['mul', mul, (x: number, y: number) => x * y],
  ] as const;

  it.each(ops)('%s over whole arrays, a scalar first and a scalar second, for lengths 0 to 40', (_, kernel, f) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 99 }), (n, seed) => {
        const a = values(n, seed);
        const b = values(n, seed + 50);
        const s = values(1, seed + 7);
        const naive = (xs: (i: number) => number, ys: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(xs(i), ys(i)));
        expect(kernel(a, b)).toEqual(naive((i) => a[i]!, (i) => b[i]!));
        if (n !== 1) {
          expect(kernel(s, b)).toEqual(naive(() => s[0]!, (i) => b[i]!));
          expect(kernel(a, s)).toEqual(naive((i) => a[i]!, () => s[0]!));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('addInto adds in place for lengths 0 to 40', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 99 }), (n, seed) => {
        const a = values(n, seed);
        const b = values(n, seed + 1);
        const want = Float32Array.from(a, (v, i) => v + b[i]!);
        addInto(a, b);
        expect(a).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('addRows adds b [m] over [outer, m, inner], a bias over the last dim (inner 1) included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 99 }), (outer, m, inner, seed) => {
        const a = values(outer * m * inner, seed);
        const b = values(m, seed + 3);
        const want = Float32Array.from(a, (v, i) => v + b[Math.floor(i / inner) % m]!);
        expect(addRows(a, b, outer, m, inner)).toEqual(want);
      }),
      { numRuns: 100 },
    );
  });
});
