import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stridedCopy } from '../../src/kernels/cpu/movement.js';

// stridedCopy serves permute, expand and slice, and takes shortcuts for runs of one repeated value
// (zero inner stride), contiguous runs (unit inner stride) and a single value everywhere: each must
// give what reading the view element by element gives.

/** The view (offset, shape, strides) of x read element by element, in row-major order. */
function naive(x: Float64Array, offset: number, shape: number[], strides: number[]): number[] {
  const out: number[] = [];
  const walk = (d: number, at: number): void => {
    if (d === shape.length) {
      out.push(x[at]!);
      return;
    }
    for (let i = 0; i < shape[d]!; i++) walk(d + 1, at + i * strides[d]!);
  };
  walk(0, offset);
  return out;
}

describe('stridedCopy', () => {
  it('copies any view (zero, unit, stepped and negative strides, long rows) as reading it element by element does', () => {
    const view = fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom(0, 1, 1, 2, -1, 5)), { minLength: 0, maxLength: 3 })
      .filter((dims) => dims.reduce((n, [s]) => n * s, 1) <= 5000);
    fc.assert(
      fc.property(view, (dims) => {
        const shape = dims.map(([s]) => s);
        // Strides scaled so that rows do not overlap unless the stride is 0; the offset keeps negative strides inside x.
        let scale = 1;
        const strides = dims.map(() => 0);
        for (let d = dims.length - 1; d >= 0; d--) {
          const [size, step] = dims[d]!;
          strides[d] = step * scale;
          scale *= Math.max(1, Math.abs(step)) * size;
        }
        const offset = strides.reduce((o, st, d) => o + (st < 0 ? -st * (shape[d]! - 1) : 0), 0);
        const x = Float64Array.from({ length: offset + scale + 1 }, (_, i) => i * 0.5 - 3);
        expect(Array.from(stridedCopy(x, offset, shape, strides))).toEqual(naive(x, offset, shape, strides));
      }),
      { numRuns: 300 },
    );
  });
});
