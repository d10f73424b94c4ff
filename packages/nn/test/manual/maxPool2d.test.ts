import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor, zeros } from '@dl/autograd';
import { MaxPool2d, manual } from '@dl/nn';
import { arbDistinctTensor, checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { seed, size } from './arbitraries.js';
import { expectGoldenBackward, expectGoldenForward, golden } from './golden.js';

const f64 = { dtype: 'float64' } as const;

/** Random pooling geometry, with padding at most half the kernel, and an input without ties. */
const arbPool = fc
  .record({ n: size(2), c: size(2), k: size(3), stride: size(3), dh: fc.nat(3), dw: fc.nat(3), s: seed })
  .chain((g) => fc.tuple(fc.constant(g), fc.integer({ min: 0, max: Math.floor(g.k / 2) })))
  .chain(([g, padding]) => {
    const lo = Math.max(1, g.k - 2 * padding);
    return fc.tuple(fc.constant({ ...g, padding }), arbDistinctTensor([g.n, g.c, lo + g.dh, lo + g.dw]));
  });

describe('manual.MaxPool2d agrees with nn.MaxPool2d', () => {
  it('output and dx match autograd for random sizes, strides and paddings (no ties)', () => {
    fc.assert(
      fc.property(arbPool, ([g, x]) =>
        checkAgainstTwin(new manual.MaxPool2d(g.k, g.stride, g.padding), new MaxPool2d(g.k, { stride: g.stride, padding: g.padding }), x, { seed: g.s })),
      { numRuns: 50 },
    );
  });

  it('crossCheck with distinct inputs', () => {
    crossCheck(new manual.MaxPool2d(2), new MaxPool2d(2), { inputShape: [2, 2, 5, 4], distinct: true, numRuns: 25 });
  });
});

describe('manual.MaxPool2d known values', () => {
  it('matches PyTorch with overlapping windows and padding', () => {
    const c = golden.maxPool2d!;
    const p = new manual.MaxPool2d(c.kernelSize!, c.stride, c.padding);
    expectGoldenForward(p, c);
    expectGoldenBackward(p, c);
  });

  it('routes each gradient to its window maximum, accumulating where windows share it', () => {
    const p = new manual.MaxPool2d(2, 1); // stride 1: the centre 9 is the maximum of all four windows
    const y = p.forward(tensor([[[[1, 2, 3], [4, 9, 5], [6, 7, 8]]]]));
    expect(y.toArray()).toEqual([[[[9, 9], [9, 9]]]]);
    expect(p.backward(tensor([[[[1, 2], [3, 4]]]])).toArray()).toEqual([[[[0, 0, 0], [0, 10, 0], [0, 0, 0]]]]);
  });

  it('stride defaults to the kernel size; padding never wins, even against negative values', () => {
    const p = new manual.MaxPool2d(2, undefined, 1);
    const y = p.forward(tensor([[[[-1, -2], [-3, -4]]]], f64));
    expect(y.toArray()).toEqual([[[[-1, -2], [-3, -4]]]]);
    expect(new manual.MaxPool2d(3).stride).toBe(3);
  });

  it('takes the first maximum of a window with ties, as PyTorch does', () => {
    const p = new manual.MaxPool2d(2);
    p.forward(tensor([[[[5, 5], [5, 5]]]]));
    expect(p.backward(tensor([[[[1]]]])).toArray()).toEqual([[[[1, 0], [0, 0]]]]);
  });
});

describe('manual.MaxPool2d errors', () => {
  it('names the layer and the shapes', () => {
    const p = new manual.MaxPool2d(3);
    expect(() => p.backward(zeros([1, 1, 1, 1]))).toThrow(/MaxPool2d\.backward: called before forward/);
    expect(() => p.forward(zeros([1, 4, 4]))).toThrow(/MaxPool2d: expected a 4-D input \[N, C, H, W\], got shape \[1,4,4\]/);
    expect(() => p.forward(zeros([1, 1, 2, 4]))).toThrow(/MaxPool2d: kernel 3x3 is larger than the padded input 2x4 \(input shape \[1,1,2,4\], padding 0,0\)/);
    p.forward(zeros([1, 1, 6, 6]));
    expect(() => p.backward(zeros([1, 1, 3, 3]))).toThrow(/MaxPool2d\.backward: dupstream of shape \[1,1,3,3\] does not match the forward output shape \[1,1,2,2\]/);
    expect(() => new manual.MaxPool2d(0)).toThrow(/MaxPool2d: kernelSize must be a positive integer, got 0/);
    expect(() => new manual.MaxPool2d(2, 0)).toThrow(/MaxPool2d: stride must be a positive integer, got 0/);
    expect(() => new manual.MaxPool2d(2, 2, 2)).toThrow(/MaxPool2d: padding 2,2 must be at most half the kernel size 2x2/);
  });
});
