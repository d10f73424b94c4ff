import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arange, Generator, manualSeed, ones, randn, type Tensor } from '@dl/autograd';
import { arbShape } from '@dl/autograd/testing';
import { Dropout, F, Flatten, GELU, Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, type Module } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, golden } from '../support/golden.js';

interface Row {
  name: string;
  make: () => Module;
  /** A kink to keep inputs away from. */
  kink?: number;
  minDims?: number;
}

const rows: Row[] = [
  { name: 'ReLU', make: () => new ReLU(), kink: 0 },
  { name: 'Sigmoid', make: () => new Sigmoid() },
  { name: 'Tanh', make: () => new Tanh() },
  { name: 'LeakyReLU', make: () => new LeakyReLU({ negativeSlope: 0.2 }), kink: 0 },
  { name: 'GELU', make: () => new GELU() },
  { name: 'GELU tanh', make: () => new GELU({ approximate: 'tanh' }) },
  { name: 'Softmax', make: () => new Softmax(-1), minDims: 1 },
  { name: 'LogSoftmax', make: () => new LogSoftmax(0), minDims: 1 },
  { name: 'Flatten', make: () => new Flatten(), minDims: 2 },
  { name: 'Identity', make: () => new Identity() },
];

describe.each(rows)('$name', ({ make, kink, minDims }) => {
  it('gradcheck over random shapes', () => {
    const arb = arbShape({ minDims: minDims ?? 0, maxDims: 4, maxSize: 3 }).chain((s) => arbT(s, { avoid: kink }));
    fc.assert(fc.property(arb, (x) => moduleGradcheck(make(), [x])), { numRuns: 25 });
  });
});

describe('activation modules', () => {
  it('match PyTorch', () => {
    const g = golden.activations;
    const x = fromJSON(g.x);
    const cases: [Module, string][] = [
      [new ReLU(), 'ReLU'], [new Sigmoid(), 'Sigmoid'], [new Tanh(), 'Tanh'], [new LeakyReLU({ negativeSlope: 0.2 }), 'LeakyReLU'],
      [new GELU(), 'GELU'], [new GELU({ approximate: 'tanh' }), 'GELUtanh'], [new Softmax(0), 'Softmax0'], [new LogSoftmax(1), 'LogSoftmax1'],
    ];
    for (const [m, key] of cases) expectClose(m.forward(x) as Tensor, g[key]);
    expectClose(new Flatten().forward(arange(24, undefined, { dtype: 'float64' }).reshape(2, 3, 4)), g.Flatten);
  });

  it('Flatten keeps the batch dim by default and takes start/end dims', () => {
    const x = ones([2, 3, 4, 5]);
    expect(new Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new Flatten({ startDim: 0 }).forward(x).shape).toEqual([120]);
    expect(new Flatten({ startDim: 1, endDim: 2 }).forward(x).shape).toEqual([2, 12, 5]);
  });

  it('bad arguments name the layer', () => {
    expect(() => new GELU({ approximate: 'fast' as 'tanh' })).toThrow(/GELU: approximate must be 'none' or 'tanh', got 'fast'/);
    expect(() => new Softmax(1.5)).toThrow(/Softmax: dim must be an integer, got 1.5/);
    expect(() => new LeakyReLU({ negativeSlope: NaN })).toThrow(/LeakyReLU: negativeSlope must be a finite number/);
    expect(() => new Dropout(1.5)).toThrow(/Dropout: p must be in \[0, 1\], got 1.5/);
  });
});

describe('Dropout', () => {
  it('is the identity in eval mode and when p = 0', () => {
    const x = randn([4, 5]);
    const d = new Dropout(0.5);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
  });

  it('zeroes about p of the elements in training mode and scales the rest by 1/(1-p), keeping the mean', () => {
    manualSeed(3);
    const x = ones([200, 100]);
    const y = new Dropout(0.3).forward(x);
    const values = Array.from(y.data);
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.28);
    expect(zeros).toBeLessThan(0.32);
    expect(values.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.97);
    expect(mean).toBeLessThan(1.03);
  });

  it('passes the gradient through the kept elements only, with the same scale', () => {
    const x = randn([6, 7], { dtype: 'float64', requiresGrad: true });
    const y = F.dropout(x, { p: 0.4, generator: new Generator(5) });
    y.sum().backward();
    for (let i = 0; i < x.numel(); i++) {
      const scale = y.data[i] === 0 ? 0 : 1 / 0.6;
      expect(x.grad!.data[i]).toBeCloseTo(scale, 12);
    }
  });

  it('p = 1 zeroes everything', () => {
    expect(Array.from(new Dropout(1).forward(ones([3])).data)).toEqual([0, 0, 0]);
  });
});
