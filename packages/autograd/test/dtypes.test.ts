// int32 and bool tensors: promotion as PyTorch's (golden values from fixtures/dtypes.py), properties
// over random shapes and dtypes, gradients through mixed-dtype ops, exact index results, and the errors.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  abs, add, argmax, argmin, cumsum, div, DlError, eq, exp, ge, gradcheck, logicalAnd, logicalNot, logicalOr, logicalXor, lt, max,
  maximum, minimum, mul, neg, noGrad, randn, sigmoid, sign, sort, sqrt, sub, sum, Tensor, tensor, where, zeros, type DType,
  type TensorLike,
} from '@dl/autograd';
import { arbBroadcastShapes } from '@dl/autograd/testing';
import { expectMatches, fromJson, readFixture, type JsonTensor } from './ops/opInfo.js';

interface DTypeCase {
  op: string;
  note: string;
  args: (JsonTensor | number)[];
  opts: unknown;
  out?: JsonTensor[];
  error?: string;
}
const { cases } = readFixture('dtypes') as { cases: DTypeCase[] };

type Call = (args: TensorLike[], opts: never) => Tensor | Tensor[];
const binary = (f: (a: TensorLike, b: TensorLike) => Tensor): Call => ([a, b]) => f(a!, b!);
const unary = (f: (x: Tensor) => Tensor): Call => ([x]) => f(x as Tensor);
const calls: Record<string, Call> = {
  add: binary(add), sub: binary(sub), mul: binary(mul), div: binary(div), maximum: binary(maximum), minimum: binary(minimum),
  eq: binary(eq), lt: binary(lt), ge: binary(ge),
  neg: unary(neg), abs: unary(abs), sign: unary(sign), exp: unary(exp), sqrt: unary(sqrt), sigmoid: unary(sigmoid),
  sum: ([x], o) => (o === null ? sum(x as Tensor) : sum(x as Tensor, o)),
  max: ([x], o) => (o === null ? max(x as Tensor) : [...max(x as Tensor, o)]),
  argmax: ([x], o) => (o === null ? argmax(x as Tensor) : argmax(x as Tensor, o)),
  argmin: ([x], o) => (o === null ? argmin(x as Tensor) : argmin(x as Tensor, o)),
  sort: ([x], o) => [...sort(x as Tensor, o)],
  cumsum: ([x], d: number) => cumsum(x as Tensor, d),
  where: ([c, a, b]) => where(c!, a!, b!),
  to: ([x], d: DType) => (x as Tensor).to(d),
  logicalNot: unary(logicalNot), logicalAnd: binary(logicalAnd), logicalOr: binary(logicalOr), logicalXor: binary(logicalXor),
  index: ([x, i]) => (x as Tensor).index(i as Tensor),
};

describe('PyTorch golden cases: result dtypes and values', () => {
  it('has the fixture, with refusals as well as results', () => {
    expect(cases.length).toBeGreaterThan(100);
    expect(cases.some((c) => c.error !== undefined)).toBe(true);
  });
  it.each(cases.map((c) => [`${c.op} (${c.note})`, c] as const))('%s', (what, c) => {
    const args = c.args.map((a) => (typeof a === 'number' ? a : fromJson(a)));
    const call = () => calls[c.op]!(args, c.opts as never);
    if (c.error !== undefined) {
      // PyTorch refuses it, so does dl, naming the op.
      expect(call).toThrow(DlError);
      expect(call).toThrow(new RegExp(`^${c.op}: `));
      return;
    }
    const r = call();
    const outs = Array.isArray(r) ? r : [r];
    expect(outs.length).toBe(c.out!.length);
    outs.forEach((t, i) => expectMatches(t, c.out![i]!, `${what} output ${i}`));
  });
});

/** PyTorch's category promotion for a pair of tensor dtypes (float32 with float64 is refused in dl). */
const order: DType[] = ['bool', 'int32', 'float32', 'float64'];
const promoted = (a: DType, b: DType): DType => (order.indexOf(a) > order.indexOf(b) ? a : b);
const arbDType = fc.constantFrom<DType>('bool', 'int32', 'float64');

/** A tensor of `dtype` and `shape` with small values (integers for int32, 0/1 for bool). */
function arbTyped(shape: readonly number[], dtype: DType): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = dtype === 'bool' ? fc.integer({ min: 0, max: 1 }) : dtype === 'int32' ? fc.integer({ min: -50, max: 50 }) : fc.double({ min: -4, max: 4, noNaN: true });
  return fc.array(v, { minLength: n, maxLength: n }).map((xs) => tensor(xs, { shape: [...shape], dtype }));
}

describe('properties over random broadcast shapes and dtypes', () => {
  const arbPair = fc.tuple(arbBroadcastShapes(2), arbDType, arbDType).chain(([[sa, sb], da, db]) => fc.tuple(arbTyped(sa!, da), arbTyped(sb!, db)));
  const reference: Record<string, (x: number, y: number) => number> = {
    // PyTorch's maximum and minimum keep the first operand on a tie (so minimum(-0, 0) is -0, minimum(0, -0) is 0).
    add: (x, y) => x + y, mul: (x, y) => x * y, eq: (x, y) => +(x === y), lt: (x, y) => +(x < y),
    maximum: (x, y) => (x >= y || Number.isNaN(x) ? x : y), minimum: (x, y) => (x <= y || Number.isNaN(x) ? x : y),
  };
  const fns: Record<string, (a: Tensor, b: Tensor) => Tensor> = { add, mul, maximum, minimum, eq, lt };
  it('maximum and minimum keep the first operand on a tie, as PyTorch does (the sign of a zero shows it)', () => {
    // PyTorch 2.13: minimum(-0., 0.) = -0., minimum(0., -0.) = 0., maximum(-0., 0.) = -0., maximum(0., -0.) = 0.
    const [neg, pos] = [tensor([-0], { dtype: 'float64' }), tensor([0], { dtype: 'float64' })];
    expect(Object.is(minimum(neg, pos).data[0], -0)).toBe(true);
    expect(Object.is(minimum(pos, neg).data[0], 0)).toBe(true);
    expect(Object.is(maximum(neg, pos).data[0], -0)).toBe(true);
    expect(Object.is(maximum(pos, neg).data[0], 0)).toBe(true);
    expect(Object.is(minimum(neg, tensor([false])).data[0], -0)).toBe(true);
  });
  it.each(Object.keys(fns))('%s promotes bool < int32 < float and computes in the promoted dtype', (name) => {
    fc.assert(
      fc.property(arbPair, ([a, b]) => {
        const r = fns[name]!(a, b);
        const comparison = name === 'eq' || name === 'lt';
        const p = promoted(a.dtype, b.dtype);
        expect(r.dtype).toBe(comparison ? 'bool' : p);
        expect(r.requiresGrad).toBe(false);
        const ea = a.expand([...r.shape]);
        const eb = b.expand([...r.shape]);
        r.data.forEach((v, i) => {
          let want = reference[name]!(ea.data[i]!, eb.data[i]!);
          if (p === 'bool' && !comparison) want = +(want !== 0); // bool + bool is logical or
          if (p !== 'float64' && want === 0) want = 0; // integers have no −0
          expect(v).toBe(want);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('conversions: to int32 truncates toward zero, to bool is "not 0", and int32 to float is exact', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.array(fc.integer(), { minLength: 1, maxLength: 20 }), (xs, ints) => {
        const x = tensor(xs, { dtype: 'float64' });
        expect(Array.from(x.int().data)).toEqual(xs.map((v) => Math.trunc(v) | 0));
        expect(Array.from(x.bool().data)).toEqual(xs.map((v) => +(v !== 0)));
        expect(x.long().dtype).toBe('int32');
        const i = tensor(ints, { dtype: 'int32' });
        expect(Array.from(i.double().data)).toEqual(ints);
        expect(i.float().dtype).toBe('float32');
        expect(Array.from(i.bool().int().data)).toEqual(ints.map((v) => +(v !== 0)));
      }),
      { numRuns: 60 },
    );
  });

  it('gradients flow to the float operand of mixed-dtype ops (float64 gradcheck, broadcasting)', () => {
    const arb = arbBroadcastShapes(3).chain(([s0, s1, s2]) =>
      fc.tuple(arbTyped(s0!, 'float64'), arbTyped(s1!, 'int32'), arbTyped(s2!, 'bool')));
    fc.assert(
      fc.property(arb, ([x, i, m]) => {
        x.requiresGrad = true;
        // (x + i) · m / (1 + |i|), then exp: int32 and bool operands are converted to x's dtype.
        gradcheck((t) => exp(div(mul(add(t, i), m), add(abs(i), 1))), [x]);
        gradcheck((t) => where(m, mul(t, t), sub(i, t)), [x]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('index results are int32, exact past 2^24', () => {
  it('argmax over 2^24 + 5 elements finds position 2^24 + 3, which a float32 cannot hold', () => {
    const n = 2 ** 24 + 5;
    const data = new Float32Array(n);
    data[n - 2] = 1;
    const i = argmax(new Tensor(data, [n]));
    expect(i.dtype).toBe('int32');
    expect(i.item()).toBe(2 ** 24 + 3);
  });
  it('sort, topk, max(dim) and argsort return int32 indices that index and gather', () => {
    const x = randn([4, 6]);
    const { values, indices } = x.sort(1, true);
    expect(indices.dtype).toBe('int32');
    expect(x.gather(1, indices).toArray()).toEqual(values.toArray());
    expect(x.topk(2, 1).indices.dtype).toBe('int32');
    expect(x.argsort(1).dtype).toBe('int32');
    expect(x.index(x.argmax(1).index(0)).shape).toEqual([6]);
  });
});

describe('bool masks and int32 indices where PyTorch takes them', () => {
  const x = tensor([[1, -2, 3], [-4, 5, -6]]);
  it('x.index(mask) with a bool mask is masked selection, as x[x > 0]', () => {
    expect(x.index(x.gt(0)).toArray()).toEqual([1, 3, 5]);
    expect(x.maskedSelect(x.gt(0)).toArray()).toEqual([1, 3, 5]);
    expect(x.maskedFill(x.lt(0), 0).toArray()).toEqual([[1, 0, 3], [0, 5, 0]]);
    expect(where(x.gt(0), x, 0).toArray()).toEqual([[1, 0, 3], [0, 5, 0]]);
  });
  it('int32 index tensors index, gather and select rows', () => {
    const idx = tensor([1, 0], { dtype: 'int32' });
    expect(x.index(idx).toArray()).toEqual([[-4, 5, -6], [1, -2, 3]]);
    expect(x.indexSelect(1, tensor([2, 2], { dtype: 'int32' })).toArray()).toEqual([[3, 3], [-6, -6]]);
    expect(x.gather(1, tensor([[0], [2]], { dtype: 'int32' })).toArray()).toEqual([[1], [-6]]);
  });
  it('accuracy reads as in PyTorch: (argmax == labels).sum() counts, .float().mean() averages', () => {
    const labels = tensor([2, 1], { dtype: 'int32' });
    const hits = x.argmax(1).eq(labels);
    expect(hits.dtype).toBe('bool');
    expect(hits.sum().item()).toBe(2);
    expect(hits.sum().dtype).toBe('int32');
    expect(hits.float().mean().item()).toBe(1);
  });
  it('any and all, isnan and isfinite return bool', () => {
    const y = tensor([1, NaN, Infinity]);
    expect([y.isnan().dtype, y.isfinite().dtype, y.any().dtype, y.all().dtype]).toEqual(['bool', 'bool', 'bool', 'bool']);
    expect(y.isnan().toArray()).toEqual([0, 1, 0]);
  });
});

describe('creation and printing', () => {
  it('booleans make bool tensors; Int32Array makes int32; numbers stay float32 unless a dtype is given', () => {
    expect(tensor([[true, false]]).dtype).toBe('bool');
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(tensor([1, 2]).dtype).toBe('float32');
    expect(tensor([1.9, -1.9], { dtype: 'int32' }).toArray()).toEqual([1, -1]);
    expect(tensor([2, 0, -1], { dtype: 'bool' }).toArray()).toEqual([1, 0, 1]);
    expect(zeros([2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(String(tensor([3, -10], { dtype: 'int32' }))).toBe('tensor([  3, -10], dtype=int32)');
    expect(String(tensor([true, false]))).toBe('tensor([ True, False])');
    // A lone boolean is a 0-D bool tensor, as torch.tensor(False).
    const f = tensor(false);
    expect([f.dtype, f.shape, f.item()]).toEqual(['bool', [], 0]);
    expect(String(tensor(true))).toBe('tensor(True)');
  });
});

describe('errors', () => {
  const refuses = (f: () => unknown, fn: string, re: RegExp) => {
    let e: unknown;
    try {
      f();
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(DlError);
    expect((e as DlError).fn).toBe(fn);
    expect((e as DlError).message).toMatch(re);
  };
  it('only float tensors require grad, and integer results of float inputs carry no gradient', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    refuses(() => i.requiresGrad_(), 'requiresGrad_', /only float tensors can require grad, not an int32 tensor/);
    refuses(() => (i.requiresGrad = true), 'requiresGrad', /only float tensors can require grad/);
    refuses(() => tensor([true], { requiresGrad: true }), 'tensor', /only float tensors can require grad, not a bool tensor/);
    const x = tensor([1.5, -2.5], { requiresGrad: true });
    for (const r of [x.int(), x.gt(0), x.argmax(), x.bool()]) {
      expect(r.requiresGrad).toBe(false);
      expect(r.gradFn).toBeNull();
    }
  });
  it('random float factories refuse integer dtypes; PyTorch dtype names get a hint', () => {
    refuses(() => randn([2], { dtype: 'int32' }), 'randn', /unsupported dtype 'int32' \(expected 'float32' or 'float64'\)/);
    refuses(() => tensor([1], { dtype: 'int64' as DType }), 'tensor', /unsupported dtype 'int64'/);
    try {
      tensor([1], { dtype: 'long' as DType });
    } catch (e) {
      expect((e as DlError).hint).toMatch(/'int32'/);
    }
  });
  it('in-place ops refuse a result that does not fit the destination dtype, as PyTorch', () => {
    const i = tensor([1, 2], { dtype: 'int32' });
    refuses(() => noGrad(() => i.add_(0.5)), 'add_', /the result is float32, which cannot be written into an int32 tensor in place/);
    noGrad(() => i.add_(2));
    expect(i.toArray()).toEqual([3, 4]);
    const m = tensor([true, false]);
    refuses(() => noGrad(() => m.mul_(2)), 'mul_', /int32, which cannot be written into a bool tensor/);
    noGrad(() => m.fill_(0.5));
    expect(m.toArray()).toEqual([1, 1]);
  });
  it('float32 with float64 is still refused, naming both', () => {
    refuses(() => add(tensor([1]), tensor([1], { dtype: 'float64' })), 'add', /dtypes float32 and float64 differ/);
  });
});
