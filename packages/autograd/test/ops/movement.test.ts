import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Tensor, cat, chunk, clone, exp, expand, flatten, gather, indexSelect, mul, pad, permute,
  reshape, slice, split, squeeze, stack, t, tensor, toDType, transpose, unsqueeze, view, zeros,
  type FlattenOptions, type PadOptions,
} from '@dl/autograd';
import { arbShape, arbTensor, backwardIsLinear, retainGraphDoubles, unusedBranchIsInert } from '@dl/autograd/testing';
import {
  arbDim, describeSampledOpInfos, expectClose, fromJson, loadGoldenTable, withOptions, type SampledOpInfo,
} from './opInfo.js';

// Golden values from PyTorch: fixtures/movement.py.
const golden = loadGoldenTable('movement');

// ---------------------------------------------------------------------------------------------
// The table: random inputs and options per op.

/** A typed row; movement ops are linear, so every row also gets the second-order check. */
const row = <O,>(info: SampledOpInfo<O>): SampledOpInfo<any> => ({ ...info, gradgrad: true });

const range = (n: number) => [...Array(n).keys()];
/** Several tensors (shapes from `shapes`) and the options. */
const tensorsOf = <O,>(shapes: number[][], o: O): fc.Arbitrary<[Tensor[], O]> =>
  fc.tuple(...shapes.map((s) => arbTensor(s))).map((xs) => [xs, o]);

/** A target shape with the same number of elements, one size possibly -1. */
const arbReshape = (shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.tuple(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }), fc.nat()).map(([cands, r]) => {
    const out: number[] = [];
    let rest = n;
    for (const c of cands) if (rest % c === 0) out.push(c), (rest /= c);
    out.push(rest);
    if (r % 3 === 0) out[r % out.length] = -1;
    return { shape: out };
  });
};
const arbPermutation = (ndim: number) =>
  fc.shuffledSubarray(range(ndim), { minLength: ndim, maxLength: ndim })
    .chain((p) => fc.tuple(...p.map((d) => fc.constantFrom(d, d - ndim))));
/** An expand target: new leading dims, sizes-1 dims grown, others kept or written -1. */
const arbExpand = (shape: number[]) =>
  fc.tuple(
    fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    fc.tuple(...shape.map((s) => (s === 1 ? fc.constantFrom(1, 2, 3, -1) : fc.constantFrom(s, -1)))),
  ).map(([lead, own]) => ({ shape: [...lead, ...own] }));
const arbFlatten = (ndim: number): fc.Arbitrary<FlattenOptions> =>
  ndim === 0
    ? fc.constant({})
    : fc.tuple(fc.integer({ min: 0, max: ndim - 1 }), fc.integer({ min: 0, max: ndim - 1 }), fc.boolean(), fc.boolean())
        .map(([a, b, na, nb]) => {
          const [s, e] = a <= b ? [a, b] : [b, a];
          return { startDim: na ? s - ndim : s, endDim: nb ? e - ndim : e };
        });
/** Sizes that add up to n (zeros allowed), for split's sections. */
const arbSections = (n: number) =>
  fc.array(fc.integer({ min: 0, max: n }), { maxLength: 3 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), n];
    return points.slice(1).map((p, i) => p - points[i]!);
  });
/** Integer-valued float index tensor of `shape` with values in [0, n). */
const arbIndex = (shape: number[], n: number) =>
  fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((v) => new Tensor(Float64Array.from(v), shape));

/** The pieces of split/chunk joined into one tensor, each scaled differently so each piece's gradient is its own. */
const joined = (pieces: Tensor[]) => cat(pieces.map((p, i) => mul(flatten(p), i + 1)));

interface SliceOptions { dim: number; start?: number; end?: number; step?: number }
interface SplitOptions { splitSize: number | number[]; dim?: number }

const opInfos: SampledOpInfo<any>[] = [
  row<{ shape: number[] }>({ name: 'reshape', sample: withOptions(arbReshape), fn: (o) => (x) => reshape(x, o.shape) }),
  row<{ shape: number[] }>({ name: 'view', sample: withOptions(arbReshape), fn: (o) => (x) => view(x, o.shape) }),
  row<{ dim0: number; dim1: number }>({
    name: 'transpose',
    sample: withOptions((s) => fc.record({ dim0: arbDim(s.length), dim1: arbDim(s.length) })),
    fn: (o) => (x) => transpose(x, o.dim0, o.dim1),
  }),
  row<object>({ name: 't', sample: arbShape({ maxDims: 2 }).chain((s) => tensorsOf([s], {})), fn: () => (x) => t(x) }),
  row<{ dims: number[] }>({ name: 'permute', sample: withOptions((s) => arbPermutation(s.length).map((dims) => ({ dims }))), fn: (o) => (x) => permute(x, o.dims) }),
  row<{ dim?: number }>({
    name: 'squeeze',
    sample: withOptions((s) => fc.record({ dim: fc.option(arbDim(s.length), { nil: undefined }) }), { maxDims: 4, maxSize: 2 }),
    fn: (o) => (x) => squeeze(x, o.dim),
  }),
  row<{ dim: number }>({ name: 'unsqueeze', sample: withOptions((s) => fc.record({ dim: arbDim(s.length + 1) })), fn: (o) => (x) => unsqueeze(x, o.dim) }),
  row<{ shape: number[] }>({
    name: 'expand',
    sample: arbShape({ maxDims: 3, maxSize: 3 }).chain((s) => fc.tuple(arbTensor(s).map((x) => [x]), arbExpand(s))),
    fn: (o) => (x) => expand(x, o.shape),
  }),
  row<FlattenOptions>({ name: 'flatten', sample: withOptions((s) => arbFlatten(s.length)), fn: (o) => (x) => flatten(x, o) }),
  row<{ dim: number }>({
    name: 'cat',
    sample: arbShape({ minDims: 1, maxDims: 3 }).chain((s) =>
      fc.tuple(fc.nat({ max: s.length - 1 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), fc.boolean())
        .chain(([d, sizes, neg]) => tensorsOf(sizes.map((n) => s.map((v, i) => (i === d ? n : v))), { dim: neg ? d - s.length : d }))),
    fn: (o) => (...xs) => cat(xs, o.dim),
  }),
  row<{ dim: number }>({
    name: 'stack',
    sample: arbShape().chain((s) =>
      fc.tuple(fc.integer({ min: 1, max: 3 }), arbDim(s.length + 1)).chain(([k, dim]) => tensorsOf(range(k).map(() => s), { dim }))),
    fn: (o) => (...xs) => stack(xs, o.dim),
  }),
  row<SplitOptions>({
    name: 'split',
    sample: withOptions((s) => arbDim(s.length).chain((dim) => {
      const n = s[dim < 0 ? dim + s.length : dim]!;
      return fc.record({ splitSize: fc.oneof(fc.integer({ min: 1, max: 5 }), arbSections(n)), dim: fc.constant(dim) });
    }), { minDims: 1 }),
    fn: (o) => (x) => joined(split(x, o.splitSize, o.dim)),
    outputs: (o) => (x) => split(x, o.splitSize, o.dim),
  }),
  row<{ chunks: number; dim?: number }>({
    name: 'chunk',
    sample: withOptions((s) => fc.record({ chunks: fc.integer({ min: 1, max: 5 }), dim: arbDim(s.length) }), { minDims: 1 }),
    fn: (o) => (x) => joined(chunk(x, o.chunks, o.dim)),
    outputs: (o) => (x) => chunk(x, o.chunks, o.dim),
  }),
  row<SliceOptions>({
    name: 'slice',
    sample: withOptions((s) => fc.record({
      dim: arbDim(s.length),
      start: fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
      end: fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
      step: fc.integer({ min: 1, max: 3 }),
    }), { minDims: 1 }),
    fn: (o) => (x) => slice(x, o.dim, o.start, o.end, o.step),
  }),
  row<{ dim: number }>({
    name: 'gather',
    sample: arbShape({ minDims: 1, maxDims: 3 }).chain((s) =>
      fc.tuple(fc.nat({ max: s.length - 1 }), fc.tuple(...s.map((n) => fc.integer({ min: 1, max: n }))), fc.integer({ min: 1, max: 4 }), fc.boolean())
        .chain(([d, sizes, m, neg]) => {
          const indexShape = sizes.map((v, i) => (i === d ? m : v));
          return fc.tuple(arbTensor(s), arbIndex(indexShape, s[d]!)).map(([x, i]): [Tensor[], { dim: number }] => [[x, i], { dim: neg ? d - s.length : d }]);
        })),
    fn: (o) => (x, i) => gather(x, o.dim, i!),
    diff: 1,
  }),
  row<{ dim: number }>({
    name: 'indexSelect',
    sample: arbShape({ minDims: 1, maxDims: 3 }).chain((s) =>
      fc.tuple(arbDim(s.length), fc.integer({ min: 0, max: 4 })).chain(([dim, m]) =>
        fc.tuple(arbTensor(s), arbIndex([m], s[dim < 0 ? dim + s.length : dim]!)).map(([x, i]): [Tensor[], { dim: number }] => [[x, i], { dim }]))),
    fn: (o) => (x, i) => indexSelect(x, o.dim, i!),
    diff: 1,
  }),
  row<PadOptions & { pads: number[] }>({
    name: 'pad',
    sample: withOptions((s) => fc.record({
      pads: fc.integer({ min: 0, max: s.length }).chain((k) => fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2 * k, maxLength: 2 * k })),
      value: fc.constantFrom(0, 1.5, -Infinity),
    })),
    fn: (o) => (x) => pad(x, o.pads, { value: o.value }),
    // A -Infinity border is what max pooling pads with; exp maps it to 0, so gradcheck sees finite values.
    check: (o) => (x) => (o.value === -Infinity ? exp(pad(x, o.pads, { value: o.value })) : pad(x, o.pads, { value: o.value })),
  }),
  row<object>({ name: 'clone', sample: withOptions(() => fc.constant({})), fn: () => (x) => clone(x) }),
];

describeSampledOpInfos(opInfos, golden, { over: 'random shapes and options', runs: { first: 40, second: 15 } });

describe('to(dtype)', () => {
  it('rounds to float32 as PyTorch does, and casts the gradient back', () => {
    const [c] = golden['to']!;
    const x = fromJson(c!.inputs[0]!).requiresGrad_();
    const y = toDType(x, 'float32');
    expect(y.dtype).toBe('float32');
    expectClose(y, fromJson(c!.outputs[0]!), 'to float32');
    y.backward(tensor([1, 2, 3, 4, 5, 6]));
    expect(x.grad!.dtype).toBe('float64');
    expect(x.grad!.toArray()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(x.to('float64')).toBe(x);
  });

  it('carries the gradient through a float64 → float32 → float64 round trip', () => {
    // Finite differences cannot see through float32 rounding, so check the chain's gradient directly.
    const x = tensor([0.5, -2, 8], { dtype: 'float64', requiresGrad: true });
    const w = tensor([3, 5, 7], { dtype: 'float64' });
    toDType(toDType(x, 'float32'), 'float64').mul(w).sum().backward();
    expect(x.grad!.toArray()).toEqual([3, 5, 7]);
  });
});

describe('ready-made gradient properties', () => {
  const sample = withOptions((s) => arbPermutation(s.length));
  it('backward is linear in the upstream gradient (permute, pad)', () => {
    fc.assert(backwardIsLinear((x) => permute(x, range(x.ndim).reverse()), sample.map(([xs]) => xs)), { numRuns: 20 });
    fc.assert(backwardIsLinear((x) => pad(x, x.ndim > 0 ? [1, 2] : []), sample.map(([xs]) => xs)), { numRuns: 20 });
  });
  it('a second backward with retainGraph doubles the gradient (cat, expand)', () => {
    fc.assert(retainGraphDoubles((x) => cat([x, mul(x, 2)], -1), sample.map(([xs]) => xs).filter(([x]) => x!.ndim > 0)), { numRuns: 20 });
    fc.assert(retainGraphDoubles((x) => expand(x, [2, ...x.shape]), sample.map(([xs]) => xs)), { numRuns: 20 });
  });
  it('a branch that does not reach the loss changes nothing (gather, slice)', () => {
    const gathered = arbShape({ minDims: 2, maxDims: 2 }).chain((s) => arbTensor(s).map((x) => [x]));
    fc.assert(unusedBranchIsInert((x) => gather(x, 1, zeros([x.shape[0]!, 2], { dtype: 'float64' })), gathered), { numRuns: 20 });
    fc.assert(unusedBranchIsInert((x) => slice(x, 0, 1, undefined, 2), gathered), { numRuns: 20 });
  });
});

describe('bad input', () => {
  const x = zeros([2, 3]);
  it('names the op and the valid dim range', () => {
    const cases: [string, () => unknown, string][] = [
      ['transpose', () => transpose(x, 0, 2), 'dim 2 is out of range for a tensor of 2 dimension\\(s\\) \\(expected -2 to 1\\)'],
      ['permute', () => permute(x, [0, -3]), 'dim -3 is out of range for a tensor of 2 dimension\\(s\\) \\(expected -2 to 1\\)'],
      ['squeeze', () => squeeze(x, 2), 'dim 2 is out of range .* \\(expected -2 to 1\\)'],
      ['unsqueeze', () => unsqueeze(x, 3), 'dim 3 is out of range for a tensor of 3 dimension\\(s\\) \\(expected -3 to 2\\)'],
      ['flatten', () => flatten(x, { startDim: -3 }), 'dim -3 is out of range .* \\(expected -2 to 1\\)'],
      ['cat', () => cat([x, x], 2), 'dim 2 is out of range .* \\(expected -2 to 1\\)'],
      ['stack', () => stack([x, x], 3), 'dim 3 is out of range .* \\(expected -3 to 2\\)'],
      ['split', () => split(x, 1, -3), 'dim -3 is out of range .* \\(expected -2 to 1\\)'],
      ['chunk', () => chunk(x, 2, 2), 'dim 2 is out of range .* \\(expected -2 to 1\\)'],
      ['slice', () => slice(x, 5), 'dim 5 is out of range .* \\(expected -2 to 1\\)'],
      ['gather', () => gather(x, 2, zeros([2, 3])), 'dim 2 is out of range .* \\(expected -2 to 1\\)'],
      ['indexSelect', () => indexSelect(x, -3, [0]), 'dim -3 is out of range .* \\(expected -2 to 1\\)'],
    ];
    for (const [op, f, msg] of cases) expect(f, op).toThrow(new RegExp(`^${op}: ${msg}`));
  });

  it('rejects a reshape to the wrong number of elements', () => {
    expect(() => reshape(x, [4, 2])).toThrow(/^reshape: shape \[4,2\] is invalid for input of shape \[2,3\] \(6 elements\)/);
    expect(() => reshape(x, [4, -1])).toThrow(/^reshape: shape \[4,-1\] is invalid for input of shape \[2,3\]/);
    expect(() => reshape(x, [-1, -1])).toThrow(/^reshape: invalid shape \[-1,-1\]/);
    expect(() => view(x, [2.5, 2])).toThrow(/^reshape: invalid shape \[2.5,2\]/);
    expect(() => reshape(zeros([0]), [0, -1])).toThrow(/^reshape: shape \[0,-1\] is invalid/);
  });

  it('rejects joining tensors whose shapes differ', () => {
    expect(() => cat([x, zeros([2, 4])])).toThrow(/^cat: shapes \[2,3\], \[2,4\] differ outside dim 0/);
    expect(() => cat([x, zeros([6])], 0)).toThrow(/^cat: shapes \[2,3\], \[6\] differ/);
    expect(() => cat([])).toThrow(/^cat: expects a non-empty list/);
    expect(() => cat([zeros([]), zeros([])])).toThrow(/^cat: zero-dimensional tensors cannot be concatenated/);
    expect(() => cat([x, zeros([2, 3], { dtype: 'float64' })])).toThrow(/^cat: dtypes float32 and float64 differ/);
    expect(() => stack([x, zeros([3, 2])])).toThrow(/^stack: shapes \[2,3\], \[3,2\] differ/);
  });

  it('rejects out-of-range and non-integer indices, negative ones included, as PyTorch does', () => {
    expect(() => gather(x, 1, tensor([[0], [3]]))).toThrow(/^gather: index 3 is out of bounds for dim 1 of size 3/);
    expect(() => gather(x, -1, tensor([[0], [-1]]))).toThrow(/^gather: index -1 is out of bounds for dim -1 of size 3/);
    expect(() => gather(x, 0, tensor([[0.5, 0, 0]]))).toThrow(/^gather: index must hold integers, got 0.5/);
    expect(() => gather(x, 0, zeros([1, 4]))).toThrow(/^gather: index of shape \[1,4\] must have the dims of shape \[2,3\] and be no larger outside dim 0/);
    expect(() => gather(x, 0, zeros([3]))).toThrow(/^gather: index of shape \[3\] must have the dims of shape \[2,3\]/);
    expect(() => indexSelect(x, 0, [0, 2])).toThrow(/^indexSelect: index 2 is out of bounds for dim 0 of size 2/);
    expect(() => indexSelect(x, 1, tensor([-1]))).toThrow(/^indexSelect: index -1 is out of bounds for dim 1 of size 3/);
    expect(() => indexSelect(x, 1, zeros([1, 1]))).toThrow(/^indexSelect: index must be 1-D, got shape \[1,1\]/);
  });

  it('rejects bad sizes, shapes and steps', () => {
    expect(() => expand(x, [2, 4])).toThrow(/^expand: shape \[2,3\] cannot be expanded to \[2,4\]/);
    expect(() => expand(x, [3])).toThrow(/^expand: shape \[2,3\] cannot be expanded to \[3\]/);
    expect(() => expand(x, [-1, 2, 3])).toThrow(/^expand: shape \[2,3\] cannot be expanded to \[-1,2,3\]/);
    expect(() => permute(x, [0])).toThrow(/^permute: dims \[0\] do not match a tensor of shape \[2,3\]/);
    expect(() => permute(x, [1, -1])).toThrow(/^permute: dims \[1,-1\] repeat a dimension/);
    expect(() => t(zeros([1, 2, 3]))).toThrow(/^t: expects a tensor of at most 2 dims, got shape \[1,2,3\]/);
    expect(() => flatten(zeros([1, 2, 3]), { startDim: 2, endDim: 1 })).toThrow(/^flatten: startDim 2 comes after endDim 1 for shape \[1,2,3\]/);
    expect(() => split(x, [1, 1], 1)).toThrow(/^split: sizes \[1,1\] do not add up to 3, the size of dim 1 of shape \[2,3\]/);
    expect(() => split(x, 0)).toThrow(/^split: splitSize must be a positive integer, got 0/);
    expect(() => chunk(x, 0)).toThrow(/^chunk: chunks must be a positive integer, got 0/);
    expect(() => slice(x, 1, 0, 3, 0)).toThrow(/^slice: step must be a positive integer, got 0/);
    expect(() => slice(x, 1, 0, 3, -1)).toThrow(/^slice: step must be a positive integer, got -1/);
    expect(() => slice(x, 1, 0.5)).toThrow(/^slice: start 0.5 and end Infinity must be integers/);
    expect(() => pad(x, [1])).toThrow(/^pad: pads \[1\] must come in pairs, at most one pair per dim of shape \[2,3\]/);
    expect(() => pad(x, [1, 1, 1, 1, 1, 1])).toThrow(/^pad: pads \[1,1,1,1,1,1\] must come in pairs/);
    expect(() => pad(x, [1, -1])).toThrow(/^pad: pads \[1,-1\] must be non-negative integers/);
    expect(() => toDType(x, 'uint8' as 'float32')).toThrow(/^to: .*uint8/);
  });
});
