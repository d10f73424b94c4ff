import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GradcheckError, Tensor, add, defineOp, exp, gradcheck, gradgradcheck, matmul, mul, noGrad, sin, sub, sum, tanh, tensor, zeros,
} from '@dl/autograd';
import { arbBroadcastTensors, arbTensor } from '@dl/autograd/testing';

const f64 = { dtype: 'float64' as const };
const x64 = (v: number[]) => tensor(v, f64);

/** The error `fn` throws (fails the test when it does not throw). */
const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
};

/** x³ whose rule multiplies by `factor`·x² (3 is right), computed in ops or from raw values. */
const cubeWith = (factor: number, differentiableRule = true) =>
  defineOp<undefined>({
    name: 'cubeWith',
    forward: ([x]) => mul(mul(x!, x!), x!),
    backward: ({ grad, inputs: [x] }) => {
      // The raw variant reads x's values into a constant: right first derivative, no second one.
      const d = differentiableRule ? mul(mul(x!, x!), factor) : new Tensor(x!.data.map((v) => factor * v * v), x!.shape);
      return [mul(grad, d)];
    },
  });

describe('gradcheck', () => {
  it('passes on correct compositions of built-in ops over random broadcast shapes', () => {
    fc.assert(
      fc.property(arbBroadcastTensors(2, { maxDims: 3 }), ([a, b]) => gradcheck((p, q) => mul(exp(sin(p!)), tanh(q!)), [a!, b!])),
      { numRuns: 30 },
    );
    const a = tensor([[0.1, 0.2], [0.3, -0.4], [1, 2]], f64);
    expect(gradcheck((p, q) => sum(matmul(p!, q!)), [a, x64([0.5, -1])])).toBe(true);
  });

  it('leaves its inputs untouched', () => {
    const x = x64([0.25, -1.5]);
    gradcheck((t) => mul(t, t), [x]);
    expect(Array.from(x.data)).toEqual([0.25, -1.5]);
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });

  it('catches a gradient lost to detach() or noGrad', () => {
    const e1 = thrown(() => gradcheck((t) => mul(t.detach(), t), [x64([1, 2])]));
    expect(e1).toBeInstanceOf(GradcheckError);
    // analytical x against numerical 2x at the first element
    expect((e1 as GradcheckError).numerical / (e1 as GradcheckError).analytical).toBeCloseTo(2, 6);
    const e2 = thrown(() => gradcheck((t) => noGrad(() => mul(t, 3)), [x64([1, 2])]));
    expect(e2).toBeInstanceOf(GradcheckError);
    expect((e2 as GradcheckError).analytical).toBe(0);
  });

  it('honours rtol and atol: a rule off by 1e-5 relative passes by default and fails with rtol 1e-7', () => {
    const slightlyOff = cubeWith(3 * (1 + 1e-5));
    const f = (t: Tensor) => slightlyOff([t], undefined);
    expect(gradcheck(f, [x64([1.5, -0.7])])).toBe(true);
    expect(thrown(() => gradcheck(f, [x64([1.5, -0.7])], { rtol: 1e-7, atol: 0 }))).toBeInstanceOf(GradcheckError);
  });

  it('honours eps: central differences of x³ are off by eps², so eps 0.1 fails', () => {
    const f = (t: Tensor) => mul(mul(t, t), t);
    expect(gradcheck(f, [x64([2])])).toBe(true);
    const e = thrown(() => gradcheck(f, [x64([2])], { eps: 0.1, rtol: 0 })) as GradcheckError;
    expect(e).toBeInstanceOf(GradcheckError);
    expect(e.numerical / e.analytical).toBeCloseTo((12 + 0.01) / 12, 10);
  });

  it('passes for inputs the output ignores, empty inputs and scalar outputs', () => {
    expect(gradcheck((a, _b) => sum(a!), [x64([1, 2]), x64([3])])).toBe(true);
    expect(gradcheck((a) => mul(a, 2), [zeros([0, 3], f64)])).toBe(true);
    expect(gradcheck((a) => sum(exp(a)), [tensor(0.3, f64)])).toBe(true);
  });

  it('needs float64, and an output whose shape does not change', () => {
    expect(() => gradcheck((t) => t, [tensor([1, 2])])).toThrow(/gradcheck: input 0 is float32; gradient checks need float64 inputs/);
    expect(() => gradcheck((t) => t.to('float32'), [x64([1])])).toThrow(/gradcheck: f returned float32; it must return float64/);
    let calls = 0;
    expect(() => gradcheck((t) => (calls++ === 0 ? mul(t, 1) : sum(t)), [x64([1, 2])])).toThrow(/gradcheck: f's output shape changed from \[2\] to \[\]/);
  });
});

describe('gradgradcheck', () => {
  it('passes when the backward is written in differentiable ops', () => {
    const f = (t: Tensor) => cubeWith(3)([t], undefined);
    fc.assert(fc.property(arbTensor([3]), (t) => gradgradcheck(f, [t])), { numRuns: 20 });
  });

  it('catches a backward that is right but not differentiable (no createGraph through it)', () => {
    const f = (t: Tensor) => cubeWith(3, false)([t], undefined);
    const x = x64([0.5, -1.25]);
    expect(gradcheck(f, [x])).toBe(true);
    expect(thrown(() => gradgradcheck(f, [x]))).toBeInstanceOf(GradcheckError);
  });

  it('catches a rule whose values are right but whose own derivative is wrong', () => {
    // 3x² + (x − detach(x)) equals 3x², but differentiates to 6x + 1.
    const off = defineOp<undefined>({
      name: 'off',
      forward: ([x]) => mul(mul(x!, x!), x!),
      backward: ({ grad, inputs: [x] }) => [mul(grad, add(mul(mul(x!, x!), 3), sub(x!, x!.detach())))],
    });
    const f = (t: Tensor) => off([t], undefined);
    expect(gradcheck(f, [x64([0.5, 1.5])])).toBe(true);
    expect(thrown(() => gradgradcheck(f, [x64([0.5, 1.5])]))).toBeInstanceOf(GradcheckError);
  });
});
