import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor, zeros } from '@dl/autograd';
import { AvgPool2d, F, MaxPool2d } from '@dl/nn';
import { arbDistinct, arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, golden } from '../support/golden.js';

const small = fc.integer({ min: 1, max: 3 });

/** Random pooling geometries: padding at most half the kernel, the dilated kernel fits in the padded input. */
const arbPool = fc
  .record({
    batched: fc.boolean(),
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 2 }),
    k: fc.tuple(small, small),
    stride: fc.tuple(small, small),
    pad: fc.tuple(fc.nat(1), fc.nat(1)),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    extra: fc.tuple(fc.nat(3), fc.nat(3)),
  })
  .map((g) => {
    const padding: [number, number] = [Math.min(g.pad[0], Math.floor(g.k[0] / 2)), Math.min(g.pad[1], Math.floor(g.k[1] / 2))];
    const h = Math.max(1, g.dilation[0] * (g.k[0] - 1) + 1 - 2 * padding[0]) + g.extra[0];
    const w = Math.max(1, g.dilation[1] * (g.k[1] - 1) + 1 - 2 * padding[1]) + g.extra[1];
    return { ...g, padding, shape: g.batched ? [g.n, g.c, h, w] : [g.c, h, w] };
  })
  // A dilated window can fall wholly in the padding (PyTorch then gives -inf); keep every window on the input.
  .filter((g) => [0, 1].every((i) => everyWindowTouchesInput(g.shape.at(i - 2)!, g.k[i]!, g.stride[i]!, g.padding[i]!, g.dilation[i]!)));

function everyWindowTouchesInput(size: number, k: number, s: number, p: number, d: number): boolean {
  const out = Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
  for (let o = 0; o < out; o++) {
    let touches = false;
    for (let i = 0; i < k; i++) touches ||= o * s - p + i * d >= 0 && o * s - p + i * d < size;
    if (!touches) return false;
  }
  return true;
}

describe('MaxPool2d', () => {
  it('gradcheck over random sizes, strides, paddings and dilations (distinct values: no ties)', () => {
    fc.assert(
      fc.property(arbPool.chain((g) => fc.tuple(fc.constant(g), arbDistinct(g.shape))), ([g, x]) => {
        const m = new MaxPool2d(g.k, { stride: g.stride, padding: g.padding, dilation: g.dilation });
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 40 },
    );
  });

  it('sends the gradient to the argmax of each window, summing over overlapping windows', () => {
    const x = tensor([[[[1, 5, 2], [0, 3, 4], [9, 1, 1]]]], { dtype: 'float64', requiresGrad: true });
    const y = F.maxPool2d(x, 2, { stride: 1 });
    expect(Array.from(y.data)).toEqual([5, 5, 9, 4]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 2, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('never picks the -Infinity padding', () => {
    const x = tensor([[[[-5, -6], [-7, -8]]]], { dtype: 'float64' });
    expect(Array.from(F.maxPool2d(x, 2, { stride: 1, padding: 1 }).data)).toEqual([-5, -5, -6, -5, -5, -6, -7, -7, -8]);
  });

  it('matches PyTorch', () => {
    for (const c of golden.maxPool2d) {
      const m = new MaxPool2d(c.k, { stride: c.stride ?? undefined, padding: c.padding, dilation: c.dilation });
      expectClose(m.forward(fromJSON(c.xv)), c.y);
    }
  });

  it('errors name the layer and the sizes', () => {
    expect(() => new MaxPool2d(2).forward(zeros([28, 28]))).toThrow(/^MaxPool2d: expected a 3-D \[C, H, W\] or 4-D \[N, C, H, W\] input, got shape \[28,28\]$/);
    expect(() => new MaxPool2d(3).forward(zeros([1, 1, 2, 5]))).toThrow(/MaxPool2d: kernel 3x3 is larger than the padded input 2x5 \(input shape \[1,1,2,5\], padding 0,0\)/);
    expect(() => new MaxPool2d(3, { padding: 2 })).toThrow(/MaxPool2d: padding 2,2 must be at most half the kernel size 3x3/);
    expect(() => new MaxPool2d(0)).toThrow(/MaxPool2d: kernelSize must be positive integers, got 0/);
    expect(() => new MaxPool2d(2, { stride: -1 })).toThrow(/MaxPool2d: stride must be positive integers, got -1/);
    expect(() => F.maxPool2d(zeros([1, 1, 4, 4]), 2, { padding: 3 })).toThrow(/maxPool2d: padding 3,3 must be at most half/);
  });
});

describe('AvgPool2d', () => {
  it('gradcheck over random sizes, strides and paddings, with and without counting the padding', () => {
    const arb = arbPool.chain((g) => fc.tuple(fc.constant(g), fc.boolean(), arbT(g.shape)));
    fc.assert(
      fc.property(arb, ([g, countIncludePad, x]) => {
        const m = new AvgPool2d(g.k, { stride: g.stride, padding: g.padding, countIncludePad });
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 30 },
    );
  });

  it('matches PyTorch (count_include_pad both ways, divisor_override, unbatched)', () => {
    for (const c of golden.avgPool2d) {
      const m = new AvgPool2d(c.k, {
        stride: c.stride ?? undefined, padding: c.padding, countIncludePad: c.count_include_pad, divisorOverride: c.divisor_override ?? undefined,
      });
      expectClose(m.forward(fromJSON(c.xv)), c.y);
    }
  });

  it('errors name the layer', () => {
    expect(() => new AvgPool2d(2, { padding: 2 })).toThrow(/AvgPool2d: padding 2,2 must be at most half the kernel size 2x2/);
    expect(() => new AvgPool2d(4).forward(zeros([1, 3, 3]))).toThrow(/AvgPool2d: kernel 4x4 .* larger than the padded input 3x3/);
    expect(() => F.avgPool2d(zeros([1, 1, 4, 4]), 2, { divisorOverride: 0 })).toThrow(/avgPool2d: divisorOverride must be a non-zero integer/);
  });
});
