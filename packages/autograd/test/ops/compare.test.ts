import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eq, expand, ge, gt, le, lt, mul, ne, sum, Tensor, tensor, zeros, type TensorLike } from '@dl/autograd';
import { arbBroadcastShapes } from '@dl/autograd/testing';
import { checkGolden, loadGolden, RUNS } from './opInfo.js';

/** A comparison op beside the JavaScript predicate it must agree with. */
interface CompareInfo {
  name: string;
  fn: (a: TensorLike, b: TensorLike) => Tensor;
  predicate: (a: number, b: number) => boolean;
}

const opInfos: CompareInfo[] = [
  { name: 'eq', fn: eq, predicate: (a, b) => a === b },
  { name: 'ne', fn: ne, predicate: (a, b) => a !== b },
  { name: 'lt', fn: lt, predicate: (a, b) => a < b },
  { name: 'le', fn: le, predicate: (a, b) => a <= b },
  { name: 'gt', fn: gt, predicate: (a, b) => a > b },
  { name: 'ge', fn: ge, predicate: (a, b) => a >= b },
];

// Few distinct values, so ties are common, plus the ones IEEE comparisons treat specially.
const special = fc.constantFrom(-1, 0, -0, 1, 2.5, NaN, Infinity, -Infinity);
const arbPair = arbBroadcastShapes(2).chain((shapes) =>
  fc.tuple(
    ...shapes.map((s) =>
      fc.array(special, { minLength: s.reduce((n, d) => n * d, 1), maxLength: s.reduce((n, d) => n * d, 1) }).map((v) => tensor(Float64Array.from(v), { shape: s })),
    ),
  ),
);

const golden = loadGolden('elementwise');

describe.each(opInfos.map((info) => [info.name, info] as const))('%s', (name, { fn, predicate }) => {
  const cases = golden.filter((c) => c.op === name);
  it(`matches PyTorch on ${cases.length} golden cases`, () => {
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) checkGolden(([a, b]) => fn(a!, b!), c);
  });

  it('gives 1 where the predicate holds and 0 elsewhere, broadcasting (property with ties, NaN, ±0, ±inf)', () => {
    fc.assert(
      fc.property(arbPair, ([a, b]) => {
        const mask = fn(a!, b!);
        const ea = expand(a!, mask.shape);
        const eb = expand(b!, mask.shape);
        expect(mask.dtype).toBe('bool');
        expect(mask.data).toBeInstanceOf(Uint8Array);
        mask.data.forEach((m, i) => expect(m, `element ${i}: ${ea.data[i]} ${name} ${eb.data[i]}`).toBe(predicate(ea.data[i]!, eb.data[i]!) ? 1 : 0));
      }),
      { numRuns: RUNS.first },
    );
  });

  it('returns a mask without grad, even from inputs that require it', () => {
    const x = tensor([-1, 0.5, 2], { dtype: 'float64', requiresGrad: true });
    const mask = fn(x, 0.5);
    expect(mask.requiresGrad).toBe(false);
    expect(mask.gradFn).toBeNull();
    expect(() => mask.sum().backward()).toThrow(/^backward: this tensor does not require grad/);
    // Used as a weight, it passes the gradient of the other factor only.
    sum(mul(x, mask)).backward();
    expect(x.grad!.toArray()).toEqual(mask.toArray());
  });

  it('takes a number on either side and returns a bool mask', () => {
    const x = tensor([1, 2, 3], { dtype: 'float32' });
    expect(fn(x, 2).dtype).toBe('bool');
    expect(fn(x, 2).toArray()).toEqual([1, 2, 3].map((v) => (predicate(v, 2) ? 1 : 0)));
    expect(fn(2, x).toArray()).toEqual([1, 2, 3].map((v) => (predicate(2, v) ? 1 : 0)));
  });

  it('names itself and both shapes when they do not broadcast, and when dtypes mix', () => {
    expect(() => fn(zeros([2, 3]), zeros([4]))).toThrow(new RegExp(`^${name}: shapes \\[2,3\\] and \\[4\\] cannot be broadcast together`));
    expect(() => fn(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(new RegExp(`^${name}: dtypes float32 and float64 differ`));
  });
});
