import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, tensor, zeros } from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { Conv2d, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { fillNormal, seed, size } from './arbitraries.js';
import { expectGoldenBackward, expectGoldenForward, expectGoldenParamGrads, golden, withGoldenParams } from './golden.js';

const f64 = { dtype: 'float64' } as const;

/** Random conv geometry: sizes, kernel, stride, padding, and an input at least as large as the kernel. */
const arbConv = fc
  .record({ n: size(2), c: size(3), f: size(3), k: size(4), stride: size(3), padding: fc.integer({ min: 0, max: 2 }), dh: fc.nat(4), dw: fc.nat(4), s: seed })
  .chain((g) => {
    const lo = Math.max(1, g.k - 2 * g.padding);
    return fc.tuple(fc.constant(g), arbTensor([g.n, g.c, lo + g.dh, lo + g.dw]));
  });

describe('manual.Conv2d agrees with nn.Conv2d', () => {
  it('output, dx, dW and db match autograd for random sizes, strides and paddings', () => {
    fc.assert(
      fc.property(arbConv, ([g, x]) => {
        const m = new manual.Conv2d(g.c, g.f, g.k, g.stride, g.padding, { ...f64, generator: new Generator(g.s) });
        fillNormal(m.b, g.s + 1);
        const twin = new Conv2d(g.c, g.f, g.k, { stride: g.stride, padding: g.padding, ...f64 });
        return checkAgainstTwin(m, twin, x, { seed: g.s });
      }),
      { numRuns: 50 },
    );
  });

  it('crossCheck infers NCHW inputs from the layer', () => {
    crossCheck(new manual.Conv2d(2, 3, 3, 2, 1, f64), new Conv2d(2, 3, 3, { stride: 2, padding: 1, ...f64 }), { numRuns: 25 });
  });
});

describe('manual.Conv2d known values (PyTorch float64)', () => {
  const c = golden.conv2d!;
  const layer = () => withGoldenParams(new manual.Conv2d(2, 3, 3, c.stride, c.padding, f64), c);

  it('forward matches F.conv2d with stride 2 and padding 1 on a 5x6 input', () => {
    expectGoldenForward(layer(), c);
  });

  it('backward matches autograd in PyTorch', () => {
    const m = layer();
    expectGoldenForward(m, c);
    expectGoldenBackward(m, c);
    expectGoldenParamGrads(m, c, [3, 2, 3, 3]);
  });

  it('a 1x1 kernel of ones with bias 1 sums the channels plus 1; db sums the upstream', () => {
    const m = new manual.Conv2d(2, 1, 1, 1, 0, f64);
    m.W.data.fill(1);
    m.b.data.fill(1);
    const y = m.forward(tensor([[[[1, 2]], [[10, 20]]]], f64));
    expect(y.toArray()).toEqual([[[[12, 23]]]]);
    m.backward(tensor([[[[1, 3]]]], f64));
    expect(m.db!.toArray()).toEqual([4]);
    expect(m.dW!.toArray()).toEqual([[[[7]], [[70]]]]);
  });
});

describe('manual.Conv2d initParams', () => {
  it('samples W from N(0, std²) (0.7071 by default) and zeroes b', () => {
    const m = new manual.Conv2d(8, 16, 5, 1, 0, { ...f64, generator: new Generator(3) });
    const sdOf = () => {
      const w = Array.from(m.W.data);
      const mean = w.reduce((a, v) => a + v, 0) / w.length;
      return Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    };
    expect(Math.abs(sdOf() - 0.7071)).toBeLessThan(0.03); // 3200 samples
    expect(Array.from(m.b.data).every((v) => v === 0)).toBe(true);
    m.b.data.fill(2);
    m.initParams(2);
    expect(Math.abs(sdOf() - 2)).toBeLessThan(0.08);
    expect(Array.from(m.b.data).every((v) => v === 0)).toBe(true);
  });
});

describe('manual.Conv2d errors', () => {
  it('names the layer and the shapes', () => {
    const m = new manual.Conv2d(2, 3, 3, 1, 0, f64);
    expect(() => m.backward(zeros([1, 3, 1, 1], f64))).toThrow(/Conv2d\.backward: called before forward/);
    expect(() => m.forward(zeros([2, 5, 5], f64))).toThrow(/Conv2d: expected a 4-D input \[N, C, H, W\], got shape \[2,5,5\]/);
    expect(() => m.forward(zeros([1, 3, 5, 5], f64))).toThrow(/Conv2d: expected 2 input channels, got shape \[1,3,5,5\]/);
    expect(() => m.forward(zeros([1, 2, 2, 5], f64))).toThrow(/Conv2d: kernel 3x3 is larger than the padded input 2x5 \(input shape \[1,2,2,5\], padding 0,0\)/);
    expect(() => m.forward(zeros([1, 2, 5, 5]))).toThrow(/Conv2d: input of shape \[1,2,5,5\] is float32 but the parameters are float64/);
    m.forward(zeros([1, 2, 5, 5], f64));
    expect(() => m.backward(zeros([1, 3, 5, 5], f64))).toThrow(/Conv2d\.backward: dupstream of shape \[1,3,5,5\] does not match the forward output shape \[1,3,3,3\]/);
    expect(() => new manual.Conv2d(0, 3, 3)).toThrow(/Conv2d: inChannels must be a positive integer, got 0/);
    expect(() => new manual.Conv2d(1, 3, 0)).toThrow(/Conv2d: kernelSize must be a positive integer, got 0/);
    expect(() => new manual.Conv2d(1, 3, 3, 0)).toThrow(/Conv2d: stride must be a positive integer, got 0/);
    expect(() => new manual.Conv2d(1, 3, 3, 1, -1)).toThrow(/Conv2d: padding must be a non-negative integer, got -1/);
  });

  it('padding makes a kernel larger than the raw input valid', () => {
    const m = new manual.Conv2d(1, 1, 3, 1, 1, f64);
    expect(m.forward(zeros([1, 1, 1, 1], f64)).shape).toEqual([1, 1, 1, 1]);
  });
});
