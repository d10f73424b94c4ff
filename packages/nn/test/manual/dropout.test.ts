import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, ones, tensor } from '@dl/autograd';
import { arbShape, arbTensor } from '@dl/autograd/testing';
import { Dropout, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { seed } from './arbitraries.js';

const f64 = { dtype: 'float64' } as const;

describe('manual.Dropout agrees with nn.Dropout', () => {
  it('with equally seeded generators both draw the same mask: y and dx match in train and eval mode', () => {
    const arbCase = fc.record({ shape: arbShape({ minDims: 1, maxDims: 3 }), p: fc.constantFrom(0, 0.2, 0.5, 0.9, 1), eval: fc.boolean(), s: seed })
      .chain((c) => fc.tuple(fc.constant(c), arbTensor(c.shape)));
    fc.assert(
      fc.property(arbCase, ([c, x]) => {
        const m = new manual.Dropout(c.p, { generator: new Generator(c.s) });
        const twin = new Dropout(c.p, { generator: new Generator(c.s) });
        if (c.eval) {
          m.eval();
          twin.eval();
        }
        return checkAgainstTwin(m, twin, x, { seed: c.s });
      }),
      { numRuns: 60 },
    );
  });

  it('crossCheck in one line: the generators stay in step over many runs', () => {
    crossCheck(new manual.Dropout(0.3, { generator: new Generator(9) }), new Dropout(0.3, { generator: new Generator(9) }), { inputShape: [3, 4], numRuns: 20 });
  });
});

describe('manual.Dropout behaviour', () => {
  it('uses a given 0/1 keep-mask: y = x·m/(1 − p), dx = dy·m/(1 − p)', () => {
    const d = new manual.Dropout(0.5);
    const y = d.forward(tensor([1, 2, 3, 4], f64), tensor([1, 0, 0, 1], f64));
    expect(y.toArray()).toEqual([2, 0, 0, 8]);
    expect(d.backward(tensor([1, 1, 1, 1], f64)).toArray()).toEqual([2, 0, 0, 2]);
    expect(d.mask!.toArray()).toEqual([2, 0, 0, 2]);
  });

  it('is the identity in eval mode and drops about p of the elements in train mode', () => {
    const d = new manual.Dropout(0.25, { generator: new Generator(3) });
    const y = d.forward(ones([10000]));
    const dropped = Array.from(y.data).filter((v) => v === 0).length / 10000;
    expect(Math.abs(dropped - 0.25)).toBeLessThan(0.02); // sd of the fraction is 0.0043
    expect(new Set(Array.from(y.data))).toEqual(new Set([0, Math.fround(4 / 3)])); // float32
    d.eval();
    expect(d.forward(tensor([1, 2])).toArray()).toEqual([1, 2]);
    expect(d.backward(tensor([3, 4])).toArray()).toEqual([3, 4]);
  });

  it('names the layer and the shapes', () => {
    const d = new manual.Dropout(0.5);
    expect(() => d.backward(tensor([1]))).toThrow(/^Dropout\.backward: called before forward/);
    expect(() => d.forward(tensor([1, 2]), tensor([1]))).toThrow(/^Dropout: the mask has shape \[1\] but the input has shape \[2\]$/);
    expect(() => new manual.Dropout(-0.1)).toThrow(/^Dropout: p must be in \[0, 1\], got -0.1$/);
    d.forward(tensor([1, 2]));
    expect(() => d.backward(tensor([1, 2, 3]))).toThrow(/^Dropout\.backward: dupstream of shape \[3\] does not match the forward output shape \[2\]$/);
  });
});
