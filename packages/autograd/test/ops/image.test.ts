import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Tensor, conv2d, convTranspose2d, fold, gradients, tensor, max, maxPool2d, mul, pad, reshape, sum, unfold, zeros, type ConvTransposeOptions, type Size2, type WindowOptions,
} from '@dl/autograd';
import { arbTensor, backwardIsLinear, gradcheck, gradgradcheck, retainGraphDoubles, unusedBranchIsInert } from '@dl/autograd/testing';
import { describeSampledOpInfos, loadGoldenTable, row, type SampledOpInfo } from './opInfo.js';

// Golden values from PyTorch: fixtures/image.py.
const golden = loadGoldenTable('image');

// ---------------------------------------------------------------------------------------------
// Random window geometries.

interface UnfoldOptions extends WindowOptions { kernelSize: Size2 }
// The window options alone: unknown keys such as kernelSize are refused.
const win = ({ stride, padding, dilation }: WindowOptions): WindowOptions => ({ stride, padding, dilation });
interface FoldOptions extends UnfoldOptions { outputSize: Size2 }

/** One spatial axis: image size, kernel, stride, padding, dilation, with the kernel fitting in the padded image. */
const arbAxis = fc
  .record({
    size: fc.integer({ min: 1, max: 5 }),
    k: fc.integer({ min: 1, max: 3 }),
    s: fc.integer({ min: 1, max: 3 }),
    p: fc.integer({ min: 0, max: 2 }),
    d: fc.integer({ min: 1, max: 2 }),
  })
  .filter(({ size, k, p, d }) => d * (k - 1) + 1 <= size + 2 * p);
/** Batch, channels, both axes; options written as a number when both axes agree, else as a pair. */
const arbGeometry = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), arbAxis, arbAxis).map(([n, c, h, w]) => {
  const two = (a: number, b: number): Size2 => (a === b ? a : [a, b]);
  const opts: UnfoldOptions = { kernelSize: two(h.k, w.k), stride: two(h.s, w.s), padding: two(h.p, w.p), dilation: two(h.d, w.d) };
  const windows = (a: typeof h) => Math.floor((a.size + 2 * a.p - a.d * (a.k - 1) - 1) / a.s) + 1;
  return { image: [n, c, h.size, w.size], cols: [n, c * h.k * w.k, windows(h) * windows(w)], opts, outputSize: two(h.size, w.size) };
});

const opInfos: SampledOpInfo<any>[] = [
  row<UnfoldOptions>({
    name: 'unfold',
    sample: arbGeometry.chain((g) => arbTensor(g.image).map((x): [Tensor[], UnfoldOptions] => [[x], g.opts])),
    fn: (o) => (x) => unfold(x, o.kernelSize, win(o)),
    gradgrad: true,
  }),
  row<FoldOptions>({
    name: 'fold',
    sample: arbGeometry.chain((g) => arbTensor(g.cols).map((x): [Tensor[], FoldOptions] => [[x], { ...g.opts, outputSize: g.outputSize }])),
    fn: (o) => (x) => fold(x, o.outputSize, o.kernelSize, win(o)),
    gradgrad: true,
  }),
  row<WindowOptions>({
    name: 'conv2d',
    // x, weight [O, C, kh, kw] and bias [O], with 1 to 3 output channels.
    sample: arbGeometry.chain((g) => {
      const [kh, kw] = typeof g.opts.kernelSize === 'number' ? [g.opts.kernelSize, g.opts.kernelSize] : g.opts.kernelSize;
      return fc.integer({ min: 1, max: 3 }).chain((o) =>
        fc.tuple(arbTensor(g.image), arbTensor([o, g.image[1]!, kh, kw]), arbTensor([o])).map((xs): [Tensor[], WindowOptions] => [xs, win(g.opts)]));
    }),
    fn: (o) => (x, w, b) => conv2d(x!, w!, b!, win(o)),
    gradgrad: true,
  }),
  row<ConvTransposeOptions>({
    name: 'convTranspose2d',
    // The transposed window of a random conv2d geometry: x of the conv's output size [N, I, oh, ow], weight
    // [I, C, kh, kw] and bias [C], back to the image's size, the output padding being what the conv's floor dropped.
    sample: arbGeometry.chain((g) => {
      const [kh, kw] = typeof g.opts.kernelSize === 'number' ? [g.opts.kernelSize, g.opts.kernelSize] : g.opts.kernelSize;
      const two = (v: Size2 | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);
      const [s, p, d] = [two(g.opts.stride, 1), two(g.opts.padding, 0), two(g.opts.dilation, 1)];
      const extra = [0, 1].map((i) => (g.image[2 + i]! + 2 * p[i]! - d[i]! * ([kh, kw][i]! - 1) - 1) % s[i]!) as [number, number];
      const L = g.cols[2]!;
      const oh = Math.floor((g.image[2]! + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
      return fc.integer({ min: 1, max: 3 }).chain((i) =>
        fc.tuple(arbTensor([g.image[0]!, i, oh, L / oh]), arbTensor([i, g.image[1]!, kh, kw]), arbTensor([g.image[1]!])).map(
          (xs): [Tensor[], ConvTransposeOptions] => [xs, { ...win(g.opts), outputPadding: extra[0] === extra[1] ? extra[0] : extra }]));
    }),
    fn: (o) => (x, w, b) => convTranspose2d(x!, w!, b!, o),
    gradgrad: true,
  }),
];

describeSampledOpInfos(opInfos, golden, {
  over: 'random sizes, kernels, strides, paddings and dilations',
  goldenTitle: 'matches PyTorch on the golden cases, gradients included',
  runs: { first: 40, second: 15 },
});

describe('unfold and fold', () => {
  const pairs = arbGeometry.chain((g) => fc.tuple(arbTensor(g.image), arbTensor(g.cols), fc.constant(g)));

  it('are adjoint: <unfold(x), y> = <x, fold(y)>', () => {
    fc.assert(
      fc.property(pairs, ([x, y, g]) => {
        const lhs = sum(mul(unfold(x, g.opts.kernelSize, win(g.opts)), y)).item();
        const rhs = sum(mul(x, fold(y, g.outputSize, g.opts.kernelSize, win(g.opts)))).item();
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lhs)));
      }),
      { numRuns: 50 },
    );
  });

  it('pass the ready-made gradient properties', () => {
    const images = arbGeometry.chain((g) => arbTensor(g.image).map((x) => ({ x, g })));
    const unfoldOf = (x: Tensor) => unfold(x, 2, { padding: 1 });
    fc.assert(backwardIsLinear(unfoldOf, images.map(({ x }) => [x])), { numRuns: 20 });
    fc.assert(retainGraphDoubles(unfoldOf, images.map(({ x }) => [x])), { numRuns: 20 });
    fc.assert(unusedBranchIsInert((c) => fold(c, 2, 1), arbTensor([1, 3, 4]).map((c) => [c])), { numRuns: 20 });
  });

  it('keep float32 in float32', () => {
    const x = new Tensor(Float32Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]);
    const cols = unfold(x, 2, { stride: 2 });
    expect([cols.dtype, fold(cols, 4, 2, { stride: 2 }).dtype]).toEqual(['float32', 'float32']);
    expect(cols.toArray()).toEqual([[[0, 2, 8, 10], [1, 3, 9, 11], [4, 6, 12, 14], [5, 7, 13, 15]]]);
  });
});

describe('maxPool2d', () => {
  // Pooling geometries: padding at most half the kernel, as PyTorch requires.
  const arbPool = arbGeometry.filter(({ opts }) => {
    const [kh, kw] = typeof opts.kernelSize === 'number' ? [opts.kernelSize, opts.kernelSize] : opts.kernelSize;
    const [ph, pw] = typeof opts.padding === 'number' ? [opts.padding, opts.padding] : opts.padding!;
    return ph <= Math.floor(kh / 2) && pw <= Math.floor(kw / 2);
  });
  const two = (v: Size2 | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);
  /**
   * PyTorch's CPU max_pool2d by hand (aten's MaxPoolKernel): from the first in-image tap, with −∞ as the
   * best so far, a tap is taken when val > best or val is NaN. Returns the values, the gradient for
   * upstream v, and the gradient of ⟨that gradient, w⟩ with respect to v.
   */
  function reference(x: Tensor, o: UnfoldOptions, v: Tensor, w: Tensor): Float64Array[] {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const [kh, kw] = two(o.kernelSize, 1);
    const [sh, sw] = two(o.stride, 1);
    const [ph, pw] = two(o.padding, 0);
    const [dh, dw] = two(o.dilation, 1);
    const [oh, ow] = maxPool2d(x.detach(), o.kernelSize, win(o)).shape.slice(2) as [number, number];
    const make = (n: number) => (x.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
    const y = make(N * C * oh * ow);
    const gx = make(N * C * H * W);
    const gv = make(y.length);
    let p = 0;
    for (let nc = 0; nc < N * C; nc++) {
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++, p++) {
          let best = -Infinity;
          let at = -1;
          for (let ki = 0; ki < kh; ki++) {
            for (let kj = 0; kj < kw; kj++) {
              const iy = oy * sh - ph + ki * dh;
              const ix = ox * sw - pw + kj * dw;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const q = (nc * H + iy) * W + ix;
              const val = x.data[q]!;
              if (at < 0 || val > best || Number.isNaN(val)) {
                best = val;
                at = q;
              }
            }
          }
          y[p] = at < 0 ? -Infinity : x.data[at]!;
          if (at >= 0) {
            gx[at] = gx[at]! + v.data[p]!;
            gv[p] = w.data[at]!;
          }
        }
      }
    }
    return [y, gx, gv].map((t) => Float64Array.from(t));
  }
  /** Values, gradient and gradient of the gradient of `f` at x for upstream v and w. */
  function run(f: (x: Tensor) => Tensor, x0: Tensor, v: Tensor, w: Tensor): Float64Array[] {
    const x = x0.detach().requiresGrad_();
    const vv = v.detach().requiresGrad_();
    const y = f(x);
    const [gx] = gradients([y], [x], { gradOutputs: [vv], createGraph: true });
    const [gv] = gradients([sum(mul(gx!, w))], [vv]);
    return [y, gx!, gv!].map((t) => Float64Array.from(t.data));
  }
  // Small integers make ties common, and NaN and ±Infinity show up now and then.
  const special = fc.constantFrom(NaN, Infinity, -Infinity, -0);
  const arbValues = (shape: number[], dtype: 'float32' | 'float64') =>
    fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -2, max: 2 }) }, { weight: 1, arbitrary: special }), {
      minLength: shape.reduce((a, b) => a * b, 1),
      maxLength: shape.reduce((a, b) => a * b, 1),
    }).map((vs) => new Tensor(dtype === 'float32' ? Float32Array.from(vs) : Float64Array.from(vs), shape));

  it("gives bit for bit PyTorch's values, gradients and second-order gradients (ties, NaN, ±∞, overlaps, padding, float32)", () => {
    // Unpadded 2x2 windows (the common pooling, which has its own kernel path) get half the samples.
    const pool2x2 = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }))
      .filter(([, , h, w, , d]) => d + 1 <= Math.min(h, w))
      .map(([n, c, h, w, s, d]) => ({ image: [n, c, h, w], opts: { kernelSize: 2, stride: s, padding: 0, dilation: d } as UnfoldOptions }));
    const cases = fc.oneof(arbPool, pool2x2).chain((g) => {
      const out = [...maxPool2d(zeros(g.image), g.opts.kernelSize, win(g.opts)).shape];
      return fc.constantFrom<'float32' | 'float64'>('float32', 'float64').chain((dtype) =>
        fc.tuple(arbValues(g.image, dtype), arbValues(out, dtype), arbValues(g.image, dtype), fc.constant(g.opts)));
    });
    fc.assert(
      fc.property(cases, ([x, v, w, o]) => {
        const got = run((t) => maxPool2d(t, o.kernelSize, win(o)), x, v, w);
        const want = reference(x, o, v, w);
        got.forEach((a, i) => expect(Array.from(a).map(String), ['values', 'gradient', 'second order'][i]).toEqual(Array.from(want[i]!).map(String)));
        got.forEach((a, i) => a.forEach((e, j) => expect(Object.is(e, want[i]![j]), `sign of zero at ${i}/${j}`).toBe(true)));
      }),
      { numRuns: 60 },
    );
  });

  it('matches torch.nn.functional.max_pool2d where the rule matters: windows starting in the padding, several NaNs', () => {
    // torch: an all -inf 3x3 image, kernel 3, stride 1, padding 1:
    // x.grad after max_pool2d(x, 3, 1, 1).sum().backward() is [[4,2,0],[2,1,0],[0,0,0]].
    const x = tensor(Array.from({ length: 9 }, () => -Infinity), { shape: [1, 1, 3, 3], dtype: 'float64', requiresGrad: true });
    maxPool2d(x, 3, { stride: 1, padding: 1 }).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 2, 0, 2, 1, 0, 0, 0, 0]);
    // torch: [[nan, 1], [nan, 0]] with kernel 2 sends the gradient to the last NaN.
    for (const dtype of ['float32', 'float64'] as const) {
      const y = tensor([NaN, 1, NaN, 0], { shape: [1, 1, 2, 2], dtype, requiresGrad: true });
      maxPool2d(y, 2).sum().backward();
      expect(Array.from(y.grad!.data)).toEqual([0, 0, 1, 0]);
    }
  });

  it('has gradients and second-order gradients matching central differences (float64, no ties)', () => {
    // Distinct values 0.05 apart, in a random order.
    const distinct = arbPool.chain((g) => {
      const n = g.image.reduce((a, b) => a * b, 1);
      const order = Array.from({ length: n }, (_, i) => i);
      return fc.shuffledSubarray(order, { minLength: n, maxLength: n }).map((perm) => ({
        x: new Tensor(Float64Array.from(perm, (i) => (i - n / 2) * 0.05), g.image),
        o: g.opts,
      }));
      // A window of padding only (dilation can make one) gives -Infinity, where differences are NaN.
    }).filter(({ x, o }) => maxPool2d(x, o.kernelSize, win(o)).data.every(Number.isFinite));
    fc.assert(
      fc.property(distinct, ({ x, o }) => {
        gradcheck((t) => maxPool2d(t, o.kernelSize, win(o)), [x]);
        return gradgradcheck((t) => maxPool2d(t, o.kernelSize, win(o)), [x]);
      }),
      { numRuns: 25 },
    );
  });

  it('defaults the stride to the kernel size and keeps float32', () => {
    const x = new Tensor(Float32Array.from({ length: 16 }, (_, i) => (i * 7) % 16), [1, 1, 4, 4]);
    const y = maxPool2d(x, 2);
    expect([y.dtype, y.shape]).toEqual(['float32', [1, 1, 2, 2]]);
    expect(Array.from(y.data)).toEqual([12, 14, 15, 13]);
  });

  it('rejects bad input, naming the op', () => {
    expect(() => maxPool2d(zeros([2, 4, 4]), 2)).toThrow(/^maxPool2d: expects a 4-D input \[N, C, H, W\], got shape \[2,4,4\]/);
    expect(() => maxPool2d(zeros([1, 1, 4, 4]), 3, { padding: 2 })).toThrow(/^maxPool2d: padding 2,2 must be at most half the kernel size 3x3/);
    expect(() => maxPool2d(zeros([1, 1, 2, 2]), 3)).toThrow(/^maxPool2d: kernel 3x3 .* larger than the padded input 2x2/);
  });
});

describe('bad input', () => {
  const x = zeros([1, 2, 4, 4]);
  it('rejects a kernel larger than the padded input, naming both', () => {
    expect(() => unfold(x, 5)).toThrow(/^unfold: kernel 5x5 is larger than the padded input 4x4 \(input shape \[1,2,4,4\], padding 0,0\)/);
    expect(() => unfold(x, 3, { dilation: 2 })).toThrow(/^unfold: kernel 3x3 \(extent 5x5 with dilation 2,2\) is larger than the padded input 4x4/);
    expect(() => unfold(x, [2, 7], { padding: [0, 1] })).toThrow(/^unfold: kernel 2x7 .* larger than the padded input 4x6/);
    expect(() => fold(zeros([1, 9, 1]), 2, 3)).toThrow(/^fold: kernel 3x3 .* larger than the padded input 2x2/);
  });
  it('rejects inputs that are not 4-D images (unfold) or 3-D columns (fold)', () => {
    expect(() => unfold(zeros([2, 4, 4]), 2)).toThrow(/^unfold: expects a 4-D input \[N, C, H, W\], got shape \[2,4,4\]/);
    expect(() => fold(zeros([4, 9]), 4, 2)).toThrow(/^fold: expects a 3-D input \[N, C\*kh\*kw, L\], got shape \[4,9\]/);
  });
  it('rejects zero, negative and fractional sizes', () => {
    expect(() => unfold(x, 0)).toThrow(/^unfold: kernelSize must be positive integers, got 0/);
    expect(() => unfold(x, [2, -1])).toThrow(/^unfold: kernelSize must be positive integers, got \[2,-1\]/);
    expect(() => unfold(x, 2, { stride: 0 })).toThrow(/^unfold: stride must be positive integers, got 0/);
    expect(() => unfold(x, 2, { dilation: [1, 0] })).toThrow(/^unfold: dilation must be positive integers, got \[1,0\]/);
    expect(() => unfold(x, 2, { padding: -1 })).toThrow(/^unfold: padding must be non-negative integers, got -1/);
    expect(() => unfold(x, 1.5)).toThrow(/^unfold: kernelSize must be positive integers, got 1.5/);
    expect(() => fold(zeros([1, 4, 9]), 0, 2)).toThrow(/^fold: outputSize must be positive integers, got 0/);
    expect(() => fold(zeros([1, 4, 9]), 4, 2, { stride: -2 })).toThrow(/^fold: stride must be positive integers, got -2/);
  });
  it('rejects columns that do not match the windows (fold)', () => {
    expect(() => fold(zeros([1, 4, 5]), 3, 2)).toThrow(/^fold: 5 columns in shape \[1,4,5\] do not match the 2x2 windows of a 3x3 output/);
    expect(() => fold(zeros([1, 5, 4]), 3, 2)).toThrow(/^fold: dim 1 of shape \[1,5,4\] is not divisible by the kernel size 2x2/);
  });
});

describe('convTranspose2d', () => {
  const pairOf = (v: Size2 | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]]);

  it('equals its definition, each input pixel spreading x·w over its window, for any stride, dilation and output padding (float64 property)', () => {
    const geometry = fc.record({
      N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 2 }), O: fc.integer({ min: 1, max: 2 }),
      H: fc.integer({ min: 1, max: 4 }), W: fc.integer({ min: 1, max: 4 }), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }),
      s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), d: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      p: fc.tuple(fc.nat(2), fc.nat(2)), e: fc.tuple(fc.nat(2), fc.nat(2)), bias: fc.boolean(),
    }).map((g) => {
      // Output padding below the stride or the dilation (past the stride when the dilation is larger), and
      // padding small enough to leave an output: constructed, not filtered.
      const e = g.e.map((v, i) => v % Math.max(g.s[i]!, g.d[i]!)) as [number, number];
      const k = [g.kh, g.kw];
      const p = g.p.map((v, i) => Math.min(v, Math.floor(([g.H, g.W][i]! - 1) * g.s[i]! / 2 + g.d[i]! * (k[i]! - 1) / 2))) as [number, number];
      return { ...g, e, p };
    });
    fc.assert(fc.property(geometry.chain((g) => fc.tuple(fc.constant(g), arbTensor([g.N, g.C, g.H, g.W]), arbTensor([g.C, g.O, g.kh, g.kw]), arbTensor([g.O]))), ([g, x, w, b]) => {
      const y = convTranspose2d(x, w, g.bias ? b : null, { stride: g.s, padding: g.p, outputPadding: g.e, dilation: g.d });
      const [OH, OW] = [0, 1].map((i) => ([g.H, g.W][i]! - 1) * g.s[i]! - 2 * g.p[i]! + g.d[i]! * ([g.kh, g.kw][i]! - 1) + g.e[i]! + 1) as [number, number];
      expect(y.shape).toEqual([g.N, g.O, OH, OW]);
      const want = new Float64Array(g.N * g.O * OH * OW);
      for (let n = 0; n < g.N; n++) for (let o = 0; o < g.O; o++) for (let q = 0; q < OH * OW; q++) want[(n * g.O + o) * OH * OW + q] = g.bias ? b.data[o]! : 0;
      for (let n = 0; n < g.N; n++) for (let c = 0; c < g.C; c++) for (let i = 0; i < g.H; i++) for (let j = 0; j < g.W; j++) {
        for (let ki = 0; ki < g.kh; ki++) for (let kj = 0; kj < g.kw; kj++) {
          const [oy, ox] = [i * g.s[0] - g.p[0] + ki * g.d[0], j * g.s[1] - g.p[1] + kj * g.d[1]];
          if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
          for (let o = 0; o < g.O; o++) {
            want[((n * g.O + o) * OH + oy) * OW + ox] = want[((n * g.O + o) * OH + oy) * OW + ox]! + x.data[((n * g.C + c) * g.H + i) * g.W + j]! * w.data[((c * g.O + o) * g.kh + ki) * g.kw + kj]!;
          }
        }
      }
      want.forEach((v, q) => expect(Math.abs(y.data[q]! - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
    }), { numRuns: 100 });
  });

  it("is conv2d's input gradient: the shapes and values land where conv2d's backward puts them", () => {
    fc.assert(fc.property(arbGeometry.chain((g) => fc.tuple(arbTensor(g.image), fc.integer({ min: 1, max: 3 }), fc.constant(g))), ([x, o, g]) => {
      const [kh, kw] = pairOf(g.opts.kernelSize, 1);
      const [s, p, d] = [pairOf(g.opts.stride, 1), pairOf(g.opts.padding, 0), pairOf(g.opts.dilation, 1)];
      const w = reshape(tensor(Array.from({ length: o * x.shape[1]! * kh * kw }, (_, i) => Math.sin(i + 1)), { dtype: x.dtype }), [o, x.shape[1]!, kh, kw]);
      const xs = x.detach().requiresGrad_();
      const y = conv2d(xs, w, null, win(g.opts));
      const up = y.detach().mul(1.5).add(0.25);
      const [want] = gradients([y], [xs], { gradOutputs: [up] });
      const extra = [0, 1].map((i) => (x.shape[2 + i]! + 2 * p[i]! - d[i]! * ([kh, kw][i]! - 1) - 1) % s[i]!) as [number, number];
      const got = convTranspose2d(up, w, null, { ...win(g.opts), outputPadding: extra });
      expect(got.shape).toEqual(x.shape);
      expect(got.toArray()).toEqual(want!.toArray());
    }), { numRuns: 40 });
  });

  const x = zeros([2, 3, 4, 4]).add(1);
  const w = zeros([3, 2, 3, 3]).add(0.5);
  const b = tensor([1, 2]);

  it("takes PyTorch's positional stride, padding, outputPadding, groups and dilation", () => {
    expect(convTranspose2d(x, w, b, 2, 1, 1).toArray()).toEqual(convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }).toArray());
    expect(convTranspose2d(x, w, b, 2, 1, 1).shape).toEqual([2, 2, 8, 8]);
    expect(convTranspose2d(x, w, null, 1, 0, 0, 1, 2).toArray()).toEqual(convTranspose2d(x, w, null, { dilation: 2 }).toArray());
  });

  it('refuses bad settings and shapes, naming convTranspose2d', () => {
    expect(() => convTranspose2d(x, w, b, { groups: 2 })).toThrow(/^convTranspose2d: groups must be 1/);
    expect(() => convTranspose2d(x, w, b, { outputPadding: 1 })).toThrow(/^convTranspose2d: outputPadding must be smaller than either stride or dilation/);
    expect(() => convTranspose2d(x, w, b, { padding: 3 })).toThrow(/^convTranspose2d: output size 0x0 is too small/);
    expect(() => convTranspose2d(x, zeros([2, 2, 3, 3]), b)).toThrow(/^convTranspose2d: expected input with 2 channels .*\[2,3,4,4\]/);
    expect(() => convTranspose2d(x, w, tensor([1, 2, 3]))).toThrow(/^convTranspose2d: bias must have shape \[2\], got \[3\]/);
    expect(() => convTranspose2d(reshape(x, [2, 3, 16]), w, b)).toThrow(/^convTranspose2d: expected a 4-D input/);
    expect(() => convTranspose2d(x.double(), w, b)).toThrow(/^convTranspose2d: input dtype float64 does not match the weight's float32/);
    expect(() => convTranspose2d(x, w, b, { stride: 0 })).toThrow(/^convTranspose2d: stride must be positive/);
    expect(() => convTranspose2d(x, w, b, { output_padding: 1 } as never)).toThrow(/^convTranspose2d: .*output_padding/);
  });
});

describe('conv2d arguments', () => {
  const x = tensor(Array.from({ length: 2 * 3 * 5 * 5 }, (_, i) => Math.sin(i)), { shape: [2, 3, 5, 5] });
  const w = tensor(Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.cos(i)), { shape: [4, 3, 3, 3] });
  const b = tensor([0.5, -1, 2, 0]);

  it("takes PyTorch's positional stride, padding and dilation, as the options object", () => {
    expect(conv2d(x, w, b, 2, 1).toArray()).toEqual(conv2d(x, w, b, { stride: 2, padding: 1 }).toArray());
    expect(conv2d(x, w, null, 1, 2, 2).toArray()).toEqual(conv2d(x, w, null, { padding: 2, dilation: 2 }).toArray());
  });

  it('refuses unknown options, wrong types and mismatched shapes, naming conv2d and the shapes', () => {
    expect(() => conv2d(x, w, b, { groups: 2 } as never)).toThrow(/^conv2d: .*groups/);
    expect(() => conv2d(x, w, b, { padding: 'same' } as never)).toThrow(/^conv2d: /);
    expect(() => conv2d(x, reshape(w, [4, 27]), b)).toThrow(/^conv2d: weight must be 4-D .*\[4,27\]/);
    expect(() => conv2d(x, zeros([4, 2, 3, 3]), b)).toThrow(/^conv2d: expected input with 2 channels .*\[4,2,3,3\].*\[2,3,5,5\]/);
    expect(() => conv2d(x, w, tensor([1, 2]))).toThrow(/^conv2d: bias must have shape \[4\], got \[2\]/);
    expect(() => conv2d(x, w, b, { padding: -1 })).toThrow(/^conv2d: padding must be non-negative/);
    expect(() => conv2d(x, zeros([4, 3, 9, 9]), b)).toThrow(/^conv2d: kernel 9x9 .* larger than the padded input 5x5/);
    expect(() => conv2d(x.double(), w, b)).toThrow(/^conv2d: input dtype float64 does not match the weight's float32/);
  });
});
