// matmulTransposed(a, b) = a · bᵀ without a transpose copy: the same values and gradients as
// matmul(a, transpose(b, -2, -1)), over random shapes with broadcast batch dims.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DlError, gradcheck, markModified, matmul, matmulTransposed, noGrad, randn, sum, transpose, Generator, type Tensor } from '@dl/autograd';

/** a [...ba, m, k] and b [...bb, n, k] with broadcastable batch dims, float64. */
const arbPair = fc.record({
  m: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 5 }),
  batch: fc.constantFrom<[number[], number[]]>([[], []], [[3], []], [[2, 3], []], [[2], [2]], [[1], [3]], [[2, 1], [3]], [[], [2]]),
  seed: fc.integer(),
}).map(({ m, n, k, batch: [ba, bb], seed }) => {
  const g = new Generator(seed);
  return [randn([...ba, m, k], { dtype: 'float64', generator: g }), randn([...bb, n, k], { dtype: 'float64', generator: g })] as [Tensor, Tensor];
});

describe('matmulTransposed', () => {
  it('equals matmul(a, bᵀ) in values and shape', () => {
    fc.assert(
      fc.property(arbPair, ([a, b]) => {
        const want = matmul(a, transpose(b, -2, -1));
        const got = matmulTransposed(a, b);
        expect(got.shape).toEqual(want.shape);
        got.data.forEach((v, i) => expect(Math.abs(v - want.data[i]!)).toBeLessThan(1e-12));
      }),
      { numRuns: 60 },
    );
  });
  it('passes gradcheck in float64 for both operands, broadcasting included', () => {
    fc.assert(
      fc.property(arbPair, ([a, b]) => {
        gradcheck((x, y) => matmulTransposed(x, y), [a.requiresGrad_(), b.requiresGrad_()]);
      }),
      { numRuns: 40 },
    );
  });
  it("refuses a backward after the weight changed in place, as Linear's did through w.T", () => {
    const w = randn([3, 4]).requiresGrad_();
    const y = sum(matmulTransposed(randn([2, 4]), w));
    noGrad(() => markModified(w));
    expect(() => y.backward()).toThrow(/modified in place/);
  });
  it('names itself and both shapes when they do not fit', () => {
    expect(() => matmulTransposed(randn([2, 3]), randn([4, 5]))).toThrow(DlError);
    expect(() => matmulTransposed(randn([2, 3]), randn([4, 5]))).toThrow(/^matmulTransposed: shapes \[2,3\] and \[4,5\] cannot be multiplied/);
    expect(() => matmulTransposed(randn([3]), randn([4, 3]))).toThrow(/need at least 2 dims/);
  });
});
