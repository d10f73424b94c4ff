// unfoldColumns: the batch's im2col as one matrix [C·kh·kw, N·L]; the same values as unfold's
// [N, C·kh·kw, L] permuted, and a float64 gradient (its adjoint, foldColumns) over random geometry.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DlError, Generator, gradcheck, permute, randn, reshape, unfold, unfoldColumns, type Tensor } from '@dl/autograd';

const arbCase = fc.record({
  N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 6 }), W: fc.integer({ min: 1, max: 6 }),
  kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 2 }), sw: fc.integer({ min: 1, max: 2 }),
  ph: fc.integer({ min: 0, max: 1 }), pw: fc.integer({ min: 0, max: 1 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
  seed: fc.integer(),
}).filter(({ H, W, kh, kw, ph, pw, dh, dw }) => dh * (kh - 1) + 1 <= H + 2 * ph && dw * (kw - 1) + 1 <= W + 2 * pw);

const options = (c: { sh: number; sw: number; ph: number; pw: number; dh: number; dw: number }) =>
  ({ stride: [c.sh, c.sw] as [number, number], padding: [c.ph, c.pw] as [number, number], dilation: [c.dh, c.dw] as [number, number] });

describe('unfoldColumns', () => {
  it("holds unfold's columns, image by image, side by side (random shapes, strides, padding, dilation; 'same' windows too)", () => {
    fc.assert(
      fc.property(arbCase, fc.boolean(), (c, same) => {
        const g = same ? { ...c, sh: 1, sw: 1, kw: 3, pw: 1, dw: 1, W: Math.max(c.W, 1) } : c;
        const x = randn([g.N, g.C, g.H, g.W], { generator: new Generator(g.seed) });
        const cols = unfoldColumns(x, [g.kh, g.kw], options(g));
        const per = unfold(x, [g.kh, g.kw], options(g)); // [N, CKK, L]
        const [, rows, L] = per.shape as [number, number, number];
        expect(cols.shape).toEqual([rows, g.N * L]);
        expect(Array.from(cols.data)).toEqual(Array.from(reshape(permute(per, [1, 0, 2]), [rows, g.N * L]).data));
      }),
      { numRuns: 150 },
    );
  });
  it('passes gradcheck in float64 (its backward is foldColumns, the adjoint)', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const x = randn([c.N, c.C, c.H, c.W], { dtype: 'float64', generator: new Generator(c.seed) }).requiresGrad_();
        gradcheck((t: Tensor) => unfoldColumns(t, [c.kh, c.kw], options(c)), [x]);
      }),
      { numRuns: 40 },
    );
  });
  it('names itself for a non-4-D input', () => {
    expect(() => unfoldColumns(randn([2, 3]), 2)).toThrow(DlError);
    expect(() => unfoldColumns(randn([2, 3]), 2)).toThrow(/^unfoldColumns: expects a 4-D input/);
  });
});
