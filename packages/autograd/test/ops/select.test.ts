// Index expressions and the position ops (issue 9): x.index(...) reads any of PyTorch's basic and
// advanced index expressions, indexPut / indexPut_ write them; select, narrow, take, maskedFill,
// maskedSelect, scatter, scatterAdd. PyTorch's golden values (fixtures/indexExpr.py) for a table of
// expressions, forward and gradient, and a float64 gradcheck property over random shapes for each op.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DlError, index, indexPut, maskedFill, maskedSelect, narrow, noGrad, scatter, scatterAdd, select, take, Tensor, tensor, zeros,
  type IndexItem,
} from '@dl/autograd';
import { arbShape, arbTensor, assertGradcheck } from '@dl/autograd/testing';

interface J { shape: number[]; data: number[] }
type Item = { s: string } | { e: 1 } | { n: 1 } | { i: number } | { l: number[] } | { t: J } | { m: J };
interface Put { values: J; out: J; up: J; gradX: J; gradValues: J }
interface IndexCase { expr: Item[]; out: J; up: J; grad: J; put: Put; putAcc: Put }
interface OpCase { op: string; args: Record<string, number | J>; inputs: J[]; out: J; up: J; grads: J[] }
const golden = JSON.parse(readFileSync(new URL('../fixtures/indexExpr.json', import.meta.url), 'utf8')) as { x: J; index: IndexCase[]; ops: OpCase[] };

const t64 = (j: J, requiresGrad = false): Tensor => new Tensor(Float64Array.from(j.data), j.shape, { requiresGrad });
const toItem = (it: Item): IndexItem =>
  's' in it ? it.s : 'e' in it ? '...' : 'n' in it ? null : 'i' in it ? it.i : 'l' in it ? it.l : 't' in it ? t64(it.t) : { mask: t64(it.m) };
const show = (ex: Item[]): string =>
  `x[${ex.map((it) => ('s' in it ? it.s : 'e' in it ? '...' : 'n' in it ? 'None' : 'i' in it ? it.i : 'l' in it ? `[${it.l}]` : 't' in it ? `t${JSON.stringify(it.t.data)}` : `mask${JSON.stringify(it.m.data)}`)).join(', ')}]`;

function expectTensor(actual: Tensor | null, expected: J): void {
  expect(actual).not.toBeNull();
  expect(actual!.shape).toEqual(expected.shape);
  Array.from(actual!.data).forEach((v, i) => expect(Math.abs(v - expected.data[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(expected.data[i]!))));
}

describe('index expressions match PyTorch (forward and gradient)', () => {
  it.each(golden.index.map((c) => [show(c.expr), c] as const))('%s', (_, c) => {
    const items = c.expr.map(toItem);
    const x = t64(golden.x, true);
    const y = x.index(...items);
    expectTensor(y, c.out);
    y.mul(t64(c.up)).sum().backward();
    expectTensor(x.grad, c.grad);
    expectTensor(index(t64(golden.x), ...items), c.out);
    for (const [p, accumulate] of [[c.put, false], [c.putAcc, true]] as const) {
      const xw = t64(golden.x, true);
      const v = t64(p.values, true);
      const out = indexPut(xw, items, v, { accumulate });
      expectTensor(out, p.out);
      out.mul(t64(p.up)).sum().backward();
      expectTensor(xw.grad, p.gradX);
      expectTensor(v.grad, p.gradValues);
      // x[expr] = v in place, as PyTorch's assignment (no gradient: under noGrad or on a plain tensor)
      const xi = t64(golden.x);
      expect(xi.indexPut_(items, t64(p.values), { accumulate })).toBe(xi);
      expectTensor(xi, p.out);
    }
  });
});

describe('select, narrow, take, maskedFill, maskedSelect, scatter, scatterAdd match PyTorch', () => {
  const run = (c: OpCase, xs: Tensor[]): Tensor => {
    const a = c.args;
    const T = (j: number | J | undefined): Tensor => t64(j as J);
    switch (c.op) {
      case 'select': return select(xs[0]!, a.dim as number, a.index as number);
      case 'narrow': return narrow(xs[0]!, a.dim as number, a.start as number, a.length as number);
      case 'take': return take(xs[0]!, T(a.index));
      case 'maskedFill': return maskedFill(xs[0]!, T(a.mask), a.value as number);
      case 'maskedFillTensor': return xs[0]!.maskedFill(T(a.mask), xs[1]!);
      case 'maskedSelect': return maskedSelect(xs[0]!, T(a.mask));
      case 'scatter': return scatter(xs[0]!, a.dim as number, T(a.index), xs[1]!);
      case 'scatterValue': return xs[0]!.scatter(a.dim as number, T(a.index), a.value as number);
      case 'scatterAdd': return scatterAdd(xs[0]!, a.dim as number, T(a.index), xs[1]!);
      default: throw new Error(c.op);
    }
  };
  it.each(golden.ops.map((c, i) => [`${c.op} #${i}`, c] as const))('%s', (_, c) => {
    const xs = c.inputs.map((j) => t64(j, true));
    const y = run(c, xs);
    expectTensor(y, c.out);
    y.mul(t64(c.up)).sum().backward();
    xs.forEach((x, i) => expectTensor(x.grad, c.grads[i]!));
  });
});

// Random index expressions over a random shape: per dim an integer, a slice, an index array or a mask
// of that dim; sometimes a None, an Ellipsis in place of the trailing dims.
const arbExpr = (shape: number[]): fc.Arbitrary<IndexItem[]> =>
  fc.tuple(
    ...shape.map((n) =>
      fc.oneof(
        fc.integer({ min: -n, max: n - 1 }),
        fc.tuple(fc.integer({ min: -n, max: n }), fc.integer({ min: -n, max: n }), fc.integer({ min: 1, max: 3 })).map(([a, b, s]) => `${a}:${b}:${s}`),
        fc.constantFrom(':', '::2', '1:'),
        fc.array(fc.integer({ min: -n, max: n - 1 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }).map((m) => ({ mask: tensor(m, { dtype: 'float64' }) }) as IndexItem),
      ),
    ),
    fc.boolean(), fc.boolean(), fc.nat({ max: 3 }),
  ).map(([...parts]) => {
    const [cut, withNone, where] = parts.slice(-3) as [boolean, boolean, number];
    let items = parts.slice(0, -3) as IndexItem[];
    if (cut && items.length > 0) items = [...items.slice(0, -1), '...'];
    if (withNone) items.splice(Math.min(where, items.length), 0, null);
    return items;
  });
/** Whether the advanced indices of an expression broadcast together (random masks and arrays often do not). */
const broadcasts = (x: Tensor, ex: IndexItem[]): boolean => {
  try {
    noGrad(() => x.index(...ex));
    return true;
  } catch (e) {
    if (e instanceof DlError && /could not be broadcast/.test(e.message)) return false;
    throw e;
  }
};
const arbIndexCase = arbShape({ minDims: 1, maxDims: 3 }).chain((s) => fc.tuple(arbTensor(s), arbExpr(s))).filter(([x, ex]) => broadcasts(x, ex));

describe('gradcheck (float64) over random shapes', () => {
  it('index: any expression', () => {
    fc.assert(fc.property(arbIndexCase, ([x, ex]) => {
      assertGradcheck((t) => t.index(...ex), fc.constant([x]), { numRuns: 1 });
    }), { numRuns: 40 });
  });
  it('indexPut, with and without accumulate, in x and the values', () => {
    fc.assert(fc.property(arbIndexCase, fc.boolean(), ([x, ex], accumulate) => {
      const shape = noGrad(() => x.index(...ex)).shape;
      // repeated positions overwrite each other without accumulate: the values then have no single gradient
      if (!accumulate && new Set(noGrad(() => tensor(Array.from({ length: x.numel() }, (_, i) => i), { dtype: 'float64' }).reshape(x.shape).index(...ex)).data).size !== shape.reduce((a, b) => a * b, 1)) return;
      const v = new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + 1)), shape);
      assertGradcheck((t, u) => indexPut(t, ex, u, { accumulate }), fc.constant([x, v]), { numRuns: 1 });
    }), { numRuns: 30 });
  });
  it('select and narrow', () => {
    const arb = arbShape({ minDims: 1 }).chain((s) => fc.tuple(arbTensor(s), fc.nat({ max: s.length - 1 })).chain(([x, d]) =>
      fc.tuple(fc.constant(x), fc.constant(d), fc.integer({ min: -s[d]!, max: s[d]! - 1 }), fc.integer({ min: 0, max: s[d]! }))));
    fc.assert(fc.property(arb, ([x, d, i, len]) => {
      assertGradcheck((t) => select(t, d, i), fc.constant([x]), { numRuns: 1 });
      const start = i < 0 ? i + x.shape[d]! : i;
      assertGradcheck((t) => narrow(t, d, start, Math.min(len, x.shape[d]! - start)), fc.constant([x]), { numRuns: 1 });
    }), { numRuns: 30 });
  });
  it('take, maskedFill (tensor value too) and maskedSelect', () => {
    const arb = arbShape({ minDims: 1 }).chain((s) => {
      const n = s.reduce((a, b) => a * b, 1);
      return fc.tuple(arbTensor(s), fc.array(fc.integer({ min: -n, max: n - 1 }), { maxLength: 5 }), fc.array(fc.constantFrom(0, 1), { minLength: s[s.length - 1]!, maxLength: s[s.length - 1]! }), arbTensor([]));
    });
    fc.assert(fc.property(arb, ([x, idx, m, value]) => {
      const mask = tensor(m, { dtype: 'float64' });
      assertGradcheck((t) => take(t, idx), fc.constant([x]), { numRuns: 1 });
      assertGradcheck((t, v) => maskedFill(t, mask, v), fc.constant([x, value]), { numRuns: 1 });
      assertGradcheck((t) => maskedSelect(t, mask), fc.constant([x]), { numRuns: 1 });
    }), { numRuns: 30 });
  });
  it('scatter (distinct positions) and scatterAdd (repeats add up), in x and src', () => {
    const arb = arbShape({ minDims: 1, maxDims: 3 }).chain((s) => fc.nat({ max: s.length - 1 }).chain((d) => {
      const ishape = s.map((n, i) => (i === d ? Math.max(1, n - 1) : n));
      const m = ishape.reduce((a, b) => a * b, 1);
      return fc.tuple(arbTensor(s), fc.constant(d), arbTensor(ishape), fc.array(fc.nat({ max: s[d]! - 1 }), { minLength: m, maxLength: m }), fc.boolean())
        .map(([x, dd, src, idx, add]) => {
          let values = idx;
          if (!add) {
            // a permutation along dim d for each line, so no position is written twice
            const strides = ishape.map((_, i) => ishape.slice(i + 1).reduce((a, b) => a * b, 1));
            values = idx.map((_, e) => (Math.floor(e / strides[dd]!) % ishape[dd]! + Math.floor(e / (strides[dd]! * ishape[dd]!))) % s[dd]!);
          }
          return [x, dd, src, new Tensor(Float64Array.from(values), ishape), add] as const;
        });
    }));
    fc.assert(fc.property(arb, ([x, d, src, idx, add]) => {
      assertGradcheck((t, u) => (add ? scatterAdd(t, d, idx, u) : scatter(t, d, idx, u)), fc.constant([x, src]), { numRuns: 1 });
    }), { numRuns: 30 });
  });
  it('second order: the backward of index and indexPut is written in ops', async () => {
    const { gradgradcheck } = await import('@dl/autograd');
    const x = tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' });
    expect(gradgradcheck((t) => t.index(':', [2, 0, 2]).pow(2), [x])).toBe(true);
    expect(gradgradcheck((t, v) => indexPut(t.mul(t), [{ mask: tensor([1, 0, 1], { dtype: 'float64' }) }], v.mul(v), { accumulate: true }) as Tensor, [tensor([1, 2, 3], { dtype: 'float64' }), tensor([4, 5], { dtype: 'float64' })])).toBe(true);
  });
});

describe('clear errors naming the op and the shapes', () => {
  const x = zeros([2, 3]);
  it.each([
    [() => x.index(0, 0, 0), /index: too many indices for tensor of dimension 2 \(got 3, shape \[2,3\]\)/],
    [() => x.index(2), /index: index 2 is out of bounds for dimension 0 with size 2/],
    [() => x.index(':', [0, 3]), /index: index 3 is out of bounds for dimension 1 with size 3/],
    [() => x.index('1'), /index: cannot read index '1' \(a string\) at position 0 \(pass the number 1, not a string\)/],
    [() => x.index('a:b'), /index: cannot read index 'a:b'.*slices are written 'start:stop:step'/],
    [() => x.index('::-1'), /index: slice '::-1': step must be greater than zero \(got -1\) \(reverse with flip\(\)\)/],
    [() => x.index('...', '...'), /index: an index can only have a single ellipsis/],
    [() => x.index(tensor([0.5])), /index: index tensors must hold integers.*got 0.5/],
    [() => x.index({ mask: tensor([1, 0, 1]) }), /index: the shape of the mask \[3\] does not match the shape \[2\] of the dims it indexes/],
    [() => x.index({ mask: tensor([1, 2]) }), /index: a mask must hold only 0 and 1, got 2/],
    [() => x.index(tensor([0, 1]), tensor([0, 1, 2])), /index: shape mismatch: indexing tensors could not be broadcast together with shapes \[2\], \[3\]/],
    [() => x.index({ foo: 1 } as never), /index: index at position 0 must be an integer, a slice string/],
    [() => x.index(0.5), /index: index 0.5 at position 0 is not an integer/],
    [() => indexPut(x, [':', 0], zeros([3])), /indexPut: shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2\]/],
    [() => tensor([1, 2], { requiresGrad: true }).indexPut_([0], 5), /indexPut_: a leaf Variable that requires grad is being used in an in-place operation\./],
    [() => select(x, 1, 3), /select: index 3 out of range for tensor of size \[2,3\] at dimension 1/],
    [() => narrow(x, 1, 2, 2), /narrow: start \(2\) \+ length \(2\) exceeds dimension size \(3\)/],
    [() => take(x, [6]), /take: out of range: tried to access index 6 on a tensor of 6 elements/],
    [() => maskedFill(x, tensor([1, 0]), 1), /maskedFill: mask of shape \[2\] cannot be broadcast to the tensor's shape \[2,3\]/],
    [() => maskedFill(x, tensor([1, 0, 1]), zeros([2])), /maskedFill: only supports a 0-dim value tensor/],
    [() => maskedSelect(x, tensor([0.5, 1, 0])), /maskedSelect: mask must hold only 0 and 1/],
    [() => scatter(x, 1, tensor([[3]]), zeros([1, 1])), /scatter: index 3 is out of bounds for dimension 1 with size 3/],
    [() => scatterAdd(x, 0, tensor([[0, 1, 0, 1]]), zeros([1, 4])), /scatterAdd: expected index of shape \[1,4\] to be no larger than self \[2,3\]/],
  ] as const)('%#', (f, re) => {
    expect(f).toThrow(DlError);
    expect(f).toThrow(re);
  });
  it('indexPut_ works under noGrad on a parameter-like leaf, bumping its version', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    noGrad(() => w.indexPut_(['...', -1], 0));
    expect(Array.from(w.data)).toEqual([1, 0, 3, 0]);
    const y = w.index(0).sum();
    y.backward();
    expect(Array.from(w.grad!.data)).toEqual([1, 1, 0, 0]);
  });
});
