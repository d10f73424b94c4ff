import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, randn, zeros } from '@dl/autograd';
import { F, Linear } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, golden, stateFromJSON } from '../support/golden.js';

describe('Linear', () => {
  it('gradcheck: input, weight and bias over random sizes and batch shapes', () => {
    const sizes = fc.record({
      inF: fc.integer({ min: 1, max: 5 }),
      outF: fc.integer({ min: 1, max: 4 }),
      batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      bias: fc.boolean(),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(sizes.chain((s) => fc.tuple(fc.constant(s), arbT([...s.batch, s.inF]))), ([s, x]) => {
        const m = new Linear(s.inF, s.outF, { bias: s.bias, dtype: 'float64', generator: new Generator(s.seed) });
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 30 },
    );
  });

  it('matches PyTorch with fixed weights', () => {
    for (const c of golden.linear) {
      const m = new Linear(c.in, c.out, { bias: c.bias, dtype: 'float64' });
      m.loadStateDict(stateFromJSON(c.state));
      expectClose(m.forward(fromJSON(c.x)), c.y);
      expectClose(F.linear(fromJSON(c.x), m.weight, m.bias), c.y);
    }
  });

  it('has weight [out, in] and bias [out]; bias: false drops it', () => {
    const m = new Linear(784, 10);
    expect(m.weight.shape).toEqual([10, 784]);
    expect(m.bias!.shape).toEqual([10]);
    expect(m.weight.requiresGrad).toBe(true);
    const nb = new Linear(3, 2, { bias: false });
    expect(nb.bias).toBeNull();
    expect(nb.namedParameters().map(([n]) => n)).toEqual(['weight']);
  });

  it('initialises as PyTorch: weight and bias within ±1/√in, spread over the range', () => {
    const m = new Linear(400, 300, { generator: new Generator(1) });
    const bound = 1 / Math.sqrt(400);
    const w = Array.from(m.weight.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    // U(-b, b) has variance b²/3
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeCloseTo((bound * bound) / 3, 5);
    expect(Math.max(...Array.from(m.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('errors name the layer and the shapes', () => {
    const m = new Linear(784, 10);
    expect(() => m.forward(zeros([2, 10]))).toThrow(/^Linear: expected input with 784 features \(last dim\), got shape \[2,10\]$/);
    expect(() => m.forward(zeros([]))).toThrow(/Linear: expected input with 784 features.*shape \[\]/);
    expect(() => m.forward(randn([2, 784], { dtype: 'float64' }))).toThrow(/Linear: input dtype float64 does not match the weight's float32/);
    expect(() => new Linear(0, 3)).toThrow(/Linear: inFeatures must be a positive integer, got 0/);
    expect(() => new Linear(3, -1)).toThrow(/Linear: outFeatures must be a positive integer, got -1/);
    expect(() => new Linear(2.5, 1)).toThrow(/Linear: inFeatures must be a positive integer, got 2.5/);
    expect(() => F.linear(zeros([2, 3]), zeros([3]))).toThrow(/linear: weight must be 2-D \[outFeatures, inFeatures\], got shape \[3\]/);
    expect(() => F.linear(zeros([2, 3]), zeros([4, 3]), zeros([3]))).toThrow(/linear: bias must have shape \[4\], got \[3\]/);
  });
});
