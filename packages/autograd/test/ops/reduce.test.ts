import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Tensor, argmax, argmin, gather, logsumexp, max, mean, min, std, sum, sumToShape, tensor, variance, zeros,
  type DimOptions, type ReduceOptions, type VarOptions,
} from '@dl/autograd';
import { arbShape, arbTensor, backwardIsLinear, retainGraphDoubles, unusedBranchIsInert } from '@dl/autograd/testing';
import { arbDim, describeSampledOpInfos, expectClose, loadGoldenTable, row, withOptions, type SampledOpInfo } from './opInfo.js';

// Golden values from PyTorch: fixtures/reduce.py.
const golden = loadGoldenTable('reduce');

// ---------------------------------------------------------------------------------------------
// Random inputs and options.

/** One to all dims, each written positive or negative. */
const arbDimList = (ndim: number): fc.Arbitrary<number[]> =>
  ndim === 0
    ? fc.constantFrom([0], [-1])
    : fc.uniqueArray(fc.integer({ min: 0, max: ndim - 1 }), { minLength: 1, maxLength: ndim })
        .chain((ds) => fc.tuple(...ds.map((d) => fc.constantFrom(d, d - ndim))));
const arbReduceOptions = (ndim: number): fc.Arbitrary<ReduceOptions> =>
  fc.record({ dim: fc.option(fc.oneof(arbDim(ndim), arbDimList(ndim)), { nil: undefined }), keepdim: fc.boolean() });
/** A random tensor of 0 to 3 dims and options drawn for its rank. */
const withRank = <O,>(options: (ndim: number) => fc.Arbitrary<O>) => withOptions((shape) => options(shape.length));

/** The reduced dims, as the op resolves them (all when `dim` is omitted). */
function dimsOf(ndim: number, dim: number | readonly number[] | undefined): number[] {
  if (ndim === 0) return [];
  const list = dim === undefined ? [...Array(ndim).keys()] : typeof dim === 'number' ? [dim] : dim;
  return list.map((d) => (d < 0 ? d + ndim : d));
}

/** Calls `visit` with the values of every slice reduced over `dims`. */
function eachSlice(x: Tensor, dims: readonly number[], visit: (values: number[]) => void): void {
  const groups = new Map<number, number[]>();
  const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let j = 0; j < x.numel(); j++) {
    let key = 0;
    x.shape.forEach((s, d) => {
      if (!dims.includes(d)) key = key * s + (Math.floor(j / strides[d]!) % s);
    });
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(x.data[j]!);
  }
  groups.forEach(visit);
}
/** Whether the two largest (sign 1) or smallest (sign -1) values of every slice are at least `gap` apart. */
const noTies = (x: Tensor, dims: readonly number[], sign: 1 | -1, gap = 1e-3): boolean => {
  let ok = true;
  eachSlice(x, dims, (vs) => {
    const s = vs.map((v) => sign * v).sort((a, b) => b - a);
    if (s.length > 1 && s[0]! - s[1]! < gap) ok = false;
  });
  return ok;
};
/** Whether every slice spreads over more than `range`, so that std stays away from its kink at 0. */
const spread = (x: Tensor, dims: readonly number[], range = 0.05): boolean => {
  let ok = true;
  eachSlice(x, dims, (vs) => {
    if (Math.max(...vs) - Math.min(...vs) < range) ok = false;
  });
  return ok;
};
const countOf = (x: Tensor, dims: readonly number[]) => dims.reduce((n, d) => n * x.shape[d]!, 1);

const arbExtremeOptions = (ndim: number): fc.Arbitrary<DimOptions | undefined> =>
  fc.option(fc.record({ dim: arbDim(ndim), keepdim: fc.boolean() }), { nil: undefined });
const arbVarOptions = (ndim: number): fc.Arbitrary<VarOptions> =>
  fc.tuple(arbReduceOptions(ndim), fc.constantFrom(0, 0.5, 1, 2)).map(([o, correction]) => ({ ...o, correction }));

/** Tensors with some -Infinity entries, never a whole reduced slice of them. */
const arbWithNegInf: fc.Arbitrary<[Tensor[], ReduceOptions]> = withRank(arbReduceOptions)
  .chain(([[x], o]) =>
    fc.array(fc.boolean(), { minLength: x!.numel(), maxLength: x!.numel() }).map((mask): [Tensor[], ReduceOptions] => {
      const data = x!.data.map((v, i) => (mask[i] ? -Infinity : v));
      return [[new Tensor(data, x!.shape)], o];
    }))
  .filter(([[x], o]) => {
    let ok = true;
    eachSlice(x!, dimsOf(x!.ndim, o.dim), (vs) => (ok &&= vs.some(Number.isFinite)));
    return ok;
  });

/** `shape` and a shape that broadcasts to it (leading dims dropped, some sizes set to 1). */
const arbSumToShape: fc.Arbitrary<[Tensor[], { shape: number[] }]> = arbShape({ maxDims: 3 }).chain((full) =>
  fc.tuple(
    arbTensor(full).map((x) => [x]),
    fc.tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
      .map(([drop, ones]) => ({ shape: full.map((s, i) => (ones[i] ? 1 : s)).slice(drop) })),
  ));

function extremeRow(name: 'max' | 'min', op: typeof max) {
  const sign = name === 'max' ? 1 : -1;
  return row<DimOptions | undefined>({
    name,
    sample: withRank(arbExtremeOptions).filter(([[x], o]) => noTies(x!, dimsOf(x!.ndim, o?.dim), sign)),
    fn: (o) => (x) => (o?.dim === undefined ? op(x) : op(x, o).values),
    outputs: (o) => (x) => {
      if (o?.dim === undefined) return [op(x)];
      const r = op(x, o);
      return [r.values, r.indices];
    },
    gradgrad: true,
  });
}
function argRow(name: 'argmax' | 'argmin', op: typeof argmax) {
  return row<DimOptions>({
    name,
    sample: withRank((n) => fc.record({ dim: fc.option(arbDim(n), { nil: undefined }), keepdim: fc.boolean() })),
    fn: (o) => (x) => op(x, o),
    noGrad: true,
  });
}

const opInfos: SampledOpInfo<any>[] = [
  row<ReduceOptions>({ name: 'sum', sample: withRank(arbReduceOptions), fn: (o) => (x) => sum(x, o), gradgrad: true }),
  row<ReduceOptions>({ name: 'mean', sample: withRank(arbReduceOptions), fn: (o) => (x) => mean(x, o), gradgrad: true }),
  extremeRow('max', max),
  extremeRow('min', min),
  argRow('argmax', argmax),
  argRow('argmin', argmin),
  row<VarOptions>({
    name: 'var',
    sample: withRank(arbVarOptions).filter(([[x], o]) => countOf(x!, dimsOf(x!.ndim, o.dim)) > o.correction!),
    fn: (o) => (x) => variance(x, o),
    gradgrad: true,
  }),
  row<VarOptions>({
    name: 'std',
    sample: withRank(arbVarOptions).filter(([[x], o]) => {
      const dims = dimsOf(x!.ndim, o.dim);
      return countOf(x!, dims) > o.correction! && spread(x!, dims);
    }),
    fn: (o) => (x) => std(x, o),
  }),
  row<ReduceOptions>({ name: 'logsumexp', sample: fc.oneof(withRank(arbReduceOptions), arbWithNegInf), fn: (o) => (x) => logsumexp(x, o), gradgrad: true }),
  row<{ shape: number[] }>({ name: 'sumToShape', sample: arbSumToShape, fn: (o) => (x) => sumToShape(x, o.shape), gradgrad: true }),
];

describeSampledOpInfos(opInfos, golden, {
  over: 'random shapes and options',
  runs: { first: 50, second: 25 },
  more: (info) =>
    it.runIf(info.noGrad === true)('stays off the tape', () => {
      fc.assert(fc.property(info.sample, ([[x], o]) => !info.fn(o)(x!.detach().requiresGrad_()).requiresGrad), { numRuns: 20 });
    }),
});

describe('max and min', () => {
  it('return indices where gather finds the values, as int32 tensors', () => {
    fc.assert(
      fc.property(withRank((n) => fc.record({ dim: arbDim(n), keepdim: fc.boolean() })), ([[x], o]) => {
        for (const op of [max, min]) {
          const { values, indices } = op(x!, o);
          expect(indices.dtype).toBe('int32');
          const idx = x!.ndim === 0 || o.keepdim ? indices : indices.unsqueeze(o.dim);
          const picked = x!.ndim === 0 ? x! : gather(x!, o.dim, idx);
          expectClose(picked.reshape(...values.shape), values, 'gathered values');
        }
      }),
      { numRuns: 30 },
    );
  });

  it('agree with argmax and argmin, which record no gradient', () => {
    fc.assert(
      fc.property(withRank((n) => fc.record({ dim: arbDim(n), keepdim: fc.boolean() })), ([[x], o]) => {
        const leaf = x!.detach().requiresGrad_();
        expectClose(argmax(leaf, o), max(x!, o).indices, 'argmax');
        expectClose(argmin(leaf, o), min(x!, o).indices, 'argmin');
      }),
      { numRuns: 30 },
    );
  });

  it('keep float32 inputs in float32, with int32 indices', () => {
    const x = tensor([[1, 5, 2], [7, 0, 3]]);
    const { values, indices } = max(x, { dim: 1 });
    expect([values.dtype, indices.dtype, sum(x).dtype, logsumexp(x).dtype]).toEqual(['float32', 'int32', 'float32', 'float32']);
    expect(indices.toArray()).toEqual([1, 0]);
  });
});

describe('ready-made gradient properties', () => {
  const sample = withRank(arbReduceOptions);
  it('backward is linear in the upstream gradient (sum, logsumexp)', () => {
    fc.assert(backwardIsLinear((x) => sum(x, { dim: -1 }), sample.map(([xs]) => xs).filter((xs) => xs[0]!.ndim > 0)), { numRuns: 20 });
    fc.assert(backwardIsLinear((x) => logsumexp(x, { dim: 0, keepdim: true }), sample.map(([xs]) => xs)), { numRuns: 20 });
  });
  it('a second backward with retainGraph doubles the gradient (mean, var)', () => {
    fc.assert(retainGraphDoubles((x) => mean(x, { dim: 0 }), sample.map(([xs]) => xs)), { numRuns: 20 });
    fc.assert(retainGraphDoubles((x) => variance(x, { correction: 0 }), sample.map(([xs]) => xs)), { numRuns: 20 });
  });
  it('a branch that does not reach the loss changes nothing (max)', () => {
    fc.assert(unusedBranchIsInert((x) => max(x, { dim: 0 }).values, sample.map(([xs]) => xs)), { numRuns: 20 });
  });
});

describe('bad input', () => {
  const x = tensor([[[1, 2], [3, 4]]]); // [1, 2, 2]
  it('names the op and the valid dim range', () => {
    const range = /dim 3 is out of range for a tensor of 3 dimension\(s\) \(expected -3 to 2\)/;
    for (const [name, f] of [
      ['sum', () => sum(x, { dim: 3 })], ['mean', () => mean(x, { dim: [0, 3] })], ['max', () => max(x, { dim: 3 })],
      ['min', () => min(x, { dim: 3 })], ['argmax', () => argmax(x, { dim: 3 })], ['argmin', () => argmin(x, { dim: 3 })],
      ['var', () => variance(x, { dim: 3 })], ['std', () => std(x, { dim: 3 })], ['logsumexp', () => logsumexp(x, { dim: 3 })],
    ] as const) {
      expect(f, name).toThrow(new RegExp(`^${name}: ${range.source}`));
    }
    expect(() => sum(x, { dim: -4 })).toThrow(/^sum: dim -4 is out of range .*\(expected -3 to 2\)/);
    expect(() => sum(x, { dim: 1.5 })).toThrow(/^sum: dim 1.5 is out of range/);
    expect(() => sum(tensor(1), { dim: 1 })).toThrow(/^sum: dim 1 is out of range for a tensor of 0 dimension\(s\) \(expected -1 to 0\)/);
  });
  it('rejects repeated dims', () => {
    expect(() => sum(x, { dim: [1, -2] })).toThrow(/^sum: dims \[1,-2\] repeat a dimension/);
    expect(() => logsumexp(x, { dim: [0, 0] })).toThrow(/^logsumexp: dims \[0,0\] repeat a dimension/);
  });
  it('rejects max/min of nothing and options without a dim', () => {
    expect(() => max(tensor([]))).toThrow(/^max: cannot reduce an empty tensor of shape \[0\]/);
    expect(() => min(zeros([0, 4]), { dim: 0 })).toThrow(/^min: cannot reduce dim 0 of size 0 in shape \[0,4\]/);
    expect(() => max(x, { keepdim: true } as DimOptions)).toThrow(/^max: give a dim/);
    expect(() => mean(zeros([0, 4]), { dim: 0 })).toThrow(/^mean: cannot average over an empty dimension of shape \[0,4\]/);
  });
  it('rejects a shape that x does not broadcast down to', () => {
    expect(() => sumToShape(tensor([[1, 2, 3], [4, 5, 6]]), [2])).toThrow(/^sumToShape: shape \[2,3\] cannot be summed to \[2\]/);
  });
});

describe('dim: [] means every dim, as in PyTorch', () => {
  it('sum, mean and var over dim [] reduce everything', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(sum(x, { dim: [] }).item()).toBe(10);
    expect(mean(x, { dim: [] }).item()).toBe(2.5);
    expect(sum(x, { dim: [], keepdim: true }).shape).toEqual([1, 1]);
  });
  it('argmax of an empty tensor names argmax', () => {
    expect(() => argmax(tensor([]))).toThrow(/^argmax: cannot take the argmax of an empty tensor of shape \[0\]/);
  });
});

describe('float32 sums accumulate in float64', () => {
  it('2^25 float32 ones sum to 2^25 (a float32 running sum would stop at 2^24)', () => {
    const n = 2 ** 25;
    const x = new Tensor(new Float32Array(n).fill(1), [n]);
    expect(sum(x).item()).toBe(n);
    expect(sum(new Tensor(new Float32Array(n).fill(1), [2, n / 2]), { dim: 0 }).data.every((v) => v === 2)).toBe(true);
  });
  it('the mean of ten million float32 tenths is 0.1 to float32 precision', () => {
    const n = 10_000_000;
    const m = mean(new Tensor(new Float32Array(n).fill(0.1), [n])).item();
    expect(m).toBe(Math.fround(Math.fround(n * Math.fround(0.1)) / n));
  });
});
