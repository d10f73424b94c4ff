// defineOp checks what a custom forward and backward return (issue 9): a forward must give a tensor
// (or raw values and a shape), a backward one gradient per input (a tensor or null) of the input's
// dtype and of its shape or one it broadcasts to; every error names the op.
import { describe, expect, it } from 'vitest';
import { defineOp, DlError, mul, sum, tensor, type Tensor } from '@dl/autograd';

const f64 = { dtype: 'float64' as const };
const leaf = (v: number[]): Tensor => tensor(v, { ...f64, requiresGrad: true });

function opWith(name: string, backward: (g: Tensor, xs: Tensor[]) => unknown, n = 2) {
  return defineOp<undefined>({
    name,
    forward: (xs) => mul(xs[0]!, xs[n - 1]!),
    backward: ({ grad, inputs }) => backward(grad, inputs) as (Tensor | null)[],
  });
}

describe('defineOp checks its backward', () => {
  it('too few gradients: an error naming the op and the counts, not a silently missing .grad', () => {
    const op = opWith('tooFew', (g, [, b]) => [mul(g, b!)]);
    const [a, b] = [leaf([1, 2]), leaf([3, 4])];
    expect(() => sum(op([a, b], undefined)).backward()).toThrow(/backward: the backward of 'tooFew' returned 1 gradient for 2 inputs; return one per input \(2\), null where an input gets none/);
  });
  it('too many gradients that are not null is an error; extra trailing nulls are fine (as PyTorch)', () => {
    const [a, b] = [leaf([1, 2]), leaf([3, 4])];
    const many = opWith('tooMany', (g, [x, y]) => [mul(g, y!), mul(g, x!), g]);
    expect(() => sum(many([a, b], undefined)).backward()).toThrow(/'tooMany' returned 3 gradients for 2 inputs/);
    const trailing = opWith('trailingNull', (g, [x, y]) => [mul(g, y!), mul(g, x!), null]);
    sum(trailing([a, b], undefined)).backward();
    expect(Array.from(a.grad!.data)).toEqual([3, 4]);
  });
  it('a single tensor instead of an array, and non-tensor entries, are named', () => {
    const x = leaf([1, 2]);
    const single = opWith('single', (g) => g, 1);
    expect(() => sum(single([x], undefined)).backward()).toThrow(/'single' must return an array of gradients, one per input \(1\).*got a float64 Tensor of shape \[2\] \(wrap it: return \[grad\]\)/);
    const num = opWith('numberGrad', () => [1], 1);
    expect(() => sum(num([x], undefined)).backward()).toThrow(/the backward of 'numberGrad' returned 1 as the gradient of input 0; expected a Tensor or null/);
    const undef = opWith('undefGrad', () => [undefined], 1);
    expect(() => sum(undef([x], undefined)).backward()).toThrow(/'undefGrad' returned undefined as the gradient of input 0/);
  });
  it('shapes: the input\'s, or one it broadcasts to; dtype: the input\'s', () => {
    const x = tensor([[1], [2]], { ...f64, requiresGrad: true });
    const bcast = opWith('broadcastGrad', (g) => [mul(g, tensor([[1, 1, 1]], f64))], 1);
    const y = bcast([x], undefined);
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
    const bad = opWith('badShape', () => [tensor([1, 2, 3], f64)], 1);
    expect(() => sum(bad([x], undefined)).backward()).toThrow(/'badShape' returned a gradient of shape \[3\] for input 0 of shape \[2,1\]/);
    const f32 = opWith('badDType', (g) => [g.to('float32')], 1);
    expect(() => sum(f32([x], undefined)).backward()).toThrow(/'badDType' returned a float32 gradient for input 0, a float64 tensor \(was the input converted in place/);
  });
  it('a forward returning a non-tensor names the op', () => {
    const x = leaf([1]);
    const bad = defineOp<undefined>({ name: 'numberForward', forward: () => 3 as never });
    expect(() => bad([x], undefined)).toThrow(/numberForward: the forward of 'numberForward' must return a Tensor or \{ data: Float32Array \| Float64Array \| Int32Array \| Uint8Array, shape \}, got 3/);
    const arr = defineOp<undefined>({ name: 'arrayForward', forward: () => ({ data: [1, 2], shape: [2] }) as never });
    expect(() => arr([x], undefined)).toThrow(/'arrayForward' must return a Tensor/);
    const frac = defineOp<undefined>({ name: 'fractionalShape', forward: () => ({ data: new Float32Array(5), shape: [2.5, 2] }) });
    expect(() => frac([x], undefined)).toThrow(/^fractionalShape: the forward of 'fractionalShape' returned shape \[2\.5,2\]: sizes must be non-negative integers/);
    const neg = defineOp<undefined>({ name: 'negativeShape', forward: () => ({ data: new Float32Array(0), shape: [-1, 0] }) });
    expect(() => neg([x], undefined)).toThrow(/negativeShape: .*returned shape \[-1,0\]: sizes must be non-negative integers/);
    try {
      bad([x], undefined);
    } catch (e) {
      expect(e).toBeInstanceOf(DlError);
    }
  });
});
