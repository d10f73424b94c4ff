import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Tensor, add, broadcastShapes, defineOp, exp, matmul, mul, sum, tanh } from '@dl/autograd';
import {
  arbBroadcastShapes, arbBroadcastTensors, arbShape, arbTensor, arbTensorOfShape, assertGradcheck, backwardIsLinear,
  broadcastGradSumsBack, gradcheckProperty, gradgradcheckProperty, retainGraphDoubles, unusedBranchIsInert,
} from '@dl/autograd/testing';

type Fn = (...xs: Tensor[]) => Tensor;
const one = (c = {}) => arbTensorOfShape({ maxDims: 3 }, c).map((t) => [t]);
const two = arbBroadcastTensors(2, { maxDims: 3 });
const RUNS = { numRuns: 20 };
/** Whether a property fails on some input (fast-check's verdict, not an exception). */
const fails = <T extends unknown[]>(p: fc.IPropertyWithHooks<T>) => fc.check(p, { ...RUNS, seed: 42 }).failed;

describe('arbitraries', () => {
  it('arbShape respects its bounds', () => {
    fc.assert(
      fc.property(arbShape({ minDims: 1, maxDims: 4, minSize: 2, maxSize: 5 }), (s) =>
        s.length >= 1 && s.length <= 4 && s.every((d) => Number.isInteger(d) && d >= 2 && d <= 5)),
      { numRuns: 100 },
    );
  });

  it('arbBroadcastShapes gives shapes that really broadcast, each expanding to the common shape', () => {
    fc.assert(
      fc.property(arbBroadcastShapes(3, { maxDims: 4 }), (shapes) => {
        expect(shapes).toHaveLength(3);
        const common = shapes.reduce((a, b) => broadcastShapes('test', a, b));
        for (const s of shapes) {
          const lead = common.length - s.length;
          expect(lead).toBeGreaterThanOrEqual(0);
          s.forEach((d, i) => expect(d === 1 || d === common[lead + i]).toBe(true));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('arbBroadcastShapes exercises broadcasting: ranks differ and sizes of 1 meet larger sizes', () => {
    const pairs = fc.sample(arbBroadcastShapes(2, { maxDims: 3 }), { numRuns: 300, seed: 1 });
    expect(pairs.some(([a, b]) => a!.length !== b!.length)).toBe(true);
    expect(pairs.some(([a, b]) => a!.length === b!.length && a!.some((d, i) => (d === 1) !== (b![i] === 1) && Math.max(d, b![i]!) > 1))).toBe(true);
    expect(pairs.some(([a, b]) => a!.join() === b!.join())).toBe(true);
  });

  it('arbTensor respects shape, dtype, bounds and filter', () => {
    fc.assert(
      fc.property(arbTensor([2, 3], { min: -0.5, max: 2 }), (t) =>
        t.dtype === 'float64' && t.shape.join() === '2,3' && Array.from(t.data).every((v) => Number.isFinite(v) && v >= -0.5 && v <= 2)),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(arbTensor([4], { min: 0.1, max: 0.3, dtype: 'float32' }), (t) =>
        t.dtype === 'float32' && Array.from(t.data).every((v) => v >= 0.1 && v <= 0.3)),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(arbTensor([5], { filter: (v) => Math.abs(v) > 0.5 }), (t) => Array.from(t.data).every((v) => Math.abs(v) > 0.5 && Math.abs(v) <= 3)),
      { numRuns: 100 },
    );
  });

  it('arbTensorOfShape and arbBroadcastTensors pass their constraints through', () => {
    fc.assert(
      fc.property(arbTensorOfShape({ minDims: 2, maxDims: 2, maxSize: 3 }, { min: 1, max: 2 }), (t) =>
        t.ndim === 2 && t.shape.every((d) => d <= 3) && Array.from(t.data).every((v) => v >= 1 && v <= 2)),
    );
    fc.assert(fc.property(arbBroadcastTensors(2), ([a, b]) => add(a!, b!).shape.length === Math.max(a!.ndim, b!.ndim)));
  });
});

// Correct ops: every ready-made property holds.
const correct: [string, Fn, fc.Arbitrary<Tensor[]>, boolean][] = [
  ['mul (broadcasting)', (a, b) => mul(a!, b!), two, true],
  ['tanh(a)·exp(b)', (a, b) => mul(tanh(a!), exp(b!)), two, true],
  ['exp', (x) => exp(x!), one(), false],
  ['matmul', (a, b) => matmul(a!, b!), fc.tuple(arbTensor([2, 3]), arbTensor([3, 2])), false],
];

describe.each(correct)('ready-made properties hold for %s', (_name, fn, inputs, broadcasts) => {
  it('gradcheckProperty and assertGradcheck', () => {
    fc.assert(gradcheckProperty(fn, inputs), RUNS);
    assertGradcheck(fn, inputs, RUNS);
  });
  it('gradgradcheckProperty', () => fc.assert(gradgradcheckProperty(fn, inputs), { numRuns: 10 }));
  it('backwardIsLinear', () => fc.assert(backwardIsLinear(fn, inputs), RUNS));
  it('retainGraphDoubles', () => fc.assert(retainGraphDoubles(fn, inputs), RUNS));
  it('unusedBranchIsInert', () => fc.assert(unusedBranchIsInert(fn, inputs), RUNS));
  if (broadcasts) it('broadcastGradSumsBack', () => fc.assert(broadcastGradSumsBack(fn, inputs), RUNS));
});

// Deliberately broken custom ops, one per kind of bug, each caught by its property.
describe('ready-made properties can fail', () => {
  it('gradcheckProperty fails on a wrong derivative (and assertGradcheck throws)', () => {
    const wrong = defineOp<undefined>({ name: 'wrongExp', forward: ([x]) => exp(x!), backward: ({ grad, output }) => [mul(grad, mul(output, 1.1))] });
    const fn: Fn = (x) => wrong([x!], undefined);
    expect(fails(gradcheckProperty(fn, one()))).toBe(true);
    expect(() => assertGradcheck(fn, one(), RUNS)).toThrow(/Property failed[^]*gradcheck: input 0/);
  });

  it('gradgradcheckProperty fails on a right but non-differentiable backward', () => {
    const frozen = defineOp<undefined>({
      name: 'frozenSquare',
      forward: ([x]) => mul(x!, x!),
      backward: ({ grad, inputs: [x] }) => [mul(grad, new Tensor(x!.data.map((v) => 2 * v), x!.shape))],
    });
    const fn: Fn = (x) => frozen([x!], undefined);
    expect(fails(gradcheckProperty(fn, one()))).toBe(false);
    expect(fails(gradgradcheckProperty(fn, one({ filter: (v: number) => Math.abs(v) > 0.1 })))).toBe(true);
  });

  it('backwardIsLinear fails on a rule that is affine, not linear, in the upstream gradient', () => {
    const affine = defineOp<undefined>({ name: 'affine', forward: ([x]) => x!.clone(), backward: ({ grad }) => [add(grad, 0.1)] });
    expect(fails(backwardIsLinear((x) => affine([x!], undefined), one()))).toBe(true);
  });

  it('retainGraphDoubles fails on a rule that consumes what it saved', () => {
    const freesSaved: Fn = (x) => {
      const saved = mul(x!, 2).detach(); // d(x²)/dx, kept from the forward
      const op = defineOp<undefined>({
        name: 'freesSaved',
        forward: ([t]) => mul(t!, t!),
        backward: ({ grad }) => {
          const g = mul(grad, saved.clone());
          saved.data.fill(0); // "frees" the buffer, as if no second backward could come
          return [g];
        },
      });
      return op([x!], undefined);
    };
    expect(fails(gradcheckProperty(freesSaved, one()))).toBe(false);
    expect(fails(retainGraphDoubles(freesSaved, one({ filter: (v: number) => Math.abs(v) > 0.1 })))).toBe(true);
  });

  it('unusedBranchIsInert fails on an op that keeps its saved input in a shared variable', () => {
    let saved: Tensor | null = null;
    const leaky = defineOp<undefined>({
      name: 'leakySquare',
      forward: ([x]) => {
        saved = x!; // shared by every call: the next forward overwrites it
        return mul(x!, x!);
      },
      backward: ({ grad }) => [mul(grad, mul(saved!, 2))],
    });
    const fn: Fn = (x) => leaky([x!], undefined);
    expect(fails(gradcheckProperty(fn, one()))).toBe(false);
    expect(fails(unusedBranchIsInert(fn, one({ filter: (v: number) => Math.abs(v) > 0.1 })))).toBe(true);
  });

  it('broadcastGradSumsBack fails on a rule that averages, instead of sums, over broadcast elements', () => {
    const averaging = defineOp<undefined>({
      name: 'averagingAdd',
      forward: ([a, b]) => add(a!, b!),
      // the tape sums output-shaped gradients back; pre-scaling by the ratio turns that sum into a mean
      backward: ({ grad, inputs: [a, b] }) => [mul(grad, a!.numel() / grad.numel()), mul(grad, b!.numel() / grad.numel())],
    });
    const fn: Fn = (a, b) => averaging([a!, b!], undefined);
    // a broadcast must happen for the bug to show
    const broadcasting = two.filter(([a, b]) => a!.numel() !== b!.numel());
    expect(fails(broadcastGradSumsBack(fn, broadcasting))).toBe(true);
    expect(fails(broadcastGradSumsBack((a, b) => add(a!, b!), broadcasting))).toBe(false);
  });
});
