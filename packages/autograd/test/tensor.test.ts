import { describe, expect, it } from 'vitest';
import { Tensor, add, grad, mul, sum, tensor, zeros, type DType } from '@dl/autograd';

const f64 = { dtype: 'float64' as const };

describe('Tensor basics', () => {
  it('size, numel, ndim and isLeaf', () => {
    const t = zeros([2, 3, 4]);
    expect(t.size()).toEqual([2, 3, 4]);
    expect(t.size(1)).toBe(3);
    expect(t.size(-1)).toBe(4);
    expect(t.numel()).toBe(24);
    expect(t.ndim).toBe(3);
    expect(t.isLeaf).toBe(true);
    const s = tensor(3);
    expect([s.ndim, s.numel(), s.size()]).toEqual([0, 1, []]);
    expect(zeros([0, 5]).numel()).toBe(0);
    expect(() => t.size(3)).toThrow(/size: dim 3 is out of range for a tensor of 3 dimension\(s\) \(expected -3 to 2\)/);
    expect(() => t.size(1.5)).toThrow(/size: dim 1.5 is out of range/);
  });

  it('shape is frozen', () => {
    const t = zeros([2]);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  it('item reads a one-element tensor of any rank, and names the shape otherwise', () => {
    expect(tensor(2.5).item()).toBe(2.5);
    expect(tensor([[[-1]]]).item()).toBe(-1);
    expect(() => tensor([1, 2]).item()).toThrow(/item: a tensor of shape \[2\] has 2 elements, not 1/);
    expect(() => zeros([0]).item()).toThrow(/item: a tensor of shape \[0\] has 0 elements, not 1/);
  });

  it('toArray returns nested arrays, a number for a scalar, and keeps empty dims', () => {
    expect(tensor([[1, 2, 3], [4, 5, 6]]).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [2, 2, 2] }).toArray()).toEqual([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(tensor(7).toArray()).toBe(7);
    expect(zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(zeros([0, 2]).toArray()).toEqual([]);
    expect(tensor([[1, 2]]).toArray()).toEqual([[1, 2]]);
  });

  it('toArray round-trips through tensor()', () => {
    const t = tensor([0.5, -1.25, 3, 4, 5, 6], { shape: [3, 1, 2], dtype: 'float64' });
    const back = tensor(t.toArray() as number[][][], f64);
    expect(back.shape).toEqual(t.shape);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
  });

  it('the constructor wraps data without copying and checks the shape', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const t = new Tensor(data, [2, 2]);
    expect(t.data).toBe(data);
    expect(t.dtype).toBe('float64');
    expect(() => new Tensor(data, [3])).toThrow(/Tensor: shape \[3\] needs 3 values but got 4/);
    expect(() => new Tensor(data, [2.5, 2])).toThrow(/Tensor: invalid shape \[2.5,2\]: sizes must be non-negative integers/);
    expect(() => new Tensor(new Float32Array(0), [-1])).toThrow(/Tensor: invalid shape \[-1\]/);
  });
});

describe('clone, detach and to', () => {
  it('clone copies values and stays on the tape', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const c = x.clone();
    expect(c.data).not.toBe(x.data);
    expect(Array.from(c.data)).toEqual([1, 2]);
    c.data[0] = 5;
    expect(x.data[0]).toBe(1);
    expect(c.gradFn!.op).toBe('clone');
    sum(mul(x.clone(), 3)).backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
  });

  it('clone of a tensor without grad is a plain copy', () => {
    const c = tensor([1]).clone();
    expect(c.requiresGrad).toBe(false);
    expect(c.gradFn).toBeNull();
  });

  it('detach shares the values and leaves the tape', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = mul(x, 2).detach();
    expect(d.isLeaf).toBe(true);
    expect(d.requiresGrad).toBe(false);
    expect(x.detach().data).toBe(x.data);
  });

  it('to(dtype) converts, returns the same tensor for the same dtype, and is differentiable', () => {
    const x = tensor([0.1, 2], { ...f64, requiresGrad: true });
    expect(x.to('float64')).toBe(x);
    const y = x.to('float32');
    expect(y.dtype).toBe('float32');
    expect(y.data[0]).toBe(Math.fround(0.1));
    expect(y.gradFn!.op).toBe('to');
    sum(mul(y, 3)).backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
  });

  it('to(dtype) carries second derivatives', () => {
    const d2 = grad((x: Tensor) => sum(grad((t: Tensor) => sum(mul(mul(t.to('float32'), t.to('float32')), t.to('float32'))).to('float64'))(x)));
    expect(Array.from(d2(tensor([1, 2], f64)).data)).toEqual([6, 12]);
  });

  it('to rejects an unknown dtype, naming the op', () => {
    expect(() => tensor([1]).to('int64' as DType)).toThrow(/to: unsupported dtype 'int64' \(expected 'float32', 'float64', 'int32' or 'bool'\)/);
  });
});

describe('dtype mixing', () => {
  it('binary ops refuse mixed dtypes, naming the op and both dtypes; numbers adopt the tensor dtype', () => {
    expect(() => add(tensor([1]), tensor([1], f64))).toThrow(/add: .*float32.*float64/);
    expect(() => mul(tensor([1], f64), tensor([1]))).toThrow(/mul: .*float64.*float32/);
    expect(add(tensor([1], f64), 0.5).dtype).toBe('float64');
    expect(mul(2, tensor([1])).dtype).toBe('float32');
  });
});
