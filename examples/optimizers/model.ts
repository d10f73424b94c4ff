// The small model whose training losses the optimizers are compared on: a 2-16-1 tanh MLP (autograd ops
// only) classifying points of the plane by quadrant, x·y > 0, which no linear model can do.
import { Generator, add, log, matmul, mean, mul, randn, sigmoid, sub, tanh, tensor, zeros, type Tensor } from '@dl/autograd';

/** The toy data set: n points and their 0/1 labels. */
export function quadrants(n: number, seed: number): { x: Tensor; y: Tensor } {
  const x = randn([n, 2], { dtype: 'float64', generator: new Generator(seed) });
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) labels[i] = x.data[2 * i]! * x.data[2 * i + 1]! > 0 ? 1 : 0;
  return { x, y: tensor(labels, { shape: [n, 1] }) };
}

/** A fresh MLP; the same seed gives the same initial weights, so every optimizer starts alike. */
export function mlp(seed: number): { params: Tensor[]; forward: (x: Tensor) => Tensor } {
  const g = new Generator(seed);
  const w1 = mul(randn([2, 16], { dtype: 'float64', generator: g }), 0.8).detach().requiresGrad_();
  const b1 = zeros([16], { dtype: 'float64', requiresGrad: true });
  const w2 = mul(randn([16, 1], { dtype: 'float64', generator: g }), 0.3).detach().requiresGrad_();
  const b2 = zeros([1], { dtype: 'float64', requiresGrad: true });
  return { params: [w1, b1, w2, b2], forward: (x) => sigmoid(add(matmul(tanh(add(matmul(x, w1), b1)), w2), b2)) };
}

/** Binary cross-entropy of probabilities p against 0/1 targets t. */
export function bce(p: Tensor, t: Tensor): Tensor {
  return mean(add(mul(t, log(add(p, 1e-9))), mul(sub(1, t), log(sub(1 + 1e-9, p))))).neg();
}
