// init.truncNormal_ and init.orthogonal_: statistical and structural properties (PyTorch's generator
// differs from ours, so values cannot match; the distributions and the algebra must).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, Tensor, matmul, transpose, zeros } from '@dl/autograd';
import { init } from '@dl/nn';

/** Mean and variance of N(mean, std²) conditioned on [a, b], by the trapezoid rule on the density. */
function truncatedMoments(mean: number, std: number, a: number, b: number): [number, number] {
  const n = 20000;
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i <= n; i++) {
    const x = a + ((b - a) * i) / n;
    const w = (i === 0 || i === n ? 0.5 : 1) * Math.exp(-0.5 * ((x - mean) / std) ** 2);
    z += w;
    m1 += w * x;
    m2 += w * x * x;
  }
  const mu = m1 / z;
  return [mu, m2 / z - mu * mu];
}

describe('truncNormal_', () => {
  it.each([
    [0, 1, -2, 2],
    [0.5, 2, -1, 3],
    [0, 0.02, -0.04, 0.04],
    [1, 1, 1.5, 4],
  ])('N(%s, %s²) on [%s, %s]: values inside, mean and variance as the truncated normal', (mean, std, a, b) => {
    const t = zeros([200, 200], { dtype: 'float64' });
    init.truncNormal_(t, { mean, std, a, b, generator: new Generator(5) });
    expect(t.data.every((v) => v >= a && v <= b)).toBe(true);
    const [mu, variance] = truncatedMoments(mean, std, a, b);
    const n = t.numel();
    const m = Array.from(t.data).reduce((s, v) => s + v, 0) / n;
    const v = Array.from(t.data).reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1);
    expect(Math.abs(m - mu)).toBeLessThan((5 * Math.sqrt(variance)) / Math.sqrt(n));
    expect(Math.abs(v / variance - 1)).toBeLessThan(0.03);
  });
  it('is reproducible with a generator, defaults to N(0, 1) on [-2, 2], and checks its arguments', () => {
    const a = init.truncNormal_(zeros([50]), { generator: new Generator(1) });
    const b = init.truncNormal_(zeros([50]), { generator: new Generator(1) });
    expect([...a.data]).toEqual([...b.data]);
    expect(a.data.every((v) => Math.abs(v) <= 2)).toBe(true);
    expect(() => init.truncNormal_(zeros([2]), { a: 1, b: 0 })).toThrow(/^truncNormal_: expects std >= 0 and a <= b/);
    expect(() => init.truncNormal_(zeros([2]), { mean: 0, a: 50, b: 51 })).toThrow(/^truncNormal_: \[50, 51\] lies too far in the tail/);
  });
});

describe('orthogonal_', () => {
  const gram = (w: Tensor, rowsOrthonormal: boolean) => (rowsOrthonormal ? matmul(w, transpose(w, 0, 1)) : matmul(transpose(w, 0, 1), w));
  it('gives orthonormal rows (wide) or columns (tall), times gain, to 1e-10 in float64, for any shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.double({ min: 0.1, max: 3, noNaN: true }), fc.integer(),
        (rows, rest, gain, seed) => {
          const t = zeros([rows, ...rest], { dtype: 'float64' });
          init.orthogonal_(t, { gain, generator: new Generator(seed) });
          const cols = t.numel() / rows;
          const w = t.reshape(rows, cols);
          const g = gram(w, rows < cols);
          const k = Math.min(rows, cols);
          for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
            expect(Math.abs(g.data[i * k + j]! - (i === j ? gain * gain : 0))).toBeLessThan(1e-10);
          }
        }),
      { numRuns: 40 },
    );
  });
  it('is a Haar-like draw: an entry of a 64×64 orthogonal matrix has mean 0 and variance 1/64', () => {
    const t = init.orthogonal_(zeros([64, 64], { dtype: 'float64' }), { generator: new Generator(9) });
    const mean = Array.from(t.data).reduce((s, v) => s + v, 0) / t.numel();
    const variance = Array.from(t.data).reduce((s, v) => s + v * v, 0) / t.numel();
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance * 64 - 1)).toBeLessThan(1e-10); // every row has norm 1
    const f32 = init.orthogonal_(zeros([8, 8]), { generator: new Generator(9) });
    expect(f32.dtype).toBe('float32');
  });
  it('rejects tensors of fewer than 2 dims', () => {
    expect(() => init.orthogonal_(zeros([3]))).toThrow(/^orthogonal_: only tensors with 2 or more dimensions are supported/);
  });
});
