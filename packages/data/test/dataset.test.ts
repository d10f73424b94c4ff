import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arange, Generator, manualSeed, tensor, zeros } from '@dl/autograd';
import { randomSplit, randperm, Subset, TensorDataset, type Dataset } from '@dl/data';

const range = (n: number): Dataset<number> => ({ length: n, get: (i) => i });

describe('TensorDataset', () => {
  it('indexes rows of every tensor, with negative indices from the end', () => {
    const x = arange(12).reshape(4, 3);
    const y = tensor([10, 11, 12, 13], { dtype: 'float64' });
    const ds = new TensorDataset(x, y);
    expect(ds.length).toBe(4);
    const [row, label] = ds.get(2);
    expect(row!.shape).toEqual([3]);
    expect(row!.toArray()).toEqual([6, 7, 8]);
    expect(label!.shape).toEqual([]);
    expect(label!.dtype).toBe('float64');
    expect(label!.item()).toBe(12);
    expect(ds.get(-1)[0]!.toArray()).toEqual([9, 10, 11]);
  });

  it('returns copies, so writing to a sample leaves the dataset alone', () => {
    const x = arange(6).reshape(3, 2);
    const ds = new TensorDataset(x);
    ds.get(1)[0]!.data[0] = 99;
    expect(x.toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
  });

  it('rejects tensors that do not share their first dimension, naming the shapes', () => {
    expect(() => new TensorDataset(zeros([3, 2]), zeros([4]))).toThrow(/TensorDataset: .*first dimension.*\[3,2\], \[4\]/);
    expect(() => new TensorDataset()).toThrow(/TensorDataset: needs at least one tensor/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/TensorDataset: a scalar tensor/);
  });

  it('rejects out-of-range and non-integer indices', () => {
    const ds = new TensorDataset(zeros([3, 2]));
    expect(() => ds.get(3)).toThrow(/TensorDataset.get: index 3 is out of range for a dataset of length 3/);
    expect(() => ds.get(-4)).toThrow(/index -4 is out of range/);
    expect(() => ds.get(1.5)).toThrow(/index must be an integer, got 1.5/);
  });
});

describe('Subset', () => {
  it('reads the underlying samples at its indices', () => {
    const s = new Subset(range(10), [7, 2, 2, -1]);
    expect(s.length).toBe(4);
    expect([0, 1, 2, 3].map((i) => s.get(i))).toEqual([7, 2, 2, 9]);
    expect(() => new Subset(range(3), [3])).toThrow(/Subset: index 3 is out of range for a dataset of length 3/);
    expect(() => s.get(4)).toThrow(/Subset.get: index 4 is out of range/);
  });
});

describe('randperm', () => {
  it('is a permutation of 0..n-1, determined by the generator seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer(), (n, seed) => {
        const p = randperm(n, new Generator(seed));
        expect([...p].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
        expect(randperm(n, new Generator(seed))).toEqual(p);
      }),
      { numRuns: 50 },
    );
  });

  it('moves every position to every place about equally often', () => {
    const n = 4;
    const trials = 4000;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const g = new Generator(1);
    for (let t = 0; t < trials; t++) randperm(n, g).forEach((v, pos) => counts[v]![pos]!++);
    // Expected 1000 per cell; a binomial sd is ~27, so 150 is over 5 sd.
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(150);
  });
});

describe('randomSplit', () => {
  it('splits into disjoint subsets that cover the dataset, with the given lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 5 }), fc.integer(), (lengths, seed) => {
        const n = lengths.reduce((a, b) => a + b, 0);
        const parts = randomSplit(range(n), lengths, { seed });
        expect(parts.map((p) => p.length)).toEqual(lengths);
        const all = parts.flatMap((p) => Array.from({ length: p.length }, (_, i) => p.get(i)));
        expect(all.sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
      }),
      { numRuns: 50 },
    );
  });

  it('is determined by the seed, and differs between seeds', () => {
    const ds = range(100);
    const a = randomSplit(ds, [60, 40], { seed: 3 });
    const b = randomSplit(ds, [60, 40], { seed: 3 });
    const c = randomSplit(ds, [60, 40], { seed: 4 });
    expect(a[0]!.indices).toEqual(b[0]!.indices);
    expect(a[1]!.indices).toEqual(b[1]!.indices);
    expect(a[0]!.indices).not.toEqual(c[0]!.indices);
  });

  it('uses the default generator (manualSeed) when no seed is given', () => {
    manualSeed(11);
    const a = randomSplit(range(50), [25, 25]);
    manualSeed(11);
    const b = randomSplit(range(50), [25, 25]);
    expect(a[0]!.indices).toEqual(b[0]!.indices);
  });

  it('turns fractions into lengths as PyTorch does: floor, then the remainder round-robin', () => {
    // PyTorch: random_split(range(10), [0.33, 0.33, 0.34]) has lengths [4, 3, 3].
    expect(randomSplit(range(10), [0.33, 0.33, 0.34], { seed: 0 }).map((s) => s.length)).toEqual([4, 3, 3]);
    expect(randomSplit(range(11), [0.5, 0.5], { seed: 0 }).map((s) => s.length)).toEqual([6, 5]);
    expect(randomSplit(range(5), [0.1, 0.1, 0.8], { seed: 0 }).map((s) => s.length)).toEqual([1, 0, 4]);
    expect(randomSplit(range(10000), [0.8, 0.2], { seed: 0 }).map((s) => s.length)).toEqual([8000, 2000]);
  });

  it('rejects bad lengths and fractions', () => {
    expect(() => randomSplit(range(10), [3, 3])).toThrow(/randomSplit: lengths \[3, 3\] sum to 6, but the dataset has length 10/);
    expect(() => randomSplit(range(10), [12, -2])).toThrow(/randomSplit: length at index 1 must be a non-negative integer.*-2/);
    expect(() => randomSplit(range(10), [2.5, 7.5])).toThrow(/randomSplit: length at index 0 .*2.5/);
    expect(() => randomSplit(range(10), [1.5, -0.5])).toThrow(/randomSplit: fraction at index 0 is not between 0 and 1: 1.5/);
    expect(() => randomSplit(range(10), [])).toThrow(/randomSplit: lengths must not be empty/);
  });
});
