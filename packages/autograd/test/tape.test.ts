import { describe, expect, it } from 'vitest';
import {
  add, cos, defineOp, gradients, detectAnomaly, enableGrad, exp, isGradEnabled, mul, noGrad, ones, sin, sum, tensor, zeros, type Tensor,
} from '@dl/autograd';

const f64 = { dtype: 'float64' as const };
const leaf = (v: number[] | number[][]) => tensor(v, { ...f64, requiresGrad: true });
const values = (t: Tensor | null) => Array.from(t!.data);

describe('backward accumulates into leaves', () => {
  it('computes d(sum(x·x))/dx = 2x', () => {
    const x = leaf([1, -2, 3]);
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([2, -4, 6]);
    expect(x.grad!.shape).toEqual([3]);
    expect(x.grad!.dtype).toBe('float64');
  });

  it('adds the gradients of successive backward calls, as PyTorch does', () => {
    const x = leaf([1, 2]);
    sum(mul(x, 3)).backward();
    sum(mul(x, x)).backward();
    expect(values(x.grad)).toEqual([3 + 2, 3 + 4]);
  });

  it('gives .grad only to leaves that require grad, and detached from the tape', () => {
    const x = leaf([1, 2]);
    const c = tensor([5, 7], f64);
    const y = mul(x, c);
    sum(y).backward();
    expect(values(x.grad)).toEqual([5, 7]);
    expect(c.grad).toBeNull();
    expect(y.grad).toBeNull(); // a non-leaf keeps no grad without retainGrad
    expect(x.grad!.requiresGrad).toBe(false);
    expect(x.grad!.gradFn).toBeNull();
  });

  it('gives each leaf its own gradient storage, even when a rule hands one tensor to both inputs', () => {
    const x = leaf([1, 2]);
    const w = leaf([3, 4]);
    sum(add(x, w)).backward();
    expect(x.grad!.data).not.toBe(w.grad!.data);
    x.grad!.data[0] = 100; // optimizers update grads in place
    expect(values(w.grad)).toEqual([1, 1]);
  });

  it('does not alias the gradient argument', () => {
    const x = leaf([1, 2]);
    const g = tensor([0.5, 0.25], f64);
    x.backward(g);
    expect(values(x.grad)).toEqual([0.5, 0.25]);
    x.grad!.data[0] = 9;
    expect(values(g)).toEqual([0.5, 0.25]);
  });

  it('takes the gradient argument of a non-scalar output (a vector-Jacobian product)', () => {
    const x = leaf([[1, 2], [3, 4]]);
    const y = mul(x, x);
    y.backward(tensor([[1, 0], [0.5, 2]], f64));
    expect(values(x.grad)).toEqual([2, 0, 3, 16]);
  });

  it('runs from a scalar of shape [1] or [1,1] without a gradient argument', () => {
    const x = leaf([[2]]);
    mul(x, x).backward();
    expect(values(x.grad)).toEqual([4]);
  });

  it('gives no gradient to a tensor whose requiresGrad is off and float32 stays float32', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(x.grad!.dtype).toBe('float32');
  });
});

describe('backward misuse', () => {
  it('asks for a gradient argument for a non-scalar output', () => {
    const y = mul(leaf([[1, 2, 3], [4, 5, 6]]), 2);
    expect(() => y.backward()).toThrow(/backward: a gradient argument is needed for a non-scalar output of shape \[2,3\]/);
  });

  it('rejects a gradient of the wrong shape, naming both shapes', () => {
    const y = mul(leaf([1, 2, 3]), 2);
    expect(() => y.backward(tensor([1, 2], f64))).toThrow(/backward: gradient of shape \[2\] does not match the output shape \[3\]/);
    expect(() => y.backward(ones([3, 1], f64))).toThrow(/\[3,1\].*\[3\]/);
  });

  it('refuses a tensor that does not require grad', () => {
    expect(() => sum(tensor([1, 2])).backward()).toThrow(/backward: this tensor does not require grad/);
    const x = leaf([1]);
    const y = noGrad(() => mul(x, 2));
    expect(() => y.backward()).toThrow(/does not require grad/);
  });

  it('names the op when running backward a second time through a freed graph', () => {
    const x = leaf([1, 2]);
    const loss = sum(exp(x));
    loss.backward();
    expect(() => loss.backward()).toThrow(/backward: trying to backward through the graph a second time \(through 'sum'\).*retainGraph/);
  });

  it('frees the shared part of a graph too', () => {
    const x = leaf([1, 2]);
    const h = exp(x);
    sum(h).backward();
    expect(() => sum(mul(h, 2)).backward()).toThrow(/second time \(through 'exp'\)/);
  });
});

describe('retainGraph', () => {
  it('lets a second backward run and doubles the accumulated gradient', () => {
    const x = leaf([0.5, -1]);
    const loss = sum(mul(exp(x), x));
    loss.backward(undefined, { retainGraph: true });
    const once = values(x.grad);
    expect(once).toEqual([0.5, -1].map((v) => Math.exp(v) * (1 + v)));
    loss.backward();
    expect(values(x.grad)).toEqual(once.map((v) => 2 * v));
    expect(() => loss.backward()).toThrow(/second time/);
  });

  it('keeps a shared trunk alive for several heads', () => {
    const x = leaf([1, 2]);
    const h = exp(x);
    sum(mul(h, 2)).backward(undefined, { retainGraph: true });
    sum(mul(h, 3)).backward();
    values(x.grad).forEach((g, i) => expect(g).toBeCloseTo(5 * Math.exp(i + 1), 12));
  });
});

describe('retainGrad and hooks', () => {
  it('retainGrad keeps the gradient of a non-leaf', () => {
    const x = leaf([1, 2]);
    const y = mul(x, 3);
    y.retainGrad();
    sum(mul(y, y)).backward();
    expect(values(y.grad)).toEqual([6, 12]);
    expect(values(x.grad)).toEqual([18, 36]);
    expect(y.grad!.requiresGrad).toBe(false);
  });

  it('retainGrad accumulates over backward calls and refuses a tensor without grad', () => {
    const x = leaf([1]);
    const y = mul(x, 2);
    y.retainGrad();
    sum(y).backward(undefined, { retainGraph: true });
    sum(y).backward();
    expect(values(y.grad)).toEqual([2]);
    expect(() => tensor([1]).retainGrad()).toThrow(/retainGrad: this tensor does not require grad/);
  });

  it('a hook reads the gradient flowing through a non-leaf, once, summed over its uses', () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    const seen: number[][] = [];
    y.registerHook((g) => void seen.push(values(g)));
    sum(add(mul(y, 3), y)).backward();
    expect(seen).toEqual([[4, 4]]);
    expect(values(x.grad)).toEqual([8, 8]);
  });

  it('a hook that returns a tensor replaces the gradient upstream', () => {
    const x = leaf([1, 2]);
    const y = mul(x, x);
    y.registerHook((g) => mul(g, 10));
    sum(y).backward();
    expect(values(x.grad)).toEqual([20, 40]);
  });

  it('a hook on a leaf sees and replaces the total gradient before it is stored', () => {
    const x = leaf([1, 2]);
    const seen: number[][] = [];
    x.registerHook((g) => {
      seen.push(values(g));
      return mul(g, -1);
    });
    sum(add(mul(x, 2), mul(x, 3))).backward();
    expect(seen).toEqual([[5, 5]]);
    expect(values(x.grad)).toEqual([-5, -5]);
  });

  it('hooks run in order and remove() unregisters one', () => {
    const x = leaf([1]);
    const order: string[] = [];
    const a = x.registerHook((g) => {
      order.push('a');
      return add(g, 1);
    });
    x.registerHook((g) => {
      order.push(`b:${g.item()}`);
    });
    sum(mul(x, 2)).backward();
    expect(order).toEqual(['a', 'b:3']);
    expect(values(x.grad)).toEqual([3]);
    a.remove();
    order.length = 0;
    x.grad = null;
    sum(mul(x, 2)).backward();
    expect(order).toEqual(['b:2']);
    expect(values(x.grad)).toEqual([2]);
  });

  it('rejects a hook returning the wrong shape, and a hook on a tensor without grad', () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    y.registerHook(() => zeros([3], f64));
    expect(() => sum(y).backward()).toThrow(/registerHook: a hook returned shape \[3\] for a gradient of shape \[2\]/);
    expect(() => tensor([1]).registerHook(() => undefined)).toThrow(/registerHook: cannot register a hook on a tensor that does not require grad/);
  });
});

describe('graph shapes', () => {
  it('a diamond accumulates both paths before the shared node runs its backward', () => {
    // y feeds a long path and a short one; y's rule must see their sum.
    const x = leaf([0.3, -0.7]);
    const y = exp(x);
    const long = sin(cos(sin(y)));
    const loss = sum(add(long, mul(y, 2)));
    let calls = 0;
    y.registerHook(() => void calls++);
    loss.backward();
    expect(calls).toBe(1);
    const expected = [0.3, -0.7].map((v) => {
      const e = Math.exp(v);
      const dLong = Math.cos(Math.cos(Math.sin(e))) * -Math.sin(Math.sin(e)) * Math.cos(e);
      return (dLong + 2) * e;
    });
    values(x.grad).forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
  });

  it('x used twice by one op gets both contributions', () => {
    const x = leaf([3]);
    mul(x, x).backward();
    expect(values(x.grad)).toEqual([6]);
  });

  it('a branch that never reaches the loss changes no gradient and never runs its backward', () => {
    let ran = false;
    const spy = defineOp<undefined>({
      name: 'spy',
      forward: ([x]) => x!.clone(),
      backward: ({ grad }) => {
        ran = true;
        return [grad];
      },
    });
    const x = leaf([1, 2]);
    const unused = spy([x], undefined);
    const alsoUnused = exp(mul(unused, 3));
    sum(mul(x, x)).backward();
    expect(ran).toBe(false);
    expect(values(x.grad)).toEqual([2, 4]);
    expect(alsoUnused.requiresGrad).toBe(true);
  });

  it('backward on a leaf sets its own grad', () => {
    const x = leaf([1, 2]);
    x.backward(tensor([3, 4], f64));
    expect(values(x.grad)).toEqual([3, 4]);
  });

  it('walks a chain of 100,000 ops without recursion', () => {
    const x = leaf([1, 2]);
    let y: Tensor = x;
    for (let i = 0; i < 100_000; i++) y = mul(y, 1.00001);
    sum(y).backward();
    const expected = 1.00001 ** 100_000;
    values(x.grad).forEach((g) => expect(g).toBeCloseTo(expected, 8));
  });
});

describe('grad mode', () => {
  it('noGrad records nothing, and enableGrad inside it records again', () => {
    const x = leaf([1, 2]);
    expect(isGradEnabled()).toBe(true);
    const [a, b, c] = noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      const a = mul(x, 2);
      const b = enableGrad(() => {
        expect(isGradEnabled()).toBe(true);
        const inner = noGrad(() => mul(x, 5));
        expect(inner.requiresGrad).toBe(false);
        return mul(x, 3);
      });
      expect(isGradEnabled()).toBe(false);
      return [a, b, mul(x, 4)];
    });
    expect(isGradEnabled()).toBe(true);
    expect(a!.requiresGrad).toBe(false);
    expect(a!.gradFn).toBeNull();
    expect(c!.requiresGrad).toBe(false);
    expect(b!.gradFn!.op).toBe('mul');
    sum(b!).backward();
    expect(values(x.grad)).toEqual([3, 3]);
  });

  it('restores the mode when fn throws, and returns fn’s value', () => {
    expect(() => noGrad(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(noGrad(() => 42)).toBe(42);
    noGrad(() => {
      expect(() => enableGrad(() => {
        throw new Error('inner');
      })).toThrow('inner');
      expect(isGradEnabled()).toBe(false);
    });
  });

  it('backward may be called inside noGrad and still fills .grad', () => {
    const x = leaf([1, 2]);
    const loss = sum(mul(x, x));
    noGrad(() => loss.backward());
    expect(values(x.grad)).toEqual([2, 4]);
  });

  it('records nothing when no input requires grad', () => {
    const y = mul(tensor([1, 2]), tensor([3, 4]));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.isLeaf).toBe(true);
  });
});

describe('detach and requiresGrad_', () => {
  it('detach shares values but cuts the tape', () => {
    const x = leaf([1, 2]);
    const y = mul(x, 2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.data).toBe(y.data);
    // the gradient through x·detach(x) treats the detached factor as a constant
    sum(mul(x, x.detach())).backward();
    expect(values(x.grad)).toEqual([1, 2]);
  });

  it('requiresGrad_ turns a leaf on and off and returns it', () => {
    const x = tensor([1, 2], f64);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    sum(mul(x, 2)).backward();
    expect(values(x.grad)).toEqual([2, 2]);
    x.requiresGrad_(false);
    expect(mul(x, 2).requiresGrad).toBe(false);
  });

  it('refuses to turn off gradients of a non-leaf, naming its op', () => {
    const y = exp(leaf([1]));
    expect(() => y.requiresGrad_(false)).toThrow(/requiresGrad_: cannot turn off gradients of a non-leaf tensor \(made by 'exp'\)/);
    expect(y.requiresGrad_(true)).toBe(y);
  });
});

describe('anomaly mode is opt-in', () => {
  it('records no stack outside detectAnomaly and one inside', () => {
    const x = leaf([1]);
    expect(mul(x, 2).gradFn!.stack).toBeUndefined();
    const y = detectAnomaly(() => mul(x, 2));
    expect(y.gradFn!.stack).toMatch(/tape\.test\.ts/);
  });
});

describe('backward checks the gradient argument', () => {
  it('rejects a gradient whose dtype differs from the output', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => y.backward(tensor([1, 1], { dtype: 'float64' }))).toThrow(/^backward: the gradient is float64 but the output is float32/);
    expect(() => gradients([y], [x], { gradOutputs: [tensor([1, 1], { dtype: 'float64' })] })).toThrow(/gradients: gradOutputs\[0\] is float64 but output 0 is float32/);
  });
});

describe('backward takes its options first when there is no gradient', () => {
  it('loss.backward({ retainGraph: true }) keeps the graph for a second backward', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const loss = sum(mul(x, x));
    loss.backward({ retainGraph: true });
    loss.backward();
    expect(Array.from(x.grad!.data)).toEqual([4, 8]);
  });
  it('a non-tensor, non-object first argument is a clear error', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => sum(x).backward(3 as never)).toThrow(/^backward: expected a gradient tensor or an options object, got number/);
  });
});
