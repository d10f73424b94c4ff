import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, mul, sum, tensor, zeros } from '@dl/autograd';
import { Embedding, F } from '@dl/nn';
import { expectClose, fromJSON, goldenFile } from '../support/golden.js';
import { moduleGradcheck } from '../support/moduleGradcheck.js';

const fixture = goldenFile('recurrent');

describe('Embedding', () => {
  it('matches PyTorch: rows looked up, and no gradient reaches the padding row', () => {
    const c = fixture.embedding;
    const m = new Embedding(c.num, c.dim, { paddingIdx: c.paddingIdx, dtype: 'float64' });
    m.weight.data.set(c.weight.data);
    const y = m.forward(fromJSON(c.idx));
    expectClose(y, c.y);
    sum(mul(y, fromJSON(c.w))).backward();
    expectClose(m.weight.grad!, c.grad);
    expectClose(F.embedding(fromJSON(c.idx), m.weight, { paddingIdx: c.paddingIdx }), c.y);
  });

  it('gradcheck over random table sizes and index shapes (property)', () => {
    const arb = fc
      .record({ n: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 3 }), shape: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), seed: fc.nat(), pad: fc.boolean() })
      .chain((s) => fc.record({ s: fc.constant(s), idx: fc.array(fc.integer({ min: 0, max: s.n - 1 }), { minLength: s.shape.reduce((a, b) => a * b, 1), maxLength: s.shape.reduce((a, b) => a * b, 1) }) }));
    fc.assert(
      fc.property(arb, ({ s, idx }) => {
        const m = new Embedding(s.n, s.d, { dtype: 'float64', generator: new Generator(s.seed), paddingIdx: s.pad ? 0 : null });
        const input = tensor(idx, { shape: s.shape, dtype: 'float64' });
        expect(m.forward(input).shape).toEqual([...s.shape, s.d]);
        if (!s.pad) return moduleGradcheck(m, [], { constants: [input] });
        // With padding: the gradient of a twin without padding, except row 0, which gets none.
        const twin = new Embedding(s.n, s.d, { dtype: 'float64' });
        twin.weight.data.set(m.weight.data);
        const v = tensor(idx.flatMap((_, i) => Array.from({ length: s.d }, (_, j) => Math.cos(i + 3 * j))), { shape: [...s.shape, s.d], dtype: 'float64' });
        sum(mul(m.forward(input), v)).backward();
        sum(mul(twin.forward(input), v)).backward();
        const want = Array.from(twin.weight.grad!.data, (g, i) => (i < s.d ? 0 : g));
        expect(Array.from(m.weight.grad?.data ?? new Float64Array(s.n * s.d))).toEqual(want);
        return true;
      }),
      { numRuns: 30 },
    );
  });

  it('starts as N(0, 1) with the padding row zeroed; prints as PyTorch', () => {
    const m = new Embedding(400, 50, { paddingIdx: -1, generator: new Generator(3) });
    expect(m.paddingIdx).toBe(399);
    expect(Array.from(m.weight.data.subarray(399 * 50))).toEqual(new Array(50).fill(0));
    const w = Array.from(m.weight.data.subarray(0, 399 * 50));
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(w.reduce((a, b) => a + b * b, 0) / w.length).toBeCloseTo(1, 1);
    for (const [{ kind, args, options }, want] of fixture.repr) {
      if (kind === 'Embedding') expect(new Embedding(args[0], args[1], options).toString()).toBe(want);
    }
    expect(new Embedding(5, 2).toString()).toBe('Embedding(5, 2)');
  });

  it('errors name the bad index and its position', () => {
    const m = new Embedding(10, 3);
    expect(() => m.forward(tensor([[1, 2], [12, 3]]))).toThrow(/^Embedding: index 12 at position 2 \(flat\) of the input of shape \[2,2\] is out of range; indices must be integers in \[0, 9\]$/);
    expect(() => m.forward(tensor([1.5]))).toThrow(/Embedding: index 1.5 at position 0 .* is not an integer/);
    expect(() => m.forward(tensor([-1]))).toThrow(/Embedding: index -1 .* out of range/);
    expect(() => new Embedding(10, 3, { paddingIdx: 10 })).toThrow(/Embedding: paddingIdx must be an integer in \[-10, 9\], got 10/);
    expect(() => F.embedding(tensor([0]), zeros([3]))).toThrow(/embedding: weight must be 2-D/);
  });
});
