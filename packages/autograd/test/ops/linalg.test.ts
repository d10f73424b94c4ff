import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tensor, broadcastShapes, matmul, mul, sum, unsqueeze, zeros } from '@dl/autograd';
import { arbBroadcastShapes, arbTensor, backwardIsLinear, retainGraphDoubles, unusedBranchIsInert } from '@dl/autograd/testing';
import { describeSampledOpInfos, loadGoldenTable, row } from './opInfo.js';

// Golden values from PyTorch: fixtures/linalg.py.
const golden = loadGoldenTable('linalg');

// ---------------------------------------------------------------------------------------------
// The table (one row: matmul) over every shape rule of torch.matmul.

/**
 * Operands of matmul: each is 1-D ([K]) or has a matrix with batch dims that broadcast against the
 * other's ([...batchA, M, K] · [...batchB, K, N]), so 1-D·1-D, 1-D·N-D, N-D·1-D, 2-D and batched all come up.
 */
const arbMatmulShapes: fc.Arbitrary<[number[], number[]]> = fc
  .record({
    aVector: fc.boolean(),
    bVector: fc.boolean(),
    batches: arbBroadcastShapes(2, { maxDims: 2, maxSize: 3 }),
    m: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 0, max: 4 }),
    n: fc.integer({ min: 1, max: 4 }),
  })
  .map(({ aVector, bVector, batches: [ba, bb], m, k, n }) => [aVector ? [k] : [...ba!, m, k], bVector ? [k] : [...bb!, k, n]]);
const arbMatmul = arbMatmulShapes.chain(([sa, sb]) => fc.tuple(arbTensor(sa), arbTensor(sb)));

/** The output shape torch.matmul documents for these operand shapes. */
function torchMatmulShape(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 1 && b.length === 1) return [];
  if (a.length === 1) return [...b.slice(0, -2), b[b.length - 1]!];
  if (b.length === 1) return a.slice(0, -1);
  return [...broadcastShapes('test', a.slice(0, -2), b.slice(0, -2)), a[a.length - 2]!, b[b.length - 1]!];
}

const opInfos = [row({ name: 'matmul', sample: arbMatmul.map((xs): [Tensor[], undefined] => [xs, undefined]), fn: () => matmul, gradgrad: true })];

describeSampledOpInfos(opInfos, golden, {
  over: 'random shapes (vectors, matrices, broadcast batches)',
  goldenTitle: 'matches PyTorch on the golden cases, gradients included',
  runs: { first: 50, second: 25 },
});

describe('matmul', () => {
  it('gives torch.matmul\'s shape and the broadcast multiply-and-sum values', () => {
    fc.assert(
      fc.property(arbMatmul, ([a, b]) => {
        const out = matmul(a!, b!);
        expect(out.shape).toEqual(torchMatmulShape(a!.shape, b!.shape));
        // The definition, with elementwise ops only: a vector is a row (left) or a column (right).
        const a2 = a!.ndim === 1 ? unsqueeze(a!, 0) : a!;
        const b2 = b!.ndim === 1 ? unsqueeze(b!, 1) : b!;
        const ref = sum(mul(unsqueeze(a2, -1), unsqueeze(b2, -3)), { dim: -2 });
        expect(ref.numel()).toBe(out.numel());
        ref.data.forEach((v, i) => expect(Math.abs(out.data[i]! - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
      }),
      { numRuns: 50 },
    );
  });

  it('keeps float32 in float32', () => {
    const a = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const out = a.matmul(new Tensor(Float32Array.from([1, 0, -1]), [3]));
    expect(out.dtype).toBe('float32');
    expect(out.toArray()).toEqual([-2, -2]);
  });

  it('passes the ready-made gradient properties', () => {
    fc.assert(backwardIsLinear(matmul, arbMatmul), { numRuns: 20 });
    fc.assert(retainGraphDoubles(matmul, arbMatmul), { numRuns: 20 });
    fc.assert(unusedBranchIsInert(matmul, arbMatmul), { numRuns: 20 });
  });

  it('names both shapes when they cannot be multiplied', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/^matmul: shapes \[2,3\] and \[4,5\] cannot be multiplied/);
    expect(() => matmul(zeros([3]), zeros([4]))).toThrow(/^matmul: shapes \[3\] and \[4\] cannot be multiplied/);
    expect(() => matmul(zeros([3]), zeros([2, 4, 5]))).toThrow(/^matmul: shapes \[3\] and \[2,4,5\] cannot be multiplied/);
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4]))).toThrow(/^matmul: shapes \[2,2,3\] and \[3,3,4\] cannot be multiplied \(batch dims do not broadcast\)/);
    expect(() => matmul(zeros([]), zeros([3]))).toThrow(/^matmul: both operands need at least 1 dim, got shapes \[\] and \[3\]/);
    expect(() => matmul(zeros([2, 3]), zeros([3], { dtype: 'float64' }))).toThrow(/^matmul: dtypes float32 and float64 differ/);
  });
});
