// Adam on float32 parameters runs its two EWMAs and the step in one fused pass: it must give exactly
// what the separate loops (ewma, ewmaOfSquares, then the step) give, bit for bit.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor } from '@dl/autograd';
import { Adam, biasCorrection, ewma, ewmaOfSquares } from '@dl/optim';

describe('Adam on float32 parameters', () => {
  it('matches the separate EWMA loops bit for bit over several steps', () => {
    const arb = fc.record({
      values: fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 40 }),
      grads: fc.array(fc.array(fc.float({ min: -5, max: 5, noNaN: true }), { minLength: 40, maxLength: 40 }), { minLength: 1, maxLength: 5 }),
      lr: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
      b1: fc.double({ min: 0, max: 0.99, noNaN: true }),
      b2: fc.double({ min: 0, max: 0.9999, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ values, grads, lr, b1, b2 }) => {
        const n = values.length;
        const w = new Tensor(Float32Array.from(values), [n], { requiresGrad: true });
        const opt = new Adam([w], { lr, betas: [b1, b2], eps: 1e-8 });
        const p = Float32Array.from(values);
        const m = new Float32Array(n);
        const v = new Float32Array(n);
        grads.forEach((gs, step) => {
          const g = Float32Array.from(gs.slice(0, n));
          w.grad = new Tensor(g.slice(), [n]);
          opt.step();
          ewma(m, g, b1);
          ewmaOfSquares(v, g, b2);
          const stepSize = lr / biasCorrection(b1, step + 1);
          const bc2 = Math.sqrt(biasCorrection(b2, step + 1));
          for (let i = 0; i < n; i++) p[i] = p[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / bc2 + 1e-8);
          expect(Array.from(w.data)).toEqual(Array.from(p));
        });
      }),
      { numRuns: 100 },
    );
  });
});
