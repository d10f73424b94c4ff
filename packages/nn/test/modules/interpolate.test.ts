import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gradgradcheck, mul, Tensor, zeros } from '@dl/autograd';
import { F, Upsample, type InterpolateOptions } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile } from '../support/golden.js';

const golden = goldenFile('upsampling');

/** Random resizes: a size or a scale factor (up and down), nearest or bilinear with either alignCorners. */
const arbResize = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 2 }),
    h: fc.integer({ min: 1, max: 5 }),
    w: fc.integer({ min: 1, max: 5 }),
    mode: fc.constantFrom<'nearest' | 'bilinear'>('nearest', 'bilinear'),
    alignCorners: fc.boolean(),
    bySize: fc.boolean(),
    size: fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 })),
    scale: fc.tuple(fc.constantFrom(0.5, 0.75, 1.3, 1.7, 2, 2.5, 3), fc.constantFrom(0.6, 1, 1.5, 2, 3)),
  })
  .filter((r) => r.bySize || (Math.floor(r.h * r.scale[0]) >= 1 && Math.floor(r.w * r.scale[1]) >= 1))
  .map((r) => {
    const options: InterpolateOptions = r.bySize ? { size: r.size } : { scaleFactor: r.scale };
    options.mode = r.mode;
    if (r.mode === 'bilinear') options.alignCorners = r.alignCorners;
    const out = r.bySize ? r.size : [Math.floor(r.h * r.scale[0]), Math.floor(r.w * r.scale[1])];
    return { ...r, options, out };
  });

const at = (t: Tensor, ...idx: number[]): number => {
  let flat = 0;
  idx.forEach((v, i) => (flat = flat * t.shape[i]! + v));
  return t.data[flat]!;
};

describe('interpolate and Upsample', () => {
  it('gradcheck over random sizes, scales and modes', () => {
    fc.assert(
      fc.property(arbResize.chain((r) => fc.tuple(fc.constant(r), arbT([r.n, r.c, r.h, r.w]))), ([r, x]) => {
        const m = new Upsample(r.options);
        expect(m.forward(x).shape).toEqual([r.n, r.c, ...r.out]);
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 40 },
    );
  });

  it('gradgradcheck: double backward', () => {
    fc.assert(
      fc.property(arbResize.chain((r) => fc.tuple(fc.constant(r), arbT([1, r.c, r.h, r.w]))), ([r, x]) =>
        gradgradcheck((xi) => {
          const y = F.interpolate(xi!, r.options);
          return mul(y, y);
        }, [x]),
      ),
      { numRuns: 10 },
    );
  });

  it('nearest with an integer scale repeats each pixel; bilinear with alignCorners keeps the corners', () => {
    fc.assert(
      fc.property(
        fc.record({ h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 4 }) })
          .chain((r) => fc.tuple(fc.constant(r), arbT([1, 1, r.h, r.w]))),
        ([{ h, w, s }, x]) => {
          const y = F.interpolate(x, { scaleFactor: s });
          for (let i = 0; i < h * s; i++) for (let j = 0; j < w * s; j++) expect(at(y, 0, 0, i, j)).toBe(at(x, 0, 0, Math.floor(i / s), Math.floor(j / s)));
          const b = F.interpolate(x, { size: [h + s, w + s], mode: 'bilinear', alignCorners: true });
          for (const [i, j] of [[0, 0], [0, w - 1], [h - 1, 0], [h - 1, w - 1]] as const) {
            expect(at(b, 0, 0, i === 0 ? 0 : h + s - 1, j === 0 ? 0 : w + s - 1)).toBeCloseTo(at(x, 0, 0, i, j), 14);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('matches PyTorch: output and input gradient (nearest, bilinear, both alignCorners, size and scaleFactor, up and down)', () => {
    expect(golden.interpolate.length).toBeGreaterThanOrEqual(15);
    for (const c of golden.interpolate) {
      const options: InterpolateOptions = { mode: c.mode };
      if (c.size !== null) options.size = c.size;
      if (c.scale_factor !== null) options.scaleFactor = c.scale_factor;
      if (c.align_corners !== null) options.alignCorners = c.align_corners;
      if (c.recompute) options.recomputeScaleFactor = true;
      const x = fromJSON(c.xv).requiresGrad_(true);
      const y = F.interpolate(x, options);
      expectClose(y, c.y);
      y.mul(fromJSON(c.v)).sum().backward();
      expectClose(x.grad!, c.gx);
      expectClose(new Upsample(options).forward(fromJSON(c.xv)), c.y);
    }
  });

  it("computes the nearest index in float32 arithmetic, as PyTorch's kernel (row 41 of 82 from 2 reads row 0)", () => {
    const c = golden.interpolate[17];
    expect(c.size).toEqual([82, 5]);
    const y = F.interpolate(fromJSON(c.xv), { size: [82, 5] });
    expect(at(y, 0, 0, 41, 0)).toBe(at(fromJSON(c.xv), 0, 0, 0, 0));
    expectClose(y, c.y, { atol: 0, rtol: 0 });
  });

  it('keeps the dtype and matches float64 on float32 inputs', () => {
    const x64 = fromJSON(golden.interpolate[12].xv);
    const x32 = x64.to('float32');
    for (const mode of ['nearest', 'bilinear'] as const) {
      const y = F.interpolate(x32, { scaleFactor: [1.7, 0.6], mode });
      expect(y.dtype).toBe('float32');
      expectClose(y.to('float64'), F.interpolate(x64, { scaleFactor: [1.7, 0.6], mode }), { atol: 1e-5, rtol: 1e-5 });
    }
  });

  it('returns a new tensor when the size does not change', () => {
    const x = fromJSON(golden.interpolate[5].xv);
    const y = F.interpolate(x, { scaleFactor: 1.1 });
    expect(y).not.toBe(x);
    expectClose(y, x, { atol: 0, rtol: 0 });
  });

  it("prints as PyTorch's and has no parameters", () => {
    expect(new Upsample({ scaleFactor: 2, mode: 'nearest' }).toString()).toBe(golden.repr.upsampleScale);
    expect(new Upsample({ scaleFactor: [2, 1.5], mode: 'bilinear' }).toString()).toBe(golden.repr.upsampleScalePair);
    expect(new Upsample({ size: [3, 4], mode: 'bilinear', alignCorners: true }).toString()).toBe(golden.repr.upsampleSize);
    expect(new Upsample({ size: 5 }).toString()).toBe(golden.repr.upsampleSizeInt);
    expect(Object.keys(new Upsample({ size: 5 }).stateDict())).toEqual([]);
  });

  it('errors name the function or layer and the shapes', () => {
    const x = zeros([1, 1, 2, 2]);
    expect(() => F.interpolate(zeros([1, 2, 2]), { size: 4 })).toThrow(/^interpolate: expected a 4-D input \[N, C, H, W\], got shape \[1,2,2\]$/);
    expect(() => new Upsample({ size: 4 }).forward(zeros([2, 2]))).toThrow(/^Upsample: expected a 4-D input \[N, C, H, W\], got shape \[2,2\]$/);
    expect(() => F.interpolate(x, {})).toThrow(/^interpolate: either size or scaleFactor should be given$/);
    expect(() => new Upsample()).toThrow(/^Upsample: either size or scaleFactor should be given$/);
    expect(() => F.interpolate(x, { size: 4, scaleFactor: 2 })).toThrow(/^interpolate: only one of size or scaleFactor should be given$/);
    expect(() => F.interpolate(x, { size: 4, alignCorners: false })).toThrow(/^interpolate: alignCorners can only be set with mode 'bilinear', got mode 'nearest'$/);
    expect(() => F.interpolate(x, { size: 4, mode: 'bicubic' as 'bilinear' })).toThrow(/^interpolate: mode must be 'nearest' or 'bilinear', got 'bicubic'$/);
    expect(() => F.interpolate(x, { scaleFactor: 0.3 })).toThrow(
      /^interpolate: input and output sizes must be positive, got input shape \[1,1,2,2\] and output size 0x0$/,
    );
    expect(() => F.interpolate(x, { scaleFactor: -2 })).toThrow(/^interpolate: scaleFactor must be positive finite numbers, got -2$/);
    expect(() => new Upsample({ scaleFactor: [2, Infinity] })).toThrow(/^Upsample: scaleFactor must be positive finite numbers, got \[2,Infinity\]$/);
    expect(() => F.interpolate(x, { size: [0, 3] })).toThrow(/^interpolate: size must be positive integers, got \[0,3\]$/);
    expect(() => F.interpolate(x, { size: 3, recomputeScaleFactor: true })).toThrow(/^interpolate: recomputeScaleFactor is not meaningful with an explicit size$/);
  });
});
