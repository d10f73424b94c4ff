import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  abs, add, clamp, cos, div, erf, exp, expand, log, maximum, minimum, mul, neg, pow, sin, sqrt, sub, tensor, where, zeros,
  type ClampOptions, type Tensor, type TensorLike,
} from '@dl/autograd';
import {
  arbBroadcastShapes, backwardIsLinear, broadcastGradSumsBack, gradcheck, retainGraphDoubles, unusedBranchIsInert,
  type ShapeConstraints,
} from '@dl/autograd/testing';
import {
  allValues, apart, awayFromZero, describeOpInfos, loadGolden, RUNS, samples, unaryRow, unaryShapes, type OpInfo,
} from './opInfo.js';

const broadcastShapes = (n: number) => (c: ShapeConstraints) => arbBroadcastShapes(n, c);

function binaryRow(name: string, op: (a: TensorLike, b: TensorLike) => Tensor, extra: Partial<OpInfo> = {}): OpInfo {
  return { name, fn: ([a, b]) => op(a!, b!), arity: 2, shapes: broadcastShapes(2), secondOrder: true, ...extra };
}

/** Random bounds: min only, max only, or both (min < max). */
function arbClampOptions(): fc.Arbitrary<ClampOptions> {
  const bound = fc.double({ min: -2, max: 2, noNaN: true });
  return fc.oneof(
    bound.map((min) => ({ min })),
    bound.map((max) => ({ max })),
    fc.tuple(bound, bound).filter(([a, b]) => a < b).map(([min, max]) => ({ min, max })),
  );
}

const binaryOps: OpInfo[] = [
  binaryRow('add', add),
  binaryRow('sub', sub),
  binaryRow('mul', mul),
  binaryRow('div', div, { domain: [{}, { filter: (v) => Math.abs(v) > 0.5 }] }),
  // A positive base keeps log(a) (the exponent's gradient) defined.
  binaryRow('pow', pow, { domain: [{ min: 0.5, max: 2.5 }, { min: -2, max: 2 }] }),
  binaryRow('maximum', maximum, { avoidKinks: ([a, b]) => apart(a!, b!) }),
  binaryRow('minimum', minimum, { avoidKinks: ([a, b]) => apart(a!, b!) }),
  {
    name: 'where',
    fn: ([c, a, b]) => where(c!, a!, b!),
    arity: 3,
    shapes: broadcastShapes(3),
    domain: ['mask', {}, {}],
    secondOrder: true,
  },
];

const opInfos: OpInfo<any>[] = [
  ...binaryOps,
  unaryRow('neg', neg),
  unaryRow('exp', exp),
  unaryRow('log', log, { domain: [{ min: 0.1, max: 5 }] }),
  unaryRow('sqrt', sqrt, { domain: [{ min: 0.1, max: 5 }] }),
  unaryRow('abs', abs, { avoidKinks: awayFromZero }),
  unaryRow('sin', sin),
  unaryRow('cos', cos),
  unaryRow('erf', erf),
  {
    name: 'clamp',
    fn: ([x], options: ClampOptions) => clamp(x as Tensor, options),
    arity: 1,
    shapes: unaryShapes,
    options: arbClampOptions,
    avoidKinks: (xs, { min, max }: ClampOptions) =>
      allValues(xs, (v) => (min == null || Math.abs(v - min) > 1e-3) && (max == null || Math.abs(v - max) > 1e-3)),
    secondOrder: true,
  } satisfies OpInfo<ClampOptions>,
];

describeOpInfos(opInfos, loadGolden('elementwise'));

describe.each(binaryOps.map((info) => [info.name, info] as const))('%s with numbers and bad input', (name, info) => {
  const call = (xs: TensorLike[]) => info.fn(xs, undefined);

  it('accepts a number wherever a tensor goes: same values, same gradients, the tensor\'s dtype', () => {
    const arb = samples(info)
      .chain((s) => fc.record({ s: fc.constant(s), pos: fc.integer({ min: 0, max: info.arity - 1 }) }))
      .filter(({ s: { xs }, pos }) => info.avoidKinks?.(xs.map((x, i) => (i === pos ? tensor(x.data[0]!, { dtype: 'float64' }) : x)), undefined) ?? true);
    fc.assert(
      fc.property(arb, ({ s: { xs }, pos }) => {
        const scalar = xs[pos]!.data[0]!;
        const withNumber = (ts: Tensor[]): TensorLike[] => xs.map((_, i) => (i === pos ? scalar : ts[i < pos ? i : i - 1]!));
        const rest = xs.filter((_, i) => i !== pos);
        const viaNumber = call(withNumber(rest));
        // The number takes the kernels' scalar loop; the same value expanded to a full tensor does not.
        const full = expand(tensor(scalar, { dtype: 'float64' }), viaNumber.shape);
        const viaFull = call(xs.map((x, i) => (i === pos ? full : x)));
        expect(viaNumber.shape).toEqual(viaFull.shape);
        expect(viaNumber.dtype).toBe('float64');
        viaNumber.data.forEach((v, i) => expect(v).toBe(viaFull.data[i]));
        if (rest.length > 0) gradcheck((...ts) => call(withNumber(ts)), rest);
        expect(call(withNumber(rest.map((x) => x.to('float32')))).dtype).toBe('float32');
      }),
      { numRuns: RUNS.first },
    );
  });

  it('names itself and every shape when the shapes do not broadcast', () => {
    const args = Array.from({ length: info.arity }, (_, i) => zeros(i === info.arity - 1 ? [4] : [2, 3]));
    const shapes = args.map((a) => `\\[${a.shape.join(',')}\\]`).join(' and ');
    expect(() => call(args)).toThrow(new RegExp(`^${name}: shapes ${shapes} cannot be broadcast together`));
  });

  it('names itself when float32 meets float64', () => {
    const args = Array.from({ length: info.arity }, (_, i) => zeros([2], { dtype: i === info.arity - 1 ? 'float64' : 'float32' }));
    expect(() => call(args)).toThrow(new RegExp(`^${name}: dtypes float32 and float64 differ`));
  });

  describe('ready-made properties of @dl/autograd/testing', () => {
    const fn = (...xs: Tensor[]) => call(xs);
    const inputs = samples(info).map((s) => s.xs);
    const runs = { numRuns: 15 };
    it('backward is linear in the upstream gradient', () => fc.assert(backwardIsLinear(fn, inputs), runs));
    it('a second backward with retainGraph doubles the gradients', () => fc.assert(retainGraphDoubles(fn, inputs), runs));
    it('a branch that misses the loss changes no gradient', () => fc.assert(unusedBranchIsInert(fn, inputs), runs));
    it('broadcast gradients sum back to each input\'s shape', () => fc.assert(broadcastGradSumsBack(fn, inputs), runs));
  });
});

describe('PyTorch gradient conventions', () => {
  const f64 = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });

  it("abs'(0) = 0", () => {
    const x = f64([0, -2, 3]);
    abs(x).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, -1, 1]);
  });

  it('clamp passes the gradient at its bounds, not beyond', () => {
    const x = f64([-2, -1, 0, 1, 2]);
    clamp(x, { min: -1, max: 1 }).sum().backward();
    expect(x.grad!.toArray()).toEqual([0, 1, 1, 1, 0]);
  });

  it('maximum and minimum split ties evenly', () => {
    for (const op of [maximum, minimum]) {
      const a = f64([1, 2, 3]);
      const b = f64([1, 1, 3]);
      op(a, b).sum().backward();
      expect(a.grad!.toArray()).toEqual([0.5, op === maximum ? 1 : 0, 0.5]);
      expect(b.grad!.toArray()).toEqual([0.5, op === maximum ? 0 : 1, 0.5]);
    }
  });

  it("pow: the exponent's gradient is 0 at base 0 for exponents ≥ 0, the base's is 0 for exponent 0", () => {
    const a = f64([0, 0, 0, 0]);
    const b = f64([0, 0.5, 2, -1]);
    pow(a, b).sum().backward();
    expect(b.grad!.toArray()).toEqual([0, 0, 0, -Infinity]);
    expect(a.grad!.toArray()).toEqual([0, Infinity, 0, -Infinity]);
  });
});

describe('NaN and bounds', () => {
  it('maximum, minimum and clamp propagate NaN from either side', () => {
    const a = tensor([NaN, 1]);
    const b = tensor([1, NaN]);
    expect(maximum(a, b).toArray()).toEqual([NaN, NaN]);
    expect(minimum(a, b).toArray()).toEqual([NaN, NaN]);
    expect(clamp(a, { min: 0, max: 2 }).toArray()).toEqual([NaN, 1]);
  });

  it('clamp needs a bound, and bounds that are numbers', () => {
    expect(() => clamp(tensor([1]), {})).toThrow(/^clamp: give at least one of min and max/);
    expect(() => clamp(tensor([1]), { min: NaN })).toThrow(/^clamp: bounds must not be NaN/);
  });

  it('where takes a condition of any dtype: it is a mask, not an operand', () => {
    const x = tensor([-1, 2], { dtype: 'float64' });
    expect(where(tensor([1, 0]), x, 0).toArray()).toEqual([-1, 0]);
    expect(where(tensor([1, 0]), x, 0).dtype).toBe('float64');
  });
});

describe('numbers as operands', () => {
  // A number's scalar is shared by every call given that number (one tensor, not one per call): nothing a
  // caller does with a result may reach it.
  it('a result changed in place leaves the number as it was for the next call', () => {
    const x = tensor([1, 2]);
    const y = add(x, 3);
    y.add_(10).mul_(2);
    const s = add(3, 4);
    s.add_(100);
    expect(add(x, 3).toArray()).toEqual([4, 5]);
    expect(add(3, 4).toArray()).toEqual(7);
  });

  it('a gradient that flows to the number side is not accumulated into it', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    mul(mul(x, 3), 3).sum().backward();
    mul(x, 3).sum().backward();
    expect(x.grad!.toArray()).toEqual([12, 12]);
    expect(mul(tensor([1]), 3).toArray()).toEqual([3]);
  });

  it('keeps the sign of a zero, the dtype of the other operand, and NaN', () => {
    const signed = (a: number): number | string => (Object.is(a, -0) ? '-0' : a);
    const values = [0, -0, NaN, 1.5, -2, 2 ** 31 - 1];
    // Every number after every other (and itself): a call must not get the scalar an earlier one left.
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      const x = tensor([0, 1], { dtype });
      for (const v of values) {
        for (const n of [v, ...values]) {
          const r = mul(x, n);
          const ints = dtype === 'int32' && Number.isInteger(n);
          expect(r.dtype).toBe(ints ? 'int32' : dtype === 'float64' ? 'float64' : 'float32');
          const scalar = ints ? n | 0 : dtype === 'float64' ? n : Math.fround(n);
          const expected = [0, 1].map((a) => (ints ? (a * scalar) | 0 : dtype === 'float64' ? a * scalar : Math.fround(a * scalar)));
          expect([...r.data].map(signed), `${dtype} times ${signed(n)}`).toEqual(expected.map(signed));
        }
      }
    }
  });

  it('many distinct numbers in a row each give their own value', () => {
    const x = tensor([1]);
    for (let v = 0; v < 600; v++) expect(add(x, v).item()).toBe(1 + v);
    for (let v = 0; v < 600; v++) expect(sub(v, x).item()).toBe(v - 1);
  });
});
