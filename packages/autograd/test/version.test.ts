import { describe, expect, it } from 'vitest';
import { tensor, add, mul, sum, exp, matmul, markModified, versionOf, noGrad, reshape, gradcheck, randn, defineOp } from '@dl/autograd';

describe('in-place version counter', () => {
  it('a backward through values changed in place after the forward throws, naming the op and shape', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const x = tensor([4, 5, 6]);
    const loss = sum(mul(mul(w, w), x));
    w.data[0] = 100;
    markModified(w);
    expect(() => loss.backward()).toThrow(/backward: input 0 of 'mul' \(shape \[3\]\) was modified in place after the forward \(version 0, now 1\)/);
  });

  it('changes made before the forward, or after the backward, are fine', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    markModified(w);
    const loss = sum(mul(w, w));
    loss.backward();
    expect(Array.from(w.grad!.data)).toEqual([2, 4, 6]);
    markModified(w);
    const again = sum(mul(w, w));
    w.grad = null;
    again.backward();
    expect(Array.from(w.grad!.data)).toEqual([2, 4, 6]);
  });

  it('views that share storage share the counter (reshape, detach)', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const v = reshape(w, [4]);
    const d = w.detach();
    const before = versionOf(w);
    markModified(d);
    expect(versionOf(w)).toBe(before + 1);
    expect(versionOf(v)).toBe(before + 1);
    const fresh = tensor([1, 2]);
    expect(versionOf(fresh)).toBe(0);
  });

  it('catches a change to a saved input deep in the graph, with retainGraph', () => {
    const a = randn([3, 4], { requiresGrad: true });
    const b = randn([4, 2], { requiresGrad: true });
    const loss = sum(matmul(a, b));
    loss.backward(undefined, { retainGraph: true });
    noGrad(() => {
      b.data[0] = b.data[0]! + 1;
      markModified(b);
    });
    expect(() => loss.backward()).toThrow(/input 1 of 'matmul' \(shape \[4,2\]\) was modified in place/);
  });

  it('gradcheck still works: its own perturbations are plain .data writes, not tracked', () => {
    expect(gradcheck((t) => mul(t, t), [randn([2, 3], { dtype: 'float64' })])).toBe(true);
  });

  it('only the values a backward reads are checked, as PyTorch saves only those: add and reshape read none', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const loss = sum(reshape(add(w, 1), [3, 1]));
    markModified(w);
    loss.backward();
    expect(Array.from(w.grad!.data)).toEqual([1, 1, 1]);
  });

  it("exp reads its output, not its input: changing the output throws, changing the input's copy does not", () => {
    const w = tensor([0, 1], { dtype: 'float64', requiresGrad: true });
    const y = exp(w);
    const loss = sum(y);
    markModified(y);
    expect(() => loss.backward()).toThrow(/backward: the output of 'exp' \(shape \[2\]\) was modified in place/);
  });

  it("a custom op declares what it saves with defineOp's `saves`", () => {
    const double = defineOp({ name: 'double', saves: 'none', forward: ([x]) => mul(x!, 2), backward: ({ grad }) => [mul(grad, 2)] });
    const square = defineOp({ name: 'square', forward: ([x]) => mul(x!, x!), backward: ({ grad, inputs: [x] }) => [mul(grad, mul(x!, 2))] });
    const w = tensor([1, 2], { requiresGrad: true });
    const a = sum(double([w], undefined));
    const b = sum(square([w], undefined));
    markModified(w);
    a.backward();
    expect(Array.from(w.grad!.data)).toEqual([2, 2]);
    expect(() => b.backward()).toThrow(/input 0 of 'square'/);
  });
});
