import { describe, expect, it } from 'vitest';
import * as ag from '@dl/autograd';

describe('smoke', () => {
  it('works', () => {
    const { tensor, gradcheck, gradgradcheck, randn, matmul, sum, mul, softmax, logsumexp, unfold, max, hessian, jvp, pow } = ag;
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    expect(x.grad!.toArray()).toEqual([[2, 4], [6, 8]]);
    console.log(x.toString(), String(y), String(randn([2, 3])));
    const a = randn([2, 3, 4], { dtype: 'float64' });
    const b = randn([4, 5], { dtype: 'float64' });
    gradcheck(matmul, [a, b]);
    gradgradcheck(matmul, [a, b]);
    gradcheck((t) => softmax(t, 1), [a]);
    gradgradcheck((t) => softmax(t, 1), [a]);
    gradcheck((t) => logsumexp(t, { dim: [0, 2] }), [a]);
    gradcheck((t) => max(t, { dim: 1 }).values, [a]);
    const img = randn([2, 3, 5, 5], { dtype: 'float64' });
    gradcheck((t) => unfold(t, 3, { padding: 1, stride: 2 }), [img]);
    const h = hessian((t) => sum(pow(t, 3)))(tensor([1, 2], { dtype: 'float64' }));
    expect(h.toArray()).toEqual([[6, 0], [0, 12]]);
    const [, jt] = jvp((t) => mul(t, t), [tensor([1, 2, 3])], [tensor([1, 1, 1])]);
    expect(jt.toArray()).toEqual([2, 4, 6]);
    expect(() => matmul(randn([2, 3]), randn([4, 5]))).toThrow(/matmul: shapes \[2,3\] and \[4,5\] cannot be multiplied/);
  });
});
