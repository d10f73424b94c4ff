import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  exp, gelu, leakyRelu, log, logSoftmax, relu, sigmoid, softmax, sum, tanh, tensor,
  type GeluOptions, type LeakyReluOptions, type Tensor,
} from '@dl/autograd';
import { arbShape, arbTensor } from '@dl/autograd/testing';
import { awayFromZero, describeOpInfos, loadGolden, RUNS, unaryRow, unaryShapes, type OpInfo } from './opInfo.js';

/** Any valid dim of a tensor of this shape, negative ones included (a 0-d tensor takes 0 and -1). */
const arbDim = ([s]: number[][]) => {
  const n = Math.max(s!.length, 1);
  return fc.integer({ min: -n, max: n - 1 }).map((dim) => ({ dim }));
};

/** The row of an op along one dim (softmax, logSoftmax). */
function dimRow(name: string, op: (x: Tensor, dim: number) => Tensor): OpInfo<{ dim: number }> {
  return { name, fn: ([x], { dim }) => op(x as Tensor, dim), arity: 1, shapes: unaryShapes, options: arbDim, secondOrder: true };
}

const opInfos: OpInfo<any>[] = [
  unaryRow('relu', relu, { avoidKinks: awayFromZero }),
  unaryRow('sigmoid', sigmoid),
  unaryRow('tanh', tanh),
  dimRow('softmax', softmax),
  dimRow('logSoftmax', logSoftmax),
  {
    name: 'gelu',
    fn: ([x], options: GeluOptions) => gelu(x as Tensor, options),
    arity: 1,
    shapes: unaryShapes,
    options: () => fc.constantFrom<GeluOptions>({}, { approximate: 'none' }),
    secondOrder: true,
  } satisfies OpInfo<GeluOptions>,
  unaryRow('gelu', (x) => gelu(x, { approximate: 'tanh' }), { label: "gelu (approximate: 'tanh')" }),
  {
    name: 'leakyRelu',
    fn: ([x], options: LeakyReluOptions) => leakyRelu(x as Tensor, options),
    arity: 1,
    shapes: unaryShapes,
    options: () => fc.oneof(fc.constant({}), fc.double({ min: 0, max: 1, noNaN: true }).map((negativeSlope) => ({ negativeSlope }))),
    avoidKinks: awayFromZero,
    secondOrder: true,
  } satisfies OpInfo<LeakyReluOptions>,
];

describeOpInfos(opInfos, loadGolden('activation'));

describe('gelu', () => {
  it('its two modes agree to within 1e-3 (property)', () => {
    fc.assert(
      fc.property(arbShape().chain((s) => arbTensor(s)), (x) => {
        const exact = gelu(x);
        const approx = gelu(x, { approximate: 'tanh' });
        return exact.data.every((v, i) => Math.abs(v - approx.data[i]!) < 1e-3);
      }),
      { numRuns: RUNS.first },
    );
  });

  it('rejects an unknown approximation by name', () => {
    expect(() => gelu(tensor([1]), { approximate: 'sigmoid' as 'tanh' })).toThrow(/^gelu: approximate must be 'none' or 'tanh', got 'sigmoid'/);
  });
});

describe('softmax and logSoftmax', () => {
  it('softmax sums to 1 along dim, is positive, and equals exp(logSoftmax) (property)', () => {
    const arb = arbShape({ minDims: 1 }).chain((s) => fc.tuple(arbTensor(s, { min: -50, max: 50 }), fc.integer({ min: -s.length, max: s.length - 1 })));
    fc.assert(
      fc.property(arb, ([x, dim]) => {
        const p = softmax(x, dim);
        const totals = sum(p, { dim });
        expect(totals.data.every((v) => Math.abs(v - 1) < 1e-12)).toBe(true);
        expect(p.data.every((v) => v >= 0)).toBe(true);
        const viaLog = exp(logSoftmax(x, dim));
        expect(p.data.every((v, i) => Math.abs(v - viaLog.data[i]!) <= 1e-15)).toBe(true);
      }),
      { numRuns: RUNS.first },
    );
  });

  it('is unchanged by adding a constant along dim (property)', () => {
    const arb = arbShape({ minDims: 1 }).chain((s) => fc.tuple(arbTensor(s), fc.double({ min: -500, max: 500, noNaN: true })));
    fc.assert(
      fc.property(arb, ([x, c]) => {
        const a = logSoftmax(x, -1);
        const b = logSoftmax(x.add(c), -1);
        return a.data.every((v, i) => Math.abs(v - b.data[i]!) < 1e-12 * (1 + Math.abs(c)));
      }),
      { numRuns: RUNS.first },
    );
  });

  it('stays finite for |x| = 1000, forward and backward, where log(softmax) would give -inf', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([[1000, 0, -1000]], { dtype, requiresGrad: true });
      const y = logSoftmax(x, 1);
      expect(y.toArray()).toEqual([[0, -1000, -2000]]);
      expect(log(softmax(x.detach(), 1)).data[2]).toBe(-Infinity);
      y.backward(tensor([[1, 2, 3]], { dtype }));
      expect(x.grad!.toArray()).toEqual([[-5, 2, 3]]);
    }
  });

  it('names itself when dim is out of range', () => {
    expect(() => softmax(tensor([[1, 2]]), 2)).toThrow(/^softmax: dim 2 is out of range for a tensor of 2 dimension\(s\)/);
    expect(() => logSoftmax(tensor([[1, 2]]), -3)).toThrow(/^logSoftmax: dim -3 is out of range/);
    expect(() => softmax(tensor([1, 2]), 0.5)).toThrow(/^softmax: dim 0.5 is out of range/);
  });
});

describe('numerics at the edges', () => {
  it('sigmoid is stable and its gradient is 0, not NaN, for |x| = 1000', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([1000, -1000], { dtype, requiresGrad: true });
      const y = sigmoid(x);
      expect(y.toArray()).toEqual([1, 0]);
      y.sum().backward();
      expect(x.grad!.toArray()).toEqual([0, 0]);
    }
  });

  it('relu, leakyRelu, sigmoid, tanh and gelu propagate NaN', () => {
    const x = tensor([NaN, -1]);
    for (const f of [relu, leakyRelu, sigmoid, tanh, gelu] as ((t: Tensor) => Tensor)[]) {
      expect(Number.isNaN(f(x).data[0]!), f.name).toBe(true);
      expect(Number.isNaN(f(x).data[1]!), f.name).toBe(false);
    }
  });

  it('relu on float32 (a bitwise kernel) maps -0 and -Infinity to +0 and keeps NaN of either sign', () => {
    const x = tensor([-0, NaN, NaN, -Infinity, Infinity, -1e-45, 1e-45, -2.5, 3]);
    new Int32Array(x.data.buffer)[2] = 0xffc00001 | 0; // a NaN with its sign bit set
    const y = relu(x).data;
    expect(Object.is(y[0], 0)).toBe(true);
    expect(Number.isNaN(y[1]!) && Number.isNaN(y[2]!)).toBe(true);
    expect(Array.from(y.subarray(3))).toEqual([0, Infinity, 0, 1e-45, 0, 3].map(Math.fround));
    expect(Object.is(y[3], 0) && Object.is(y[5], 0) && Object.is(y[7], 0)).toBe(true);
  });

  it("relu's gradient follows PyTorch's threshold_backward: 0 where x <= 0 even for an infinite gradient, passed where x is NaN", () => {
    // torch: x = [-0, NaN, -1, 2, -inf], upstream [1, 1, inf, NaN, inf] gives [0, 1, 0, NaN, 0].
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor([-0, NaN, -1, 2, -Infinity], { dtype, requiresGrad: true });
      relu(x).backward(tensor([1, 1, Infinity, NaN, Infinity], { dtype }));
      const g = Array.from(x.grad!.data);
      expect([g[0], g[1], g[2], g[4]]).toEqual([0, 1, 0, 0]);
      expect(Number.isNaN(g[3]!)).toBe(true);
    }
  });

  it('relu and leakyRelu take the left slope at 0, as PyTorch', () => {
    const x = tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    relu(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 0]);
    x.grad = null;
    leakyRelu(x, { negativeSlope: 0.25 }).sum().backward();
    expect(x.grad!.toArray()).toEqual([0.25, 0.25]);
  });
});
