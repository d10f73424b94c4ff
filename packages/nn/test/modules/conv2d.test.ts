import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, zeros } from '@dl/autograd';
import { Conv2d, F } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, golden, stateFromJSON } from '../support/golden.js';

const pair = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }));

/** Random conv geometries whose (dilated) kernel fits in the padded input. */
const arbConv = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    cin: fc.integer({ min: 1, max: 2 }),
    cout: fc.integer({ min: 1, max: 3 }),
    k: pair,
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .map((c) => {
    // The smallest input the kernel fits in, plus a little.
    const h = Math.max(1, c.dilation[0] * (c.k[0] - 1) + 1 - 2 * c.padding[0]) + c.extra[0];
    const w = Math.max(1, c.dilation[1] * (c.k[1] - 1) + 1 - 2 * c.padding[1]) + c.extra[1];
    return { ...c, h, w };
  });

describe('Conv2d', () => {
  it('gradcheck: input, weight and bias over random sizes, strides, paddings and dilations', () => {
    fc.assert(
      fc.property(arbConv.chain((c) => fc.tuple(fc.constant(c), arbT([c.n, c.cin, c.h, c.w]))), ([c, x]) => {
        const m = new Conv2d(c.cin, c.cout, c.k, {
          stride: c.stride, padding: c.padding, dilation: c.dilation, bias: c.bias, dtype: 'float64', generator: new Generator(c.seed),
        });
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 25 },
    );
  });

  it("gradcheck with padding 'same' (even kernels pad one more at the end)", () => {
    const arb = fc.record({ k: pair, h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }), seed: fc.nat() });
    fc.assert(
      fc.property(arb.chain((c) => fc.tuple(fc.constant(c), arbT([1, 2, c.h, c.w]))), ([c, x]) => {
        const m = new Conv2d(2, 2, c.k, { padding: 'same', dtype: 'float64', generator: new Generator(c.seed) });
        expect(m.forward(x).shape).toEqual([1, 2, c.h, c.w]);
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 15 },
    );
  });

  it('matches PyTorch with fixed weights (stride, padding, dilation, no bias, same, valid)', () => {
    for (const c of golden.conv2d) {
      const m = new Conv2d(c.cin, c.cout, c.k, { stride: c.stride, padding: c.padding, dilation: c.dilation, bias: c.bias, dtype: 'float64' });
      m.loadStateDict(stateFromJSON(c.state));
      expectClose(m.forward(fromJSON(c.xv)), c.y);
      const f = F.conv2d(fromJSON(c.xv), m.weight, m.bias, { stride: c.stride, padding: c.padding, dilation: c.dilation });
      expectClose(f, c.y);
    }
  });

  it('has weight [out, in, kH, kW] initialised within ±1/√(in·kH·kW)', () => {
    const m = new Conv2d(3, 8, [3, 5], { generator: new Generator(2) });
    expect(m.weight.shape).toEqual([8, 3, 3, 5]);
    expect(m.bias!.shape).toEqual([8]);
    const bound = 1 / Math.sqrt(3 * 15);
    expect(Math.max(...Array.from(m.weight.data, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(m.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('errors name the layer and the shapes', () => {
    const m = new Conv2d(1, 4, 3, { padding: 1 });
    expect(() => m.forward(zeros([1, 28, 28]))).toThrow(/^Conv2d: expected a 4-D input \[N, C, H, W\], got shape \[1,28,28\]$/);
    expect(() => m.forward(zeros([2, 3, 28, 28]))).toThrow(/Conv2d: expected input with 1 channels \(dim 1\), got shape \[2,3,28,28\]/);
    expect(() => new Conv2d(1, 1, 5).forward(zeros([1, 1, 4, 8]))).toThrow(
      /Conv2d: kernel 5x5 is larger than the padded input 4x8 \(input shape \[1,1,4,8\], padding 0,0\)/,
    );
    expect(() => new Conv2d(1, 1, 3, { dilation: 2, padding: 1 }).forward(zeros([1, 1, 2, 9]))).toThrow(/Conv2d: kernel 3x3 \(extent 5x5.*padded input 4x11/);
    expect(() => new Conv2d(0, 1, 3)).toThrow(/Conv2d: inChannels must be a positive integer, got 0/);
    expect(() => new Conv2d(1, -2, 3)).toThrow(/Conv2d: outChannels must be a positive integer, got -2/);
    expect(() => new Conv2d(1, 1, 0)).toThrow(/Conv2d: kernelSize must be positive integers, got 0/);
    expect(() => new Conv2d(1, 1, [3, -1])).toThrow(/Conv2d: kernelSize must be positive integers, got \[3,-1\]/);
    expect(() => new Conv2d(1, 1, 3, { stride: 0 })).toThrow(/Conv2d: stride must be positive integers, got 0/);
    expect(() => new Conv2d(1, 1, 3, { padding: -1 })).toThrow(/Conv2d: padding must be non-negative integers, got -1/);
    expect(() => new Conv2d(1, 1, 3, { padding: 'same', stride: 2 })).toThrow(/Conv2d: padding 'same' needs stride 1/);
    expect(() => F.conv2d(zeros([1, 1, 4, 4]), zeros([2, 1, 3]))).toThrow(/conv2d: weight must be 4-D \[outChannels, inChannels, kH, kW\], got shape \[2,1,3\]/);
  });
});
