// The idioms a PyTorch port reaches for: norm, triu/tril, bmm, einsum, cumsum/cumprod/prod,
// sort/argsort/topk, any/all, isnan/isfinite, flip/roll/repeat/tile, rounding, log1p/expm1.
// Each row gets a float64 gradcheck property over random shapes and PyTorch's golden values
// (fixtures/idioms.py); the random samplers are checked statistically in sampling.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Tensor, abs, all, any, argsort, bmm, ceil, cumprod, cumsum, einsum, expm1, flip, floor, gradients, gt, isfinite, isnan, log1p,
  lt, norm, prod, repeat, roll, round, sign, sort, sub, sum, tensor, tile, topk, tril, triu, zeros,
  type NormOptions, type ProdOptions, type SortOptions, type TopkOptions,
} from '@dl/autograd';
import { arbShape, arbTensor } from '@dl/autograd/testing';
import { arbDim, describeSampledOpInfos, expectClose, loadGoldenTable, row, withOptions, type SampledOpInfo } from './opInfo.js';

const golden = loadGoldenTable('idioms');

/** One to all dims of a rank, each written positive or negative (rank 0: none). */
const arbDims = (ndim: number): fc.Arbitrary<number[]> =>
  ndim === 0
    ? fc.constant([])
    : fc.uniqueArray(fc.integer({ min: 0, max: ndim - 1 }), { minLength: 1, maxLength: ndim })
        .chain((ds) => fc.tuple(...ds.map((d) => fc.constantFrom(d, d - ndim))));

/** Whether every pair of values is more than `gap` apart (sort and topk are smooth away from ties). */
const distinct = (x: Tensor, gap = 1e-4): boolean => {
  const v = [...x.data].sort((a, b) => a - b);
  return v.every((a, i) => i === 0 || a - v[i - 1]! > gap);
};

/** Tensors with some entries set to exactly 0, where products have their interesting gradients. */
const withZeros = (c = {}): fc.Arbitrary<Tensor> =>
  arbShape({ minDims: 1, ...c }).chain((s) =>
    fc.tuple(arbTensor(s), fc.array(fc.boolean(), { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) }))
      .map(([x, z]) => new Tensor(x.data.map((v, i) => (z[i] ? 0 : v)), x.shape)));

/** norm away from its kinks: no |x| near 0, and one clear extreme per slice for ±inf. */
function normSmooth(x: Tensor, o: NormOptions): boolean {
  if (!x.data.every((v) => Math.abs(v) > 0.05)) return false;
  if (o.p !== Infinity && o.p !== -Infinity) return true;
  const n = norm(x, { ...o, keepdim: true });
  const near = o.p === Infinity ? gt(abs(x), sub(n, 1e-3)) : lt(abs(x), n.add(1e-3));
  const dims = o.dim === undefined ? undefined : o.dim;
  return sum(near, { dim: x.ndim === 0 ? [] : dims }).data.every((c) => c === 1);
}

/** Exact zeros or values of a sane size: the division rule's second derivative cancels terms of size 1/x, so |x| ≈ 1e-30 loses every digit (as PyTorch's does). */
const zeroOrSane = ([[x]]: readonly [readonly Tensor[], unknown]): boolean => x!.data.every((v) => v === 0 || Math.abs(v) > 1e-3);

const P_VALUES: NormOptions['p'][] = [2, 1, 3, 0.5, 1.5, Infinity, -Infinity, 0, 'fro', undefined];

const EINSUM: [string, string[]][] = [
  ['ij,jk->ik', ['ij', 'jk']], ['ij,jk', ['ij', 'jk']], ['bij,bjk->bik', ['bij', 'bjk']], ['ii->i', ['ii']], ['ii', ['ii']],
  ['ij->ji', ['ij']], ['ij->', ['ij']], ['i,i->', ['i', 'i']], ['i,j->ij', ['i', 'j']], ['ij,jk,kl->il', ['ij', 'jk', 'kl']],
  ['iij->j', ['iij']], ['ijk,ik->j', ['ijk', 'ik']], ['ij,ij->i', ['ij', 'ij']], ['bhqd,bhkd->bhqk', ['bhqd', 'bhkd']],
];
/** An equation and random operands, each letter given one random size. */
const arbEinsum: fc.Arbitrary<[Tensor[], { equation: string }]> = fc
  .tuple(fc.constantFrom(...EINSUM), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 8 }))
  .chain(([[equation, terms], sizes]) => {
    const size = (l: string) => sizes['ijklbhqd'.indexOf(l)]!;
    return fc.tuple(...terms.map((t) => arbTensor([...t].map(size)))).map((xs): [Tensor[], { equation: string }] => [xs, { equation }]);
  });

const withRank = <O,>(options: (ndim: number) => fc.Arbitrary<O>, c = {}) => withOptions((shape) => options(shape.length), c);
const opt = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const intList = (n: number, min: number, max: number) => fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n });

const opInfos: SampledOpInfo<any>[] = [
  row<NormOptions>({
    name: 'norm',
    sample: withRank((n) => fc.record({ p: fc.constantFrom(...P_VALUES), dim: opt(arbDims(n)), keepdim: fc.boolean() })).filter(([[x], o]) =>
      normSmooth(x!, o)),
    fn: (o) => (x) => norm(x, o),
    gradgrad: true,
  }),
  row<{ diagonal: number }>({
    name: 'triu', sample: withRank(() => fc.record({ diagonal: fc.integer({ min: -3, max: 3 }) }), { minDims: 2 }), fn: (o) => (x) => triu(x, o.diagonal), gradgrad: true,
  }),
  row<{ diagonal: number }>({
    name: 'tril', sample: withRank(() => fc.record({ diagonal: fc.integer({ min: -3, max: 3 }) }), { minDims: 2 }), fn: (o) => (x) => tril(x, o.diagonal),
  }),
  row<object>({
    name: 'bmm',
    sample: intList(4, 1, 3).chain(([b, n, m, p]) => fc.tuple(fc.tuple(arbTensor([b!, n!, m!]), arbTensor([b!, m!, p!])), fc.constant({}))),
    fn: () => (a, b) => bmm(a, b),
    gradgrad: true,
  }),
  row<{ equation: string }>({ name: 'einsum', sample: arbEinsum, fn: (o) => (...xs) => einsum(o.equation, ...xs), gradgrad: true }),
  row<{ dim: number }>({ name: 'cumsum', sample: withRank((n) => fc.record({ dim: arbDim(n) })), fn: (o) => (x) => cumsum(x, o.dim), gradgrad: true }),
  row<{ dim: number }>({
    name: 'cumprod',
    sample: fc.oneof(withRank((n) => fc.record({ dim: arbDim(n) })), withZeros({ maxDims: 2 }).chain((x) => fc.tuple(fc.constant<Tensor[]>([x]), fc.record({ dim: arbDim(x.ndim) })))).filter(zeroOrSane),
    fn: (o) => (x) => cumprod(x, o.dim),
    gradgrad: true,
  }),
  row<ProdOptions>({
    name: 'prod',
    sample: fc.oneof(
      withRank((n) => fc.record({ dim: opt(arbDim(n)), keepdim: fc.boolean() })),
      withZeros().chain((x) => fc.tuple(fc.constant<Tensor[]>([x]), fc.record({ dim: opt(arbDim(x.ndim)), keepdim: fc.boolean() }))),
    ).filter(zeroOrSane),
    fn: (o) => (x) => prod(x, o),
    gradgrad: true,
  }),
  row<SortOptions>({
    name: 'sort',
    sample: withRank((n) => fc.record({ dim: opt(arbDim(n)), descending: opt(fc.boolean()) }), { maxDims: 2, maxSize: 3 }).filter(([[x]]) => distinct(x!)),
    fn: (o) => (x) => sort(x, o).values,
    outputs: (o) => (x) => {
      const r = sort(x, o);
      return [r.values, r.indices];
    },
    gradgrad: true,
  }),
  row<SortOptions>({ name: 'argsort', sample: withRank((n) => fc.record({ dim: opt(arbDim(n)), descending: opt(fc.boolean()) })), fn: (o) => (x) => argsort(x, o), noGrad: true }),
  row<TopkOptions & { k: number }>({
    name: 'topk',
    sample: arbShape({ minDims: 1, maxDims: 2, maxSize: 3 })
      .chain((s) => fc.tuple(arbTensor(s).map((x) => [x]), arbDim(s.length).chain((dim) =>
        fc.record({ k: fc.integer({ min: 0, max: s[dim < 0 ? dim + s.length : dim]! }), dim: fc.constant(dim), largest: opt(fc.boolean()) }))))
      .filter(([[x]]) => distinct(x!)),
    fn: ({ k, ...o }) => (x) => topk(x, k, o).values,
    outputs: ({ k, ...o }) => (x) => {
      const r = topk(x, k, o);
      return [r.values, r.indices];
    },
  }),
  row<{ dim?: number[] }>({ name: 'any', sample: withRank((n) => fc.record({ dim: opt(arbDims(n)) })), fn: (o) => (x) => any(x, o), noGrad: true }),
  row<{ dim?: number[] }>({ name: 'all', sample: withRank((n) => fc.record({ dim: opt(arbDims(n)) })), fn: (o) => (x) => all(x, o), noGrad: true }),
  row<object>({ name: 'isnan', sample: withRank(() => fc.constant({})), fn: () => (x) => isnan(x), noGrad: true }),
  row<object>({ name: 'isfinite', sample: withRank(() => fc.constant({})), fn: () => (x) => isfinite(x), noGrad: true }),
  row<{ dims: number[] }>({ name: 'flip', sample: withRank((n) => fc.record({ dims: arbDims(n) })), fn: (o) => (x) => flip(x, o.dims), gradgrad: true }),
  row<{ shifts: number | number[]; dims: number | number[] | null }>({
    name: 'roll',
    sample: withRank((n) => fc.oneof(
      fc.record({ shifts: fc.integer({ min: -5, max: 5 }), dims: fc.constant(null) }),
      arbDims(n).chain((dims) => fc.record({ shifts: intList(dims.length, -5, 5), dims: fc.constant(dims) })),
    )),
    fn: (o) => (x) => roll(x, o.shifts, o.dims ?? undefined),
    gradgrad: true,
  }),
  row<{ sizes: number[] }>({
    name: 'repeat',
    sample: withRank((n) => fc.integer({ min: 0, max: 2 }).chain((extra) => fc.record({ sizes: intList(n + extra, 0, 3) }))),
    fn: (o) => (x) => repeat(x, o.sizes),
    gradgrad: true,
  }),
  row<{ dims: number[] }>({
    name: 'tile',
    sample: withRank(() => fc.integer({ min: 0, max: 4 }).chain((len) => fc.record({ dims: intList(len, 1, 3) }))),
    fn: (o) => (x) => tile(x, o.dims),
  }),
  ...(['round', 'floor', 'ceil', 'sign'] as const).map((name) => {
    const f = { round: (x: Tensor, o: { decimals?: number }) => round(x, o), floor, ceil, sign }[name];
    // Away from the jumps: integers (floor, ceil), halves (round), 0 (sign).
    const jump = (v: number) => (name === 'round' ? Math.abs(Math.abs(v % 1) - 0.5) : Math.abs(v - Math.round(v))) < 1e-3;
    return row<{ decimals?: number }>({ name, sample: withRank(() => fc.constant({})).filter(([[x]]) => !x!.data.some(jump)), fn: (o) => (x) => f(x, o) });
  }),
  row<object>({ name: 'log1p', sample: withOptions(() => fc.constant({})).map(([[x], o]) => [[abs(x!)], o]), fn: () => (x) => log1p(x), gradgrad: true }),
  row<object>({ name: 'expm1', sample: withRank(() => fc.constant({})), fn: () => (x) => expm1(x), gradgrad: true }),
];

describeSampledOpInfos(opInfos, golden, { over: 'random shapes and options', runs: { first: 25, second: 8 } });

describe('gradients at the points PyTorch defines by convention', () => {
  it('norm has gradient 0 at 0 for every p, and stays finite when differentiated again', () => {
    for (const p of [2, 1, 3, 1.5, 0.5, Infinity, 'fro'] as const) {
      const x = zeros([2, 3], { dtype: 'float64', requiresGrad: true });
      const [g] = gradients([norm(x, { p })], [x], { createGraph: true });
      expect([...g!.data], `p=${p}`).toEqual([0, 0, 0, 0, 0, 0]);
      const [gg] = gradients([sum(g!)], [x], { allowUnused: true });
      expect(gg === null || gg!.data.every(Number.isFinite), `p=${p} second order`).toBe(true);
    }
  });
  it('rounding ops record a zero gradient, so backward runs through them', () => {
    const x = tensor([0.4, 1.6, -2.5], { dtype: 'float64', requiresGrad: true });
    for (const f of [round, floor, ceil, sign]) {
      const [g] = gradients([sum(f(x as Tensor))], [x]);
      expect([...g!.data]).toEqual([0, 0, 0]);
    }
  });
  it('prod and cumprod give the exact products of the others where x has zeros', () => {
    const x = tensor([2, 0, 3, 5], { dtype: 'float64', requiresGrad: true });
    expect([...gradients([prod(x)], [x])[0]!.data]).toEqual([0, 30, 0, 0]);
    // d/dx Σ cumprod(x) at a zero: 2 + 2·3 + 2·3·5 = 38 for x₁.
    expect([...gradients([sum(cumprod(x, 0))], [x])[0]!.data]).toEqual([1, 38, 0, 0]);
  });
});

describe('index results', () => {
  it('sort is stable, indices are int32 tensors, and values = gather(x, indices)', () => {
    const x = tensor([[3, 1, 3, 1]]);
    const { values, indices } = x.sort({ dim: 1 });
    expect(indices.dtype).toBe('int32');
    expect(indices.toArray()).toEqual([[1, 3, 0, 2]]);
    expect(values.toArray()).toEqual([[1, 1, 3, 3]]);
    expect(x.sort({ descending: true }).indices.toArray()).toEqual([[0, 2, 1, 3]]);
    expect(x.argsort({ descending: true }).toArray()).toEqual([[0, 2, 1, 3]]);
    expect(x.topk(2).indices.toArray()).toEqual([[0, 2]]);
  });
});

describe('Tensor methods and attributes', () => {
  it('.T reverses the dims, .mT swaps the last two, dim(), tolist() and size(dim)', () => {
    const x = tensor([[[1, 2, 3], [4, 5, 6]]]); // [1, 2, 3]
    expect(x.T.shape).toEqual([3, 2, 1]);
    expect(x.mT.shape).toEqual([1, 3, 2]);
    expect(x.mT.toArray()).toEqual([[[1, 4], [2, 5], [3, 6]]]);
    expect(tensor([1, 2]).T.shape).toEqual([2]);
    expect(x.dim()).toBe(3);
    expect(x.tolist()).toEqual(x.toArray());
    expect(x.size(-1)).toBe(3);
    expect(() => tensor([1, 2]).mT).toThrow(/^mT: expects a tensor of at least 2 dims/);
  });
  it('methods match the functions', () => {
    const x = tensor([[1, -2, 3], [0.5, 4, -1]], { dtype: 'float64' });
    const same = (a: Tensor, b: Tensor) => expectClose(a, b, 'method');
    same(x.norm({ p: 1, dim: 1 }), norm(x, { p: 1, dim: 1 }));
    same(x.cumsum(1), cumsum(x, 1));
    same(x.cumprod(0), cumprod(x, 0));
    same(x.prod({ dim: 1 }), prod(x, { dim: 1 }));
    same(x.flip(0, 1), flip(x, [0, 1]));
    same(x.flip([1]), flip(x, [1]));
    same(x.roll(1, 1), roll(x, 1, 1));
    same(x.repeat(2, 1), repeat(x, [2, 1]));
    same(x.repeat([2, 1]), repeat(x, [2, 1]));
    same(x.tile(2), tile(x, [2]));
    same(x.triu(1), triu(x, 1));
    same(x.tril(), tril(x));
    same(x.round(), round(x));
    same(x.floor(), floor(x));
    same(x.ceil(), ceil(x));
    same(x.any({ dim: 0 }), any(x, { dim: 0 }));
    same(x.all(), all(x));
    same(x.isnan(), isnan(x));
    same(x.isfinite(), isfinite(x));
    same(x.log1p().isnan(), isnan(log1p(x)));
    same(x.unsqueeze(0).bmm(x.T.unsqueeze(0)), bmm(x.unsqueeze(0), x.T.unsqueeze(0)));
  });
});

describe('bad input', () => {
  const x = tensor([[1, 2], [3, 4]]);
  it('einsum names what it does not support and what does not match', () => {
    expect(() => einsum('...ij->ij', x)).toThrow(/^einsum: ellipsis '...' is not supported/);
    expect(() => einsum('ij,jk->ik', x)).toThrow(/^einsum: equation 'ij,jk->ik' has 2 operand\(s\) but 1 tensor\(s\) were given/);
    expect(() => einsum('ijk->i', x)).toThrow(/^einsum: operand 0 has 2 dim\(s\)/);
    expect(() => einsum('ij->q', x)).toThrow(/^einsum: output letter 'q'/);
    expect(() => einsum('ij,jk->ik', x, tensor([[1, 2, 3]]))).toThrow(/^einsum: letter 'j' has sizes 2 and 1/);
    expect(() => einsum('i-j', x)).toThrow(/^einsum: invalid equation/);
  });
  it('the others name the op and the argument', () => {
    expect(() => bmm(x, x)).toThrow(/^bmm: expects two 3-D tensors/);
    expect(() => triu(tensor([1, 2]))).toThrow(/^triu: expects a tensor of at least 2 dims/);
    expect(() => repeat(x, [2])).toThrow(/^repeat: the number of repeats \(1\) cannot be smaller/);
    expect(() => roll(x, [1, 2], [0])).toThrow(/^roll: shifts \[1,2\] and dims \[0\] must have the same length/);
    expect(() => topk(x, 3)).toThrow(/^topk: k must be an integer in \[0, 2\]/);
    expect(() => norm(x, { p: 'nuc' as never })).toThrow(/^norm: p must be a number/);
    expect(() => cumsum(x, 2)).toThrow(/^cumsum: dim 2 is out of range/);
    expect(() => round(x, { decimals: 0.5 })).toThrow(/^round: decimals must be an integer/);
  });
});
