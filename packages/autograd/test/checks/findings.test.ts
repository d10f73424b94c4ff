// The findings of the reliability probe (issue 10), one test each: every bad input is a DlError that
// names the call, or PyTorch's behaviour.
import { describe, expect, it } from 'vitest';
import {
  DlError, Tensor, tensor, zeros, ones, full, rand, randn, eye, arange, linspace, sum, mean, variance, std, logsumexp,
  clamp, cat, transpose, reshape, expand, pad, matmul, mul, checks, MAX_NUMEL_FOR_TESTS,
} from './imports.js';

/** Runs `f`, expecting a DlError whose function is `fn` and whose message matches `re`. */
function refuses(f: () => unknown, fn: string, re?: RegExp): DlError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(DlError);
  const e = caught as DlError;
  expect(e.fn).toBe(fn);
  expect(e.message.startsWith(`${fn}: `)).toBe(true);
  if (re) expect(e.message).toMatch(re);
  return e;
}

describe('DlError', () => {
  it('carries the function, the argument and the hint', () => {
    const e = new DlError('sum', 'dim 3 is out of range', { arg: 'dim', hint: 'use -1' });
    expect(e).toBeInstanceOf(Error);
    expect([e.fn, e.arg, e.hint, e.detail]).toEqual(['sum', 'dim', 'use -1', 'dim 3 is out of range']);
    expect(e.message).toBe('sum: dim 3 is out of range (use -1)');
    expect(new DlError('matmul: shapes differ').fn).toBe('matmul');
  });
  it('keeps the established messages, function name first', () => {
    refuses(() => matmul(zeros([2, 3]), zeros([4, 5])), 'matmul', /^matmul: shapes \[2,3\] and \[4,5\] cannot be multiplied/);
  });
});

describe('wrong types are refused, naming the parameter', () => {
  it("full([2], 'x') and full([2], null)", () => {
    refuses(() => full([2], 'x' as never), 'full', /value must be a number, got 'x' \(a string\)/);
    refuses(() => full([2], null as never), 'full', /value is required|value must be a number, got null/);
  });
  it("clamp({ min: '0' }) fails in the forward, not the backward", () => {
    refuses(() => clamp(tensor([1, 2], { requiresGrad: true }), { min: '0' as never }), 'clamp', /min must be a number, got '0' \(a string\)/);
  });
  it("keepdim: 'no' is not read as true", () => {
    refuses(() => sum(ones([2, 3]), { dim: 0, keepdim: 'no' as never }), 'sum', /keepdim must be true or false, got 'no'/);
  });
  it("transpose(0, '1') says the dim is a string, not out of range", () => {
    const e = refuses(() => transpose(zeros([2, 3]), 0, '1' as never), 'transpose', /dim1 must be an integer dim, got '1' \(a string\)/);
    expect(e.arg).toBe('dim1');
    refuses(() => zeros([2, 3]).transpose(0, '1' as never), 'transpose', /dim1/);
  });
  it('x.reshape([6]) takes the sizes as one array, as PyTorch does', () => {
    expect(zeros([2, 3]).reshape([6] as never).shape).toEqual([6]);
    expect(zeros([2, 3]).view([3, -1] as never).shape).toEqual([3, 2]);
    refuses(() => reshape(zeros([2, 3]), [4]), 'reshape', /shape \[4\] is invalid for input of shape \[2,3\]/);
  });
  it('tensor({}) says what values it takes', () => {
    refuses(() => tensor({} as never), 'tensor', /values must be a number, a boolean, \(nested\) arrays of them or a typed array, got an object/);
    refuses(() => tensor([1, 'a'] as never), 'tensor', /values\[1\] is string, not a number or a boolean/);
  });
  it('unknown option keys name the valid ones, and the camelCase spelling', () => {
    refuses(() => sum(ones([2]), { axis: 0 } as never), 'sum', /unknown option 'axis'; the valid options are dim, keepdim/);
    const e = refuses(() => tensor([1], { requires_grad: true } as never), 'tensor', /unknown option 'requires_grad'/);
    expect(e.hint).toMatch(/did you mean 'requiresGrad'/);
    expect(refuses(() => sum(ones([2]), { keepDim: true } as never), 'sum').hint).toMatch(/did you mean 'keepdim'/);
  });
  it('cat([t, null]) names the element', () => {
    const e = refuses(() => cat([ones([2]), null as never]), 'cat', /tensors\[1\] must be a Tensor, got null/);
    expect(e.arg).toBe('tensors[1]');
  });
  it('too many arguments are refused rather than ignored', () => {
    refuses(() => (mul as (...a: unknown[]) => unknown)(ones([1]), 2, 3), 'mul', /takes at most 2 arguments/);
  });
});

describe('an op failing inside another op reports the op the user called', () => {
  it('var and std of an empty tensor do not blame mean; logsumexp does not blame max', () => {
    refuses(() => variance(zeros([0])), 'var');
    refuses(() => std(zeros([0])), 'std');
    refuses(() => zeros([0]).var(), 'var');
    refuses(() => logsumexp(zeros([0])), 'logsumexp');
    refuses(() => mean(zeros([0])), 'mean', /cannot average over an empty dimension/);
  });
});

describe('sizes are checked before allocation', () => {
  it('zeros([1e6, 1e6]) and the other factories name the shape and the limit', () => {
    for (const [fn, f] of [
      ['zeros', () => zeros([1e6, 1e6])], ['ones', () => ones([1e6, 1e6])], ['rand', () => rand([1e6, 1e6])],
      ['randn', () => randn([1e6, 1e6])], ['full', () => full([1e6, 1e6], 1)],
    ] as const) {
      refuses(f, fn, new RegExp(`shape \\[1000000,1000000\\] has 1000000000000 elements, more than the ${MAX_NUMEL_FOR_TESTS}`));
    }
    refuses(() => eye(1e6), 'eye', /more than the/);
    refuses(() => arange(1e300), 'arange', /more than the|elements/);
    refuses(() => linspace(0, 1, 1e12), 'linspace', /more than the|elements/);
    refuses(() => expand(zeros([1, 1]), [1e6, 1e6]), 'expand', /more than the/);
    refuses(() => pad(zeros([1, 1]), [1e6, 1e6, 1e6, 1e6]), 'pad', /more than the/);
    refuses(() => matmul(zeros([1e6, 0]), zeros([0, 1e6])), 'matmul', /more than the/);
  });
  it('chunk and split are bounded by the tensor, not the argument', () => {
    expect(zeros([0, 3]).chunk(3)).toHaveLength(3); // PyTorch: chunks empty pieces
    refuses(() => zeros([0, 3]).chunk(2 ** 31), 'chunk', /would give 2147483648 tensors, more than the limit/);
    refuses(() => zeros([1e9, 0]).split(1), 'split', /would give 1000000000 tensors/);
    const t0 = Date.now();
    expect(zeros([3, 2]).chunk(1e8)).toHaveLength(3);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
  it('a sum over 50,000 dims is linear, not quadratic', () => {
    const x = zeros(new Array(50_000).fill(1));
    const t0 = Date.now();
    expect(sum(x).item()).toBe(0);
    expect(sum(x, { dim: 0 }).ndim).toBe(49_999);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('dtypes stay honest', () => {
  it('new Tensor(new Int16Array(...)) is refused, and a Uint8Array must hold bools: the typed array decides the dtype', () => {
    refuses(() => new Tensor(new Int16Array([1, 2]) as never, [2]), 'Tensor', /data must be a Float32Array, Float64Array, Int32Array or Uint8Array.*got a Int16Array/);
    refuses(() => new Tensor(new Uint8Array([0, 7]), [2]), 'Tensor', /a Uint8Array makes a bool tensor and must hold only 0 and 1, got 7 at 1/);
    refuses(() => new Tensor(new Int32Array([1]), [1], { requiresGrad: true }), 'Tensor', /only float tensors can require grad, not an int32 tensor/);
    expect(new Tensor(new Int32Array(2), [2]).dtype).toBe('int32');
    expect(new Tensor(new Uint8Array([1, 0]), [2]).dtype).toBe('bool');
    refuses(() => new Tensor(new Float32Array(2), [3]), 'Tensor', /needs 3 values but got 2/);
    expect(new Tensor(new Float64Array(2), [2]).dtype).toBe('float64');
  });
  it('a gradient of another dtype or shape cannot be assigned to .grad', () => {
    const w = zeros([2], { requiresGrad: true });
    refuses(() => (w.grad = zeros([2], { dtype: 'float64' })), 'grad', /a float64 gradient cannot be assigned to a float32 tensor/);
    refuses(() => (w.grad = zeros([3])), 'grad', /shape \[3\]/);
    refuses(() => (w.grad = 5 as never), 'grad', /must be a Tensor or null, got 5/);
    w.grad = ones([2]);
    w.grad = null;
  });
  it('a hook returning another dtype, or a non-tensor, is refused naming both', () => {
    const w = ones([2], { requiresGrad: true });
    w.registerHook((g) => g.to('float64'));
    refuses(() => sum(mul(w, 2)).backward(), 'registerHook', /a hook returned a float64 gradient for a float32 tensor/);
    const v = ones([2], { requiresGrad: true });
    v.registerHook(() => 5 as never);
    refuses(() => sum(mul(v, 2)).backward(), 'registerHook', /a hook must return a Tensor or nothing, got 5/);
    expect(v.grad).toBe(null);
  });
  it("a user's own error in a hook passes through untouched", () => {
    const w = ones([2], { requiresGrad: true });
    const mine = new Error('mine');
    w.registerHook(() => {
      throw mine;
    });
    expect(() => sum(mul(w, 2)).backward()).toThrow(mine);
  });
});

describe('the shared checker', () => {
  it('builds a checked function from a declarative signature', () => {
    const K = checks;
    const f = K.api(K.sig('scale', ['x', K.tensor], ['options', K.options({ factor: K.finite({ gt: 0 }), inplace: K.bool })]),
      (x: Tensor, o: { factor?: number; inplace?: boolean } = {}) => mul(x, o.factor ?? 1));
    expect(f.signature.params.map((p) => p.name)).toEqual(['x', 'options']);
    expect(f(ones([2]), { factor: 2 }).toArray()).toEqual([2, 2]);
    refuses(() => f(ones([2]), { factor: -1 }), 'scale', /factor must be a finite number > 0, got -1/);
    refuses(() => f(ones([2]), { fator: 2 } as never), 'scale', /unknown option 'fator'; the valid options are factor, inplace/);
    refuses(() => f(null as never), 'scale', /x must be a Tensor, got null/);
    refuses(() => f(ones([2]), 2 as never), 'scale', /options must be an options object \{ factor, inplace \}, got 2/);
    // An internal failure leaves as a DlError naming the call, flagged as a bug.
    const g = K.api(K.sig('broken', ['x', K.any]), (x: unknown) => (x as { a: { b: number } }).a.b);
    refuses(() => g({}), 'broken', /internal error \(TypeError/);
  });
});
