import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, gradgradcheck, mul, slice, Tensor, zeros } from '@dl/autograd';
import { ConvTranspose2d, F } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile, stateFromJSON } from '../support/golden.js';

const golden = goldenFile('upsampling');
const small = fc.integer({ min: 1, max: 3 });
const pair = (a: fc.Arbitrary<number>) => fc.tuple(a, a);

/** Random transposed-conv geometries whose output is non-empty; outputPadding < stride or < dilation, as PyTorch requires. */
const arbConvT = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    cin: fc.integer({ min: 1, max: 2 }),
    cout: fc.integer({ min: 1, max: 2 }),
    k: pair(small),
    stride: pair(small),
    padding: pair(fc.nat(2)),
    dilation: pair(fc.integer({ min: 1, max: 2 })),
    opSeed: pair(fc.nat(2)),
    size: pair(fc.integer({ min: 1, max: 3 })),
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .map((c) => {
    const outputPadding = [0, 1].map((i) => c.opSeed[i]! % Math.max(c.stride[i]!, c.dilation[i]!)) as [number, number];
    const out = [0, 1].map((i) => (c.size[i]! - 1) * c.stride[i]! - 2 * c.padding[i]! + c.dilation[i]! * (c.k[i]! - 1) + outputPadding[i]! + 1);
    return { ...c, outputPadding, out };
  })
  .filter((c) => c.out[0]! >= 1 && c.out[1]! >= 1);

type ConvTCase = typeof arbConvT extends fc.Arbitrary<infer T> ? T : never;

function make(c: ConvTCase): ConvTranspose2d {
  return new ConvTranspose2d(c.cin, c.cout, c.k, {
    stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation, bias: c.bias,
    dtype: 'float64', generator: new Generator(c.seed),
  });
}

/** The sum of the elementwise product of two tensors of the same shape. */
function dot(a: Tensor, b: Tensor): number {
  expect([...a.shape]).toEqual([...b.shape]);
  let s = 0;
  for (let i = 0; i < a.numel(); i++) s += a.data[i]! * b.data[i]!;
  return s;
}

describe('ConvTranspose2d', () => {
  it('gradcheck: input, weight and bias over random sizes, strides, paddings, output paddings and dilations', () => {
    fc.assert(
      fc.property(arbConvT.chain((c) => fc.tuple(fc.constant(c), arbT([c.n, c.cin, ...c.size]))), ([c, x]) => {
        const m = make(c);
        expect(m.forward(x).shape).toEqual([c.n, c.cout, ...c.out]);
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 30 },
    );
  });

  it('gradgradcheck: double backward through input, weight and bias', () => {
    fc.assert(
      fc.property(
        arbConvT.chain((c) => fc.tuple(fc.constant(c), arbT([1, c.cin, ...c.size]), arbT([c.cin, c.cout, ...c.k]), arbT([c.cout]))),
        ([c, x, w, b]) => {
          const o = { stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation };
          // Squared so the second derivative is not zero.
          return gradgradcheck((xi, wi, bi) => {
            const y = F.convTranspose2d(xi!, wi!, bi!, o);
            return mul(y, y);
          }, [x, w, b]);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('is the adjoint of conv2d with the same weight: <convTranspose2d(x, w), z> = <x, conv2d(z, w)>', () => {
    fc.assert(
      fc.property(
        arbConvT.chain((c) => fc.tuple(fc.constant(c), arbT([c.n, c.cin, ...c.size]), arbT([c.cin, c.cout, ...c.k]), arbT([c.n, c.cout, ...c.out]))),
        ([c, x, w, z]) => {
          const y = F.convTranspose2d(x, w, null, { stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, dilation: c.dilation });
          // An output padding past the stride gives conv2d extra windows, which see only padding of x: drop them.
          let back = F.conv2d(z, w, null, { stride: c.stride, padding: c.padding, dilation: c.dilation });
          back = slice(slice(back, 2, 0, c.size[0]), 3, 0, c.size[1]);
          expect(Math.abs(dot(y, z) - dot(x, back))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(dot(y, z))));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('matches PyTorch: output and the gradients of input, weight and bias (stride 2 + outputPadding, dilation, non-square)', () => {
    expect(golden.convTranspose2d.length).toBeGreaterThanOrEqual(7);
    for (const c of golden.convTranspose2d) {
      const o = { stride: c.stride, padding: c.padding, outputPadding: c.output_padding, dilation: c.dilation };
      const m = new ConvTranspose2d(c.cin, c.cout, c.k, { ...o, bias: c.bias, dtype: 'float64' });
      m.loadStateDict(stateFromJSON(c.state));
      const x = fromJSON(c.xv).requiresGrad_(true);
      const y = m.forward(x);
      expectClose(y, c.y);
      y.mul(fromJSON(c.v)).sum().backward();
      expectClose(x.grad!, c.gx);
      expectClose(m.weight.grad!, c.gw);
      if (c.bias) expectClose(m.bias!.grad!, c.gb);
      expectClose(F.convTranspose2d(fromJSON(c.xv), m.weight, m.bias, o), c.y);
    }
  });

  it('forward(x, outputSize) picks the output padding that reaches the size, as PyTorch', () => {
    const c = golden.convTranspose2dOutputSize;
    const m = new ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1, dtype: 'float64' });
    m.loadStateDict(stateFromJSON(c.state));
    expectClose(m.forward(fromJSON(c.xv), c.outputSize), c.y);
    expect(m.forward(fromJSON(c.xv), [5, 7]).shape).toEqual([1, 2, 5, 7]);
    expect(() => m.forward(fromJSON(c.xv), [7, 7])).toThrow(
      /^ConvTranspose2d: requested outputSize \(7, 7\) is not reachable from input shape \[1,2,3,4\]: dim 2 must lie in \[5, 6\]$/,
    );
  });

  it('has weight [in, out, kH, kW] initialised as PyTorch: fan-in out·kH·kW for this layout', () => {
    const m = new ConvTranspose2d(3, 8, [3, 5], { generator: new Generator(2) });
    expect(m.weight.shape).toEqual([3, 8, 3, 5]);
    expect(m.bias!.shape).toEqual([8]);
    // kaiming-uniform with a = √5 gives the bound 1/√fanIn for the weight as for the bias.
    const bound = 1 / Math.sqrt(8 * 15);
    const wmax = Math.max(...Array.from(m.weight.data, Math.abs));
    expect(wmax).toBeLessThanOrEqual(bound);
    // 360 draws: the largest comes near the bound (a fan-in of in·kH·kW would allow 1.6x more).
    expect(wmax).toBeGreaterThan(0.9 * bound);
    expect(Math.max(...Array.from(m.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
  });

  it("has the state-dict keys 'weight' and 'bias' (only 'weight' without bias)", () => {
    expect(Object.keys(new ConvTranspose2d(2, 3, 3).stateDict())).toEqual(['weight', 'bias']);
    expect(Object.keys(new ConvTranspose2d(2, 3, 3, { bias: false }).stateDict())).toEqual(['weight']);
    expect(new ConvTranspose2d(2, 3, 3, { bias: false }).bias).toBeNull();
  });

  it("prints as PyTorch's", () => {
    expect(new ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }).toString()).toBe(golden.repr.convTranspose);
    expect(new ConvTranspose2d(4, 6, [2, 3], { dilation: 2, bias: false }).toString()).toBe(golden.repr.convTransposeDilated);
    expect(new ConvTranspose2d(1, 2, 5).toString()).toBe(golden.repr.convTransposePlain);
  });

  it('errors name the layer and the shapes', () => {
    const m = new ConvTranspose2d(4, 2, 3);
    expect(() => m.forward(zeros([1, 3, 5, 5]))).toThrow(
      /^ConvTranspose2d: input has 3 channels, expected inChannels 4 \(input shape \[1,3,5,5\], weight shape \[4,2,3,3\]\)$/,
    );
    expect(() => m.forward(zeros([4, 5, 5]))).toThrow(/^ConvTranspose2d: expected a 4-D input \[N, C, H, W\], got shape \[4,5,5\]$/);
    expect(() => m.forward(zeros([1, 4, 5, 5], { dtype: 'float64' }))).toThrow(/ConvTranspose2d: input dtype float64 does not match the weight's float32/);
    expect(() => new ConvTranspose2d(1, 1, 3, { stride: 2, outputPadding: 2 })).toThrow(
      /^ConvTranspose2d: outputPadding must be smaller than either stride or dilation, got outputPadding \(2, 2\), stride \(2, 2\), dilation \(1, 1\)$/,
    );
    expect(() => new ConvTranspose2d(1, 1, 3, { outputPadding: [0, 1] })).toThrow(/ConvTranspose2d: outputPadding must be smaller than either stride or dilation/);
    expect(() => new ConvTranspose2d(1, 1, 3, { outputPadding: -1 })).toThrow(/^ConvTranspose2d: outputPadding must be non-negative integers, got -1$/);
    expect(() => new ConvTranspose2d(0, 1, 3)).toThrow(/^ConvTranspose2d: inChannels must be a positive integer, got 0$/);
    expect(() => new ConvTranspose2d(1, 1.5, 3)).toThrow(/^ConvTranspose2d: outChannels must be a positive integer, got 1.5$/);
    expect(() => new ConvTranspose2d(1, 1, [3, 0])).toThrow(/^ConvTranspose2d: kernelSize must be positive integers, got \[3,0\]$/);
    expect(() => new ConvTranspose2d(1, 1, 3, { stride: 0 })).toThrow(/^ConvTranspose2d: stride must be positive integers, got 0$/);
    expect(() => new ConvTranspose2d(1, 1, 1, { padding: 1 }).forward(zeros([1, 1, 1, 1]))).toThrow(
      /^ConvTranspose2d: output size -1x-1 is too small \(input shape \[1,1,1,1\], kernel 1x1, stride 1,1, padding 1,1, dilation 1,1\)$/,
    );
    const x = zeros([1, 2, 3, 3]);
    expect(() => F.convTranspose2d(x, zeros([2, 1, 3, 3]), null, { groups: 2 })).toThrow(
      /^convTranspose2d: groups must be 1 \(grouped transposed convolution is not supported\), got 2$/,
    );
    expect(() => F.convTranspose2d(x, zeros([2, 1, 3]))).toThrow(/^convTranspose2d: weight must be 4-D \[inChannels, outChannels, kH, kW\], got shape \[2,1,3\]$/);
    expect(() => F.convTranspose2d(x, zeros([2, 3, 3, 3]), zeros([2]))).toThrow(/^convTranspose2d: bias must have shape \[3\], got \[2\]$/);
    expect(() => F.convTranspose2d(x, zeros([2, 1, 3, 3]), null, { outputPadding: 1 })).toThrow(/^convTranspose2d: outputPadding must be smaller/);
    // Allowed by the dilation even though it is not below the stride, as in PyTorch.
    expect(F.convTranspose2d(x, zeros([2, 1, 3, 3]), null, { dilation: 3, outputPadding: 2 }).shape).toEqual([1, 1, 11, 11]);
  });
});
