import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EarlyStopping } from '@dl/optim';

describe('EarlyStopping', () => {
  it('stops after `patience` epochs in a row without improvement, tracking the best score and epoch', () => {
    const s = new EarlyStopping({ patience: 2 });
    expect(s.step(1.0)).toBe(false);
    expect(s.step(0.8)).toBe(false);
    expect(s.step(0.9)).toBe(false);
    expect(s.numBadEpochs).toBe(1);
    expect(s.step(0.7)).toBe(false); // an improvement resets the count
    expect(s.numBadEpochs).toBe(0);
    expect(s.step(0.7)).toBe(false); // equal is not better
    expect(s.step(0.75)).toBe(true);
    expect(s.bestScore).toBe(0.7);
    expect(s.bestEpoch).toBe(3);
    expect(s.numBadEpochs).toBe(2);
    expect(s.shouldStop).toBe(true);
  });

  it("needs a gain above minDelta; mode 'max' for metrics that should rise; NaN never improves", () => {
    const s = new EarlyStopping({ patience: 1, minDelta: 0.1, mode: 'max' });
    expect(s.step(0.5)).toBe(false);
    expect(s.step(0.65)).toBe(false);
    expect(s.bestEpoch).toBe(1);
    expect(s.step(0.7)).toBe(true); // 0.05 better than 0.65: not enough
    expect(s.bestScore).toBe(0.65);
    const n = new EarlyStopping({ patience: 1 });
    expect(n.step(NaN)).toBe(true);
    expect(n.bestScore).toBeNull();
    n.reset();
    expect([n.bestScore, n.bestEpoch, n.numBadEpochs, n.epochs]).toEqual([null, -1, 0, 0]);
    expect(new EarlyStopping({ patience: 0 }).step(3)).toBe(false); // the first metric always improves
  });

  it('agrees with a direct reference over random metric sequences', () => {
    const arb = fc.record({
      metrics: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 30 }),
      patience: fc.integer({ min: 0, max: 4 }),
      minDelta: fc.double({ min: 0, max: 1, noNaN: true }),
      mode: fc.constantFrom('min' as const, 'max' as const),
    });
    fc.assert(
      fc.property(arb, ({ metrics, patience, minDelta, mode }) => {
        const s = new EarlyStopping({ patience, minDelta, mode });
        const sign = mode === 'min' ? 1 : -1;
        let best = Infinity;
        let bestEpoch = -1;
        let bad = 0;
        metrics.forEach((m, i) => {
          if (bestEpoch === -1 || sign * m < sign * best - minDelta) {
            best = m;
            bestEpoch = i;
            bad = 0;
          } else bad++;
          expect(s.step(m)).toBe(bad > 0 && bad >= patience);
          expect(s.bestScore).toBe(best);
          expect(s.bestEpoch).toBe(bestEpoch);
          expect(s.numBadEpochs).toBe(bad);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('checks its options', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(/^EarlyStopping: invalid patience -1 \(expected an integer >= 0\)$/);
    expect(() => new EarlyStopping({ patience: 1.5 })).toThrow(/invalid patience 1.5/);
    expect(() => new EarlyStopping({ patience: 1, minDelta: -0.1 })).toThrow(/^EarlyStopping: invalid minDelta -0.1 \(expected a finite number >= 0\)$/);
    expect(() => new EarlyStopping({ patience: 1, mode: 'up' as 'min' })).toThrow(/^EarlyStopping: mode 'up' is unknown \(expected 'min' or 'max'\)$/);
    expect(() => new EarlyStopping({ patience: 1 }).step('0.5' as unknown as number)).toThrow(/^EarlyStopping.step: expected a number, got string$/);
  });
});
