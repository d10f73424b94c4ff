import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DlError, GradcheckError, Tensor, add, cat, checks, defineOp, defineOpWithAux, type ForwardResult, type Op, exp, grad, gradcheck, gradgradcheck, markModified, mul, noGrad, sum, tensor, unsqueeze, zeros, type TypedArray,
} from '@dl/autograd';
import { arbBroadcastTensors, arbTensorOfShape, gradcheckProperty } from '@dl/autograd/testing';

const f64 = { dtype: 'float64' as const };

// A user-defined op, as torch.autograd.Function: forward with any ops (not recorded), backward in ops.
// Its inputs are typed as a tuple, so x is a Tensor in both (the tests compile under noUncheckedIndexedAccess).
const cube = defineOp<undefined, [x: Tensor]>({
  name: 'cube',
  forward: ([x]) => mul(mul(x, x), x),
  backward: ({ grad, inputs: [x] }) => [mul(grad, mul(3, mul(x, x)))],
});
const cubeOf = (x: Tensor) => cube([x], undefined);

// Forward on raw values with an attribute; backward uses the saved output.
const scaledExp = defineOp<{ scale: number }>({
  name: 'scaledExp',
  forward: ([x], { scale }) => {
    const out = new Float64Array(x!.numel()) as TypedArray;
    for (let i = 0; i < out.length; i++) out[i] = scale * Math.exp(x!.data[i]!);
    return { data: x!.dtype === 'float64' ? out : Float32Array.from(out), shape: x!.shape };
  },
  backward: ({ grad, output }) => [mul(grad, output)],
});

// Two broadcasting inputs; the rule returns output-shaped gradients and the tape sums them back.
let lastNeeds: boolean[] = [];
const mulAdd = defineOp<undefined, [a: Tensor, b: Tensor]>({
  name: 'mulAdd',
  forward: ([a, b]) => add(mul(a, b), b),
  backward: ({ grad, inputs: [a, b], needsInputGrad }) => {
    lastNeeds = needsInputGrad;
    return [needsInputGrad[0] ? mul(grad, b) : null, needsInputGrad[1] ? mul(grad, add(a, 1)) : null];
  },
});

// An input that may be left out (a trailing `shift?: Tensor`): x·x, plus shift when it is given.
const squarePlus = defineOp<undefined, [x: Tensor, shift?: Tensor]>({
  name: 'squarePlus',
  forward: ([x, shift]) => (shift === undefined ? mul(x, x) : add(mul(x, x), shift)),
  backward: ({ grad, inputs: [x, shift] }) => (shift === undefined ? [mul(grad, mul(2, x))] : [mul(grad, mul(2, x)), grad]),
});

// Two outputs: each row's maximum (differentiable) and its position (aux), which the backward reads back.
const rowMax = defineOpWithAux<undefined, [x: Tensor], Int32Array>({
  name: 'rowMax',
  forward: ([x]) => {
    const [n, m] = x.shape as [number, number];
    const values = new Float64Array(n);
    const at = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 1; j < m; j++) if (x.data[i * m + j]! > x.data[i * m + at[i]!]!) at[i] = j;
      values[i] = x.data[i * m + at[i]!]!;
    }
    return { data: values, shape: [n], aux: at };
  },
  backward: ({ grad, inputs: [x], aux: at }) => {
    const [n, m] = x.shape as [number, number];
    const picked = new Float64Array(n * m);
    for (let i = 0; i < n; i++) picked[i * m + at[i]!] = 1;
    return [mul(unsqueeze(grad, 1), new Tensor(picked, [n, m]))];
  },
});

describe('defineOp: a custom op on the tape', () => {
  it('computes its forward and records one node named after it', () => {
    const x = tensor([1, 2, -3], { ...f64, requiresGrad: true });
    const y = cubeOf(x);
    expect(Array.from(y.data)).toEqual([1, 8, -27]);
    expect(y.gradFn!.op).toBe('cube');
    expect(y.gradFn!.inputs).toEqual([x]); // the ops inside forward were not recorded
    expect(y.toString()).toBe('tensor([  1.,   8., -27.], dtype=float64, grad_fn=<CubeBackward0>)');
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 12, 27]);
  });

  it('takes an input that may be left out, typed as a trailing optional tuple element', () => {
    const x = tensor([1, -2, 3], { ...f64, requiresGrad: true });
    const shift = tensor([0.5, 0.5, 0.5], { ...f64, requiresGrad: true });
    expect(Array.from(squarePlus([x], undefined).data)).toEqual([1, 4, 9]);
    sum(squarePlus([x, shift], undefined)).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, -4, 6]);
    expect(Array.from(shift.grad!.data)).toEqual([1, 1, 1]);
    gradcheck((a: Tensor, b: Tensor) => squarePlus([a, b], undefined), [tensor([0.3, -1.2], f64), tensor([2, 0.1], f64)]);
    // Given as undefined, it is left out; an undefined before a given input is an error naming the op.
    const none: Tensor | undefined = undefined;
    expect(Array.from(squarePlus([x, none], undefined).data)).toEqual([1, 4, 9]);
    const gapped = defineOp<undefined, [a: Tensor, b?: Tensor, c?: Tensor]>({ name: 'gapped', forward: ([a]) => mul(a, 1) });
    expect(() => gapped([x, undefined, x], undefined)).toThrow(DlError);
    expect(() => gapped([x, undefined, x], undefined)).toThrow("gapped: input 1 of 'gapped' is undefined, but input 2 after it is given: only trailing inputs may be left out");
  });

  it("keeps a forward typed with the exported ForwardResult, as custom ops wrote them before inputs were typed", () => {
    const double = defineOp<{ by: number }>({ name: 'double', forward: ([x], { by }): ForwardResult => mul(x!, by) });
    expect(Array.from(double([tensor([1, 2], f64)], { by: 2 }).data)).toEqual([2, 4]);
  });

  it('returns other outputs beside the differentiable one (defineOpWithAux), and its backward reads them', () => {
    const x = tensor([[1, 5, 2], [7, -1, 3]], { ...f64, requiresGrad: true });
    const { output, aux } = rowMax([x], undefined);
    expect(Array.from(output.data)).toEqual([5, 7]);
    expect(Array.from(aux)).toEqual([1, 0]);
    expect(output.gradFn!.op).toBe('rowMax');
    sum(mul(output, tensor([2, 3], f64))).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 2, 0, 3, 0, 0]);
    gradcheck((a: Tensor) => rowMax([a], undefined).output, [tensor([[0.3, -1.2, 2.5], [4, 0.1, -3]], f64)]);
    // A plain op's call after it does not hand the aux on.
    expect(cube([x], undefined).shape).toEqual([2, 3]);
    expect(rowMax([tensor([[4, 9]], f64)], undefined).aux).toEqual(Int32Array.from([1]));
    // A forward that gives no aux (a JS caller's slip the types would catch) is named.
    const noAux = defineOpWithAux<undefined, [x: Tensor], Int32Array>({ name: 'noAux', forward: ([x]) => ({ data: x.data, shape: x.shape }) as never });
    expect(() => noAux([x], undefined)).toThrow(/noAux: the forward of 'noAux' returned no aux/);
  });

  it('composes with built-in ops on both sides', () => {
    const x = tensor([0.5], { ...f64, requiresGrad: true });
    sum(exp(cubeOf(mul(x, 2)))).backward();
    // d/dx exp((2x)³) = exp(8x³)·24x²
    expect(x.grad!.item()).toBeCloseTo(Math.exp(1) * 6, 12);
  });

  it('passes gradcheck and gradgradcheck over random shapes', () => {
    fc.assert(gradcheckProperty(cubeOf, arbTensorOfShape({ maxDims: 3 }).map((t) => [t])), { numRuns: 30 });
    fc.assert(fc.property(arbTensorOfShape({ maxDims: 2 }), (t) => gradgradcheck(cubeOf, [t])), { numRuns: 20 });
  });

  it('supports createGraph through it: grad(grad(cube)) = 6x', () => {
    const d2 = grad((x: Tensor) => sum(grad((y: Tensor) => sum(cubeOf(y)))(x)));
    expect(Array.from(d2(tensor([1, -0.5], f64)).data)).toEqual([6, -3]);
  });

  it('takes attributes and a forward on raw typed arrays', () => {
    const x = tensor([0, 1], { ...f64, requiresGrad: true });
    const y = scaledExp([x], { scale: 2 });
    expect(Array.from(y.data)).toEqual([2, 2 * Math.E]);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 2 * Math.E]);
    expect(gradcheck((t) => scaledExp([t], { scale: -0.5 }), [tensor([0.1, -0.3, 1.2], f64)])).toBe(true);
  });

  it('broadcasts: output-shaped gradients are summed back to each input', () => {
    fc.assert(gradcheckProperty((a, b) => mulAdd([a!, b!], undefined), arbBroadcastTensors(2, { maxDims: 3 })), { numRuns: 30 });
    const a = tensor([[1], [2]], { ...f64, requiresGrad: true });
    const b = tensor([10, 20, 30], { ...f64, requiresGrad: true });
    sum(mulAdd([a, b], undefined)).backward();
    expect(a.grad!.shape).toEqual([2, 1]);
    expect(Array.from(a.grad!.data)).toEqual([60, 60]);
    expect(Array.from(b.grad!.data)).toEqual([5, 5, 5]);
  });

  it('tells the rule which inputs need a gradient', () => {
    const a = tensor([1, 2], { ...f64, requiresGrad: true });
    const b = tensor([3, 4], f64);
    sum(mulAdd([a, b], undefined)).backward();
    expect(lastNeeds).toEqual([true, false]);
    expect(b.grad).toBeNull();
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
  });

  it('is not recorded under noGrad, nor when no input requires grad, nor without a backward', () => {
    const x = tensor([1], { ...f64, requiresGrad: true });
    expect(noGrad(() => cubeOf(x)).requiresGrad).toBe(false);
    expect(cubeOf(tensor([2], f64)).gradFn).toBeNull();
    const noBackward = defineOp<undefined>({ name: 'floorish', forward: ([t]) => t!.clone() });
    const y = noBackward([x], undefined);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
  });

  it('a rule returning a gradient that cannot belong to the input is an error naming the op', () => {
    const wrongShape = defineOp<undefined>({
      name: 'wrongShape',
      forward: ([t]) => t!.clone(),
      backward: ({ grad }) => [tensor([1, 2, 3], f64).add(sum(grad))],
    });
    const x = tensor([[1, 2]], { ...f64, requiresGrad: true });
    expect(() => sum(wrongShape([x], undefined)).backward()).toThrow(
      /backward: the backward of 'wrongShape' returned a gradient of shape \[3\] for input 0 of shape \[1,2\]/,
    );
    const wrongDType = defineOp<undefined>({
      name: 'wrongDType',
      forward: ([t]) => t!.clone(),
      backward: ({ grad }) => [grad.to('float32')],
    });
    expect(() => sum(wrongDType([x], undefined)).backward()).toThrow(/the backward of 'wrongDType' returned a float32 gradient for input 0, a float64 tensor/);
  });
});

describe('gradcheck catches a wrong custom backward', () => {
  // The derivative of x³ is 3x², not 2x²: a deliberately wrong rule.
  const badCube = defineOp<undefined>({
    name: 'badCube',
    forward: ([x]) => mul(mul(x!, x!), x!),
    backward: ({ grad, inputs: [x] }) => [mul(grad, mul(2, mul(x!, x!)))],
  });

  it('throws a GradcheckError naming the input, the element and both values', () => {
    const x = tensor([[0.5, -1.5]], f64);
    const y = tensor([[2, 3]], f64);
    let err: unknown;
    try {
      gradcheck((a, b) => add(a!, badCube([b!], undefined)), [x, y]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradcheckError);
    const e = err as GradcheckError;
    expect(e.name).toBe('GradcheckError');
    expect(e.input).toBe(1);
    expect(e.index).toEqual([0, 0]);
    // gradcheck projects the output on a random v, so the values are v·2y² against v·3y² at y = 2.
    expect(e.analytical / e.numerical).toBeCloseTo(2 / 3, 6);
    expect(e.message).toMatch(/^gradcheck: input 1 \(shape \[1,2\]\), element \[0,0\]: analytical -?\d.* vs numerical -?\d/);
    expect(e.message).toContain(String(e.analytical));
    expect(e.message).toContain(String(e.numerical));
  });

  it('fails as a property too, on any shape fast-check draws', () => {
    const result = fc.check(gradcheckProperty((t) => badCube([t!], undefined), arbTensorOfShape({ minDims: 1 }, { min: 0.5, max: 2 }).map((t) => [t])), { numRuns: 10 });
    expect(result.failed).toBe(true);
    expect(String(result.errorInstance)).toMatch(/GradcheckError: gradcheck: input 0/);
  });
});

describe('a custom forward that returns a view of its input (a subarray of its buffer)', () => {
  const firstTwo = defineOp<undefined>({
    name: 'firstTwo',
    forward: ([t]) => ({ data: t!.data.subarray(0, 2), shape: [2] }),
    backward: ({ grad, inputs: [t] }) => [cat([grad, zeros([t!.numel() - 2], { dtype: grad.dtype })])],
    saves: 'none',
  });
  const whole: Op<undefined> = defineOp<undefined>({
    name: 'wholeView',
    forward: ([t]) => ({ data: t!.data.subarray(0), shape: [...t!.shape] }),
    backward: ({ grad }) => [whole([grad], undefined)],
    saves: 'none',
  });

  it('shares the input\'s version: changing the input in place refuses the backward through the view', () => {
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    const v = firstTwo([w], undefined);
    const y = mul(v, v).sum();
    noGrad(() => w.mul_(10));
    expect(() => y.backward()).toThrow(/input 0 of 'mul' .* was modified in place after the forward/);
  });

  it('is not fresh storage: a leaf copies a gradient that views the root gradient instead of keeping it', () => {
    const a = tensor([1, 2, 3, 4], { requiresGrad: true });
    const root = tensor([10, 20, 30, 40]);
    whole([a], undefined).backward(root);
    a.grad!.data[0] = -1;
    expect(Array.from(root.data)).toEqual([10, 20, 30, 40]);
  });
});

// The public form: defineOp with params and call returns the op's public function, as the built-in ops are declared.
/** x·scale + shift, elementwise (a test op with a tensor, a number and an options object). */
const affine = defineOp({
  name: 'affine',
  params: [['x', checks.tensor], ['scale', checks.finite()], ['options', checks.options({ shift: checks.finite() }, { positional: ['shift'] })]],
  call: (x: Tensor, scale: number, options: { shift?: number } = {}) => {
    if (x.ndim === 0) throw new DlError('affine', `expects at least one dim, got shape [${x.shape.join(',')}]`);
    return [[x], { scale, shift: options.shift ?? 0 }];
  },
  forward: ([x], { scale, shift }) => add(mul(x, scale), shift),
  backward: ({ grad, attrs: { scale } }) => [mul(grad, scale)],
});

describe('defineOp with params and call: the op is its public function', () => {
  it('computes, records one node named after the op, and passes gradcheck over random shapes', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const y = affine(x, 3, { shift: 1 });
    expect(y.toArray()).toEqual([4, 7]);
    expect(y.gradFn!.op).toBe('affine');
    sum(y).backward();
    expect(x.grad!.toArray()).toEqual([3, 3]);
    // Float64 tensors of 1-3 dims (the default draw; affine refuses 0-d ones).
    fc.assert(fc.property(arbTensorOfShape({ minDims: 1 }), (t) => {
      gradcheck((a) => affine(a, -1.5, { shift: 0.25 }), [t]);
      gradgradcheck((a) => mul(affine(a, 2), a), [t]);
    }), { numRuns: 20 });
  });

  it("checks its arguments with the shared checker: PyTorch's positional options, errors naming the op", () => {
    const x = tensor([1, 2]);
    // Called as JavaScript may call it: the type gives only the declared form, the checker takes PyTorch's too.
    const untyped = affine as unknown as (...args: unknown[]) => Tensor;
    expect(untyped(x, 2, 5).toArray()).toEqual([7, 9]);
    expect(() => untyped(x, 2, 5, { shift: 1 })).toThrow(/^affine: shift was given twice/);
    expect(() => affine(x, NaN)).toThrow(DlError);
    expect(() => affine(x, NaN)).toThrow(/^affine: scale/);
    expect(() => untyped(x, 'two')).toThrow(/^affine: scale/);
    expect(() => untyped(x)).toThrow(/^affine: scale is required/);
    expect(() => untyped(x, 2, {}, 4)).toThrow(/^affine: takes at most 3/);
    expect(() => affine(tensor(1), 2)).toThrow(/^affine: expects at least one dim, got shape \[\]/);
    expect(affine.signature.params.map((p) => p.name)).toEqual(['x', 'scale', 'options']);
    expect(affine.name).toBe('affine');
  });

  it("passes the errors of the user's own call and forward through as they are", () => {
    const failing = defineOp({
      name: 'failing',
      params: [['x', checks.tensor]],
      call: (x: Tensor) => {
        if (x.numel() > 2) throw new RangeError('too many values for failing');
        return [[x], undefined];
      },
      forward: ([x]) => {
        if (x.numel() === 2) throw new TypeError('my own failure');
        return mul(x, tensor([1, 2, 3]));
      },
    });
    expect(() => failing(tensor([1, 2, 3]))).toThrow(RangeError);
    expect(() => failing(tensor([1, 2]))).toThrow(TypeError);
    expect(() => failing(tensor([1, 2]))).toThrow(/^my own failure$/);
    expect(() => failing.op([tensor([1, 2])], undefined)).toThrow(TypeError);
    // A built-in op the forward calls names itself, as it does in a forward of the op alone.
    expect(() => failing(zeros([0]))).toThrow(/^mul: /);
    expect(() => failing.op([zeros([0])], undefined)).toThrow(/^mul: /);
  });

  it('keeps the op itself as .op, called with inputs and attributes and recorded the same', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const y = affine.op([x], { scale: 2, shift: 0.5 });
    expect(y.toArray()).toEqual([2.5, 4.5]);
    expect(y.gradFn!.op).toBe('affine');
  });

  it('a view (view: true) follows its input: changing the input in place refuses a backward that read the output', () => {
    const twice = defineOp({
      name: 'twiceView',
      params: [['x', checks.tensor]],
      call: (x: Tensor) => [[x], undefined],
      view: true,
      saves: 'output',
      forward: ([x]) => ({ data: Float64Array.from(x.data, (v) => 2 * v), shape: x.shape }),
      backward: ({ grad, output }) => [mul(grad, div2(output))],
    });
    const div2 = (t: Tensor) => mul(t, 0.5);
    const base = tensor([1, 2], { ...f64, requiresGrad: true });
    const x = mul(base, 1);
    const y = twice(x);
    x.data[0] = 5;
    markModified(x);
    expect(() => sum(y).backward()).toThrow(/the output of 'twiceView' .* was modified in place/);
    const plain = defineOp({ name: 'twicePlain', params: [['x', checks.tensor]], call: (t: Tensor) => [[t], undefined], saves: 'output', forward: ([t]) => mul(t, 2), backward: ({ grad }) => [mul(grad, 2)] });
    const x2 = mul(base, 1);
    const y2 = plain(x2);
    x2.data[0] = 5;
    markModified(x2);
    sum(y2).backward();
  });
});
