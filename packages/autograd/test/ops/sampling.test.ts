// randperm, multinomial and bernoulli: PyTorch's generator differs from ours, so instead of golden
// values these are checked for structure, reproducibility and frequencies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, bernoulli, full, multinomial, randperm, tensor } from '@dl/autograd';

describe('randperm', () => {
  it('is a permutation of 0..n-1, reproducible from a seed, int32 unless asked', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer(), (n, seed) => {
        const p = randperm(n, { generator: new Generator(seed) });
        expect(p.dtype).toBe('int32');
        expect([...p.data].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect([...randperm(n, { generator: new Generator(seed), dtype: 'float64' }).data]).toEqual([...p.data]);
      }),
      { numRuns: 30 },
    );
  });
  it('puts each value at each position about equally often', () => {
    const g = new Generator(1);
    const counts = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    const trials = 4000;
    for (let t = 0; t < trials; t++) randperm(4, { generator: g }).data.forEach((v, i) => counts[i]![v]!++);
    for (const row of counts) for (const c of row) expect(Math.abs(c / trials - 0.25)).toBeLessThan(0.03);
  });
});

describe('multinomial', () => {
  it('with replacement draws categories in proportion to the weights (which need not sum to 1)', () => {
    const g = new Generator(2);
    const w = tensor([1, 0, 3, 6]);
    const n = 20000;
    const s = multinomial(w, n, { replacement: true, generator: g });
    expect(s.shape).toEqual([n]);
    const freq = [0, 1, 2, 3].map((c) => s.data.filter((v) => v === c).length / n);
    expect(freq[1]).toBe(0);
    [0.1, 0, 0.3, 0.6].forEach((p, i) => expect(Math.abs(freq[i]! - p)).toBeLessThan(0.015));
  });
  it('without replacement gives distinct categories per row, never a zero-weight one', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const probs = tensor([[0.2, 0, 0.5, 0.3, 0.1], [1, 1, 1, 1, 0]], { dtype: 'float64' });
        const s = multinomial(probs, 4, { generator: new Generator(seed) });
        expect(s.shape).toEqual([2, 4]);
        expect(s.dtype).toBe('int32');
        const rows = s.toArray() as number[][];
        for (const r of rows) expect(new Set(r).size).toBe(4);
        expect(rows[0]).not.toContain(1);
        expect(rows[1]).not.toContain(4);
      }),
      { numRuns: 30 },
    );
  });
  it('without replacement, the first draw follows the weights', () => {
    const g = new Generator(3);
    let first = 0;
    for (let t = 0; t < 5000; t++) if (multinomial(tensor([0.8, 0.2]), 2, { generator: g }).data[0] === 0) first++;
    expect(Math.abs(first / 5000 - 0.8)).toBeLessThan(0.025);
  });
  it('is reproducible from a seed and rejects impossible requests', () => {
    const a = multinomial(tensor([0.5, 0.5, 1]), 10, { replacement: true, generator: new Generator(7) });
    const b = tensor([0.5, 0.5, 1]).multinomial(10, { replacement: true, generator: new Generator(7) });
    expect([...a.data]).toEqual([...b.data]);
    expect(() => multinomial(tensor([1, 1]), 3)).toThrow(/^multinomial: cannot draw 3 samples without replacement from 2 categories/);
    expect(() => multinomial(tensor([1, 0, 0]), 2)).toThrow(/^multinomial: row 0 has 1 non-zero categories/);
    expect(() => multinomial(tensor([1, -1]), 1)).toThrow(/^multinomial: probabilities must be finite and non-negative/);
    expect(() => multinomial(tensor([0, 0]), 1, { replacement: true })).toThrow(/^multinomial: row 0 of probs sums to 0/);
  });
});

describe('bernoulli', () => {
  it('draws 1 with probability p, keeps shape and dtype, and is reproducible', () => {
    const p = full([100, 100], 0.3, { dtype: 'float64' });
    const s = bernoulli(p, { generator: new Generator(4) });
    expect(s.shape).toEqual([100, 100]);
    expect(s.dtype).toBe('float64');
    expect(s.data.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(Array.from(s.data).reduce((a, b) => a + b, 0) / 10000 - 0.3)).toBeLessThan(0.015);
    expect([...p.bernoulli({ generator: new Generator(4) }).data]).toEqual([...s.data]);
    expect([...bernoulli(tensor([0, 1, 1, 0])).data]).toEqual([0, 1, 1, 0]);
    expect(() => bernoulli(tensor([1.5]))).toThrow(/^bernoulli: probabilities must be in \[0, 1\]/);
  });
});
