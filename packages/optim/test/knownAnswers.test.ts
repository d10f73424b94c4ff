// Known answers computed by hand (the arithmetic is in the comments), with gradients from autograd.
import { describe, expect, it } from 'vitest';
import { mul, pow, sub, sum, type Tensor } from '@dl/autograd';
import { Adagrad, Adam, AdamW, Momentum, RMSProp, SGD, type Optimizer, type OptimizerOptions, type ParamState } from '@dl/optim';
import { param } from './build.js';

type AnyOpt = Optimizer<OptimizerOptions, ParamState>;

/** Runs `steps` of zeroGrad / backward / step on `loss(x)` and returns the iterates after each step. */
function iterates(x: Tensor, opt: AnyOpt, loss: (x: Tensor) => Tensor, steps: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    loss(x).backward();
    opt.step();
    out.push(Array.from(x.data));
  }
  return out;
}

function expectIterates(actual: number[][], expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((xs, t) => xs.forEach((v, i) => expect(v, `step ${t + 1}, coordinate ${i}`).toBeCloseTo(expected[t]![i]!, 14)));
}

describe('f(x) = x², from x = 1 (gradient 2x)', () => {
  const square = (x: Tensor) => sum(mul(x, x));
  const run = (make: (p: Tensor[]) => AnyOpt, steps = 3) => {
    const x = param([1]);
    return iterates(x, make([x]), square, steps);
  };

  it('SGD lr 0.1: x ← 0.8·x', () => {
    expectIterates(run((p) => new SGD(p, { lr: 0.1 })), [[0.8], [0.64], [0.512]]);
  });

  it('SGD momentum 0.9: b = 2 → 3.4 → 3.98', () => {
    // g=2, b=2, x=0.8; g=1.6, b=0.9·2+1.6=3.4, x=0.46; g=0.92, b=3.06+0.92=3.98, x=0.062
    expectIterates(run((p) => new SGD(p, { lr: 0.1, momentum: 0.9 })), [[0.8], [0.46], [0.062]]);
  });

  it('SGD Nesterov 0.9: steps along g + 0.9·b', () => {
    // g=2, b=2, d=2+1.8=3.8, x=0.62; g=1.24, b=1.8+1.24=3.04, d=1.24+2.736=3.976, x=0.2224
    expectIterates(run((p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true }), 2), [[0.62], [0.2224]]);
  });

  it('Momentum (EWMA) rho 0.9, lr 0.1: v = 0.2 → 0.376 → 0.52688', () => {
    // v=0.1·2=0.2, x=0.98; g=1.96, v=0.18+0.196=0.376, x=0.9424; g=1.8848, v=0.3384+0.18848=0.52688, x=0.889712
    expectIterates(run((p) => new Momentum(p, { lr: 0.1, rho: 0.9 })), [[0.98], [0.9424], [0.889712]]);
  });

  it('RMSProp alpha 0.9, lr 0.01, eps 0: the first step is lr/√(1−α) whatever g', () => {
    // v=0.1·4=0.4, x1 = 1 − 0.01·2/√0.4 = 1 − 0.01/√0.1
    // g=2·x1, v = 0.9·0.4 + 0.1·g², x2 = x1 − 0.01·g/√v
    const x1 = 1 - 0.01 / Math.sqrt(0.1);
    const g = 2 * x1;
    const x2 = x1 - (0.01 * g) / Math.sqrt(0.36 + 0.1 * g * g);
    expectIterates(run((p) => new RMSProp(p, { lr: 0.01, alpha: 0.9, eps: 0 }), 2), [[x1], [x2]]);
  });

  it('Adam lr 0.1, eps 0: the first step is lr·sign(g), then the bias-corrected ratio', () => {
    // m1=0.2, v1=0.004, m̂=2, v̂=4, x1=1−0.1·2/2=0.9
    // g=1.8: m2=0.18+0.18=0.36, v2=0.003996+0.00324=0.007236, m̂=0.36/0.19, v̂=0.007236/0.001999
    expectIterates(run((p) => new Adam(p, { lr: 0.1, eps: 0 }), 2), [[0.9], [0.9 - (0.1 * (0.36 / 0.19)) / Math.sqrt(0.007236 / 0.001999)]]);
  });

  it('AdamW lr 0.1, weightDecay 0.1, eps 0: decay first, then the Adam step', () => {
    // x1 = 1·(1 − 0.1·0.1) − 0.1 = 0.89
    expectIterates(run((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1, eps: 0 }), 1), [[0.89]]);
  });

  it('Adagrad lr 0.1, eps 0: sums 4, then 4 + 3.24', () => {
    // x1 = 1 − 0.1·2/√4 = 0.9; g=1.8, s=7.24, x2 = 0.9 − 0.18/√7.24
    expectIterates(run((p) => new Adagrad(p, { lr: 0.1, eps: 0 }), 2), [[0.9], [0.9 - 0.18 / Math.sqrt(7.24)]]);
  });
});

describe('Rosenbrock f(x, y) = (1 − x)² + 100·(y − x²)²', () => {
  // ∂f/∂x = −2(1 − x) − 400·x·(y − x²), ∂f/∂y = 200·(y − x²)
  const rosenbrock = (p: Tensor) => {
    const [x, y] = [p.slice(0, 0, 1), p.slice(0, 1, 2)];
    return sum(pow(sub(1, x), 2)).add(sum(pow(sub(y, mul(x, x)), 2)).mul(100));
  };
  const run = (start: number[], make: (p: Tensor[]) => AnyOpt, steps: number) => {
    const p = param(start);
    return iterates(p, make([p]), rosenbrock, steps);
  };

  it('SGD lr 1e-3 from (0, 0)', () => {
    // g0 = (−2, 0) → (0.002, 0); g1 = (−1.996 + 0.0000032, −0.0008) → (0.0039959968, 8e-7)
    expectIterates(run([0, 0], (p) => new SGD(p, { lr: 1e-3 }), 2), [[0.002, 0], [0.0039959968, 8e-7]]);
  });

  it('Momentum rho 0.9, lr 0.01 from (0, 0)', () => {
    // v1 = 0.1·(−2, 0) → x1 = (0.002, 0); v2 = 0.9·v1 + 0.1·(−1.9959968, −0.0008) = (−0.37959968, −0.00008)
    expectIterates(run([0, 0], (p) => new Momentum(p, { lr: 0.01, rho: 0.9 }), 2), [[0.002, 0], [0.0057959968, 8e-7]]);
  });

  it('Adam lr 0.1 from (−1, 1): y does not move while its gradient is 0', () => {
    // g0 = (−4, 0): m=(−0.4, 0), v=(0.016, 0), m̂=(−4, 0), v̂=(16, 0) → x1 = −1 + 0.1·4/(4 + 1e-8), y1 = 1
    const x1 = -1 + (0.1 * 4) / (4 + 1e-8);
    // g1 at (x1, 1): gx = −2(1 − x1) − 400·x1·(1 − x1²), gy = 200·(1 − x1²)
    const gx = -2 * (1 - x1) - 400 * x1 * (1 - x1 * x1);
    const gy = 200 * (1 - x1 * x1);
    const m = [0.9 * -0.4 + 0.1 * gx, 0.1 * gy];
    const v = [0.999 * 0.016 + 0.001 * gx * gx, 0.001 * gy * gy];
    const x2 = m.map((mi, i) => [x1, 1][i]! - (0.1 * (mi / 0.19)) / (Math.sqrt(v[i]! / 0.001999) + 1e-8));
    expectIterates(run([-1, 1], (p) => new Adam(p, { lr: 0.1 }), 2), [[x1, 1], x2]);
  });
});
