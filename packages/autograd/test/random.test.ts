import { describe, expect, it } from 'vitest';
import { Generator, defaultGenerator, manualSeed, rand, randn } from '@dl/autograd';

// Seeded, so these statistical checks are deterministic; the bounds are 5 standard errors wide, so a
// correct generator passes for any seed and a biased one (wrong scale, offset or shape) fails.
const N = 200_000;
const moments = (data: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i]!;
  const mean = s / data.length;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += (data[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(v / (data.length - 1)) };
};

describe('Generator', () => {
  it('repeats a sequence from the same seed, and restarts with manualSeed', () => {
    const a = new Generator(42);
    const first = Array.from({ length: 10 }, () => a.nextUint32());
    const b = new Generator(42);
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(first);
    a.manualSeed(42);
    expect(Array.from({ length: 10 }, () => a.nextUint32())).toEqual(first);
  });

  it('gives different streams for different seeds, including seeds beyond 32 bits and negative ones', () => {
    const head = (seed: number) => {
      const g = new Generator(seed);
      return [g.nextUint32(), g.nextUint32(), g.nextUint32()];
    };
    const seeds = [0, 1, 2, 2 ** 32, 2 ** 32 + 1, 2 ** 40, -1, 2 ** 32 - 1, Number.MAX_SAFE_INTEGER];
    const heads = seeds.map((s) => head(s).join());
    expect(new Set(heads).size).toBe(seeds.length);
  });

  it('normal() returns both values of a Box–Muller pair, and reseeding drops the spare', () => {
    const g = new Generator(3);
    const a = [g.normal(), g.normal(), g.normal()];
    g.manualSeed(3);
    expect([g.normal(), g.normal(), g.normal()]).toEqual(a);
    g.manualSeed(3);
    g.normal();
    g.manualSeed(3);
    expect(g.normal()).toBe(a[0]);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Generator(NaN)).toThrow(/Generator: seed must be a finite number, got NaN/);
    expect(() => manualSeed(Infinity)).toThrow(/manualSeed: seed must be a finite number, got Infinity/);
  });

  it('manualSeed seeds the default generator', () => {
    manualSeed(11);
    const x = defaultGenerator.uniform();
    expect(new Generator(11).uniform()).toBe(x);
  });

  it('integer(low, high) covers [low, high) evenly', () => {
    const g = new Generator(8);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < N; i++) counts[g.integer(0, 10)]!++;
    const sd = Math.sqrt(N * 0.1 * 0.9);
    counts.forEach((c) => expect(Math.abs(c - N / 10)).toBeLessThan(5 * sd));
  });
});

describe('distributions', () => {
  it('rand is uniform on [0, 1): range, mean, std and deciles', () => {
    const x = rand([N], { generator: new Generator(1), dtype: 'float64' });
    let lo = Infinity;
    let hi = -Infinity;
    const bins = new Array<number>(10).fill(0);
    for (const v of x.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      bins[Math.floor(v * 10)]!++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const { mean, std } = moments(x.data);
    const sd = Math.sqrt(1 / 12);
    expect(Math.abs(mean - 0.5)).toBeLessThan((5 * sd) / Math.sqrt(N));
    expect(Math.abs(std - sd)).toBeLessThan(0.005);
    bins.forEach((c) => expect(Math.abs(c - N / 10)).toBeLessThan(5 * Math.sqrt(N * 0.09)));
  });

  it('randn is standard normal: mean, std, and the share within 1 and 2 sigma', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const x = randn([N], { generator: new Generator(2), dtype });
      const { mean, std } = moments(x.data);
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N));
      expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * N));
      let in1 = 0;
      let in2 = 0;
      for (const v of x.data) {
        if (Math.abs(v) < 1) in1++;
        if (Math.abs(v) < 2) in2++;
      }
      const share = (p: number, count: number) => Math.abs(count / N - p) < 5 * Math.sqrt((p * (1 - p)) / N);
      expect(share(0.682689492, in1)).toBe(true);
      expect(share(0.954499736, in2)).toBe(true);
    }
  });

  it('successive values are uncorrelated', () => {
    const x = randn([N], { generator: new Generator(4), dtype: 'float64' }).data;
    let c = 0;
    for (let i = 1; i < N; i++) c += x[i]! * x[i - 1]!;
    expect(Math.abs(c / (N - 1))).toBeLessThan(5 / Math.sqrt(N));
  });
});
