// Convergence: every optimizer minimises an elongated quadratic and trains a small MLP (built from
// @dl/autograd ops only) on a toy classification problem, in a training loop with zeroGrad/backward/step.
import { describe, expect, it } from 'vitest';
import {
  Generator, add, log, matmul, mean, mul, randn, sigmoid, sub, sum, tanh, tensor, zeros, type Tensor,
} from '@dl/autograd';
import { CosineAnnealingLR, type LRScheduler } from '@dl/optim';
import { kinds, makeOptimizer, param } from './build.js';
import type { Kind } from './scalarReference.js';

/** Hyper-parameters that suit each optimizer on these problems, and whether to anneal the lr. */
const quadraticSetup: Record<Kind, { options: Record<string, unknown>; anneal?: boolean }> = {
  SGD: { options: { lr: 0.05, momentum: 0.5 } },
  Momentum: { options: { lr: 0.1, rho: 0.9 } },
  RMSProp: { options: { lr: 0.05 }, anneal: true },
  Adam: { options: { lr: 0.2 }, anneal: true },
  AdamW: { options: { lr: 0.2, weightDecay: 0 }, anneal: true },
  Adagrad: { options: { lr: 1 } },
};

describe('convergence on f(x) = ½ Σ aᵢ (xᵢ − cᵢ)², a = (1, 10)', () => {
  const a = tensor([1, 10], { dtype: 'float64' });
  const c = tensor([1, -2], { dtype: 'float64' });
  const f = (x: Tensor) => mul(sum(mul(a, mul(sub(x, c), sub(x, c)))), 0.5);

  it.each(kinds)('%s reaches the minimiser (1, −2) from (−3, 3)', (kind) => {
    const steps = 400;
    const x = param([-3, 3]);
    const { options, anneal } = quadraticSetup[kind];
    const opt = makeOptimizer(kind, [x], options);
    const sched: LRScheduler | null = anneal ? new CosineAnnealingLR(opt, { tMax: steps }) : null;
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      f(x).backward();
      opt.step();
      sched?.step();
    }
    expect(Math.abs(x.data[0]! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(x.data[1]! + 2)).toBeLessThan(1e-4);
  });
});

/** n points in the plane labelled by the quadrant (x·y > 0), a problem no linear model solves. */
function quadrants(n: number, generator: Generator) {
  const x = randn([n, 2], { dtype: 'float64', generator });
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) labels[i] = x.data[2 * i]! * x.data[2 * i + 1]! > 0 ? 1 : 0;
  return { x, y: tensor(labels, { shape: [n, 1] }) };
}

function mlp(generator: Generator) {
  const w1 = mul(randn([2, 16], { dtype: 'float64', generator }), 0.8).detach().requiresGrad_();
  const b1 = zeros([16], { dtype: 'float64', requiresGrad: true });
  const w2 = mul(randn([16, 1], { dtype: 'float64', generator }), 0.3).detach().requiresGrad_();
  const b2 = zeros([1], { dtype: 'float64', requiresGrad: true });
  const forward = (x: Tensor) => sigmoid(add(matmul(tanh(add(matmul(x, w1), b1)), w2), b2));
  return { params: [w1, b1, w2, b2], forward };
}

const bce = (p: Tensor, t: Tensor) => mean(add(mul(t, log(add(p, 1e-9))), mul(sub(1, t), log(sub(1 + 1e-9, p))))).neg();

const mlpSetup: Record<Kind, Record<string, unknown>> = {
  SGD: { lr: 0.5, momentum: 0.9 },
  Momentum: { lr: 2, rho: 0.9 },
  RMSProp: { lr: 0.01 },
  Adam: { lr: 0.03 },
  AdamW: { lr: 0.03, weightDecay: 1e-3 },
  Adagrad: { lr: 0.2 },
};

describe('convergence on a 2-16-1 MLP classifying quadrants', () => {
  it.each(kinds)('%s fits the training set', (kind) => {
    const { x, y } = quadrants(128, new Generator(1));
    const model = mlp(new Generator(2));
    const opt = makeOptimizer(kind, model.params, mlpSetup[kind]);
    const initial = bce(model.forward(x), y).item();
    let loss = initial;
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      const l = bce(model.forward(x), y);
      l.backward();
      opt.step();
      loss = l.item();
    }
    const accuracy = mean(model.forward(x).gt(0.5).eq(y)).item();
    expect(loss).toBeLessThan(0.25 * initial);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });
});
