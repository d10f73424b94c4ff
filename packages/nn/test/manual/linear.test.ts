import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, tensor } from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { Linear, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { fillNormal, seed, size } from './arbitraries.js';
import { expectGoldenBackward, expectGoldenForward, expectGoldenParamGrads, golden, withGoldenParams } from './golden.js';

const f64 = { dtype: 'float64' } as const;

describe('manual.Linear agrees with nn.Linear', () => {
  it('dx, dW, db and the output match autograd for random sizes, batch dims and values', () => {
    const arbCase = fc
      .record({ inF: size(5), outF: size(5), lead: fc.array(size(3), { maxLength: 2 }), s: seed })
      .chain((c) => fc.tuple(fc.constant(c), arbTensor([...c.lead, c.inF])));
    fc.assert(
      fc.property(arbCase, ([{ inF, outF, s }, x]) => {
        const m = new manual.Linear(inF, outF, { ...f64, generator: new Generator(s) });
        fillNormal(m.b, s + 1);
        return checkAgainstTwin(m, new Linear(inF, outF, f64), x, { seed: s });
      }),
      { numRuns: 50 },
    );
  });

  it('crossCheck is a one-liner over inputs inferred from the layer', () => {
    crossCheck(new manual.Linear(4, 3, f64), new Linear(4, 3, f64), { numRuns: 25 });
  });
});

describe('manual.Linear known values (PyTorch float64)', () => {
  const c = golden.linear!;
  const layer = () => withGoldenParams(new manual.Linear(4, 5, f64), c);

  it('forward is x·W + b', () => {
    expectGoldenForward(layer(), c);
  });

  it('backward gives dx, dW = xᵀ·dy and db = Σ dy', () => {
    const m = layer();
    expectGoldenForward(m, c);
    expectGoldenBackward(m, c);
    expectGoldenParamGrads(m, c, [4, 5]);
  });

  it('a 1-D input gives a 1-D output, with dW the outer product', () => {
    const m = new manual.Linear(2, 3, f64);
    m.W.data.set([1, 2, 3, 4, 5, 6]);
    m.b.data.set([0.5, 0, -0.5]);
    expect(m.forward(tensor([1, -1], f64)).toArray()).toEqual([-2.5, -3, -3.5]);
    const dx = m.backward(tensor([1, 0, 2], f64));
    expect(dx.toArray()).toEqual([7, 16]);
    expect(m.dW!.toArray()).toEqual([[1, 0, 2], [-1, 0, -2]]);
    expect(m.db!.toArray()).toEqual([1, 0, 2]);
  });

  it('runs off the tape: outputs and gradients do not require grad', () => {
    const m = new manual.Linear(2, 2, f64);
    const x = tensor([[1, 2]], { ...f64, requiresGrad: true });
    const y = m.forward(x);
    expect(y.requiresGrad).toBe(false);
    expect(m.backward(tensor([[1, 1]], f64)).requiresGrad).toBe(false);
    expect(m.dW!.requiresGrad).toBe(false);
  });
});

describe('manual.Linear initParams', () => {
  it('samples W from N(0, std²) and b uniformly from [0, 1)', () => {
    const m = new manual.Linear(100, 200, { ...f64, generator: new Generator(7) });
    m.initParams(0.5);
    const w = Array.from(m.W.data);
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.01); // 20000 samples: the mean's sd is 0.0035
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.01);
    const b = Array.from(m.b.data);
    expect(b.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(b.reduce((a, v) => a + v, 0) / b.length - 0.5)).toBeLessThan(0.07);
  });

  it('is reproducible from the generator, defaults to std 1, and clears the gradients', () => {
    const a = new manual.Linear(3, 4, { ...f64, generator: new Generator(1) });
    const b = new manual.Linear(3, 4, { ...f64, generator: new Generator(1) });
    expect(Array.from(a.W.data)).toEqual(Array.from(b.W.data));
    expect(Array.from(a.b.data)).toEqual(Array.from(b.b.data));
    a.forward(tensor([[1, 2, 3]], f64));
    a.backward(tensor([[1, 1, 1, 1]], f64));
    a.initParams(0);
    expect(Array.from(a.W.data).every((v) => v === 0)).toBe(true);
    expect(a.dW).toBeNull();
    expect(a.db).toBeNull();
  });
});

describe('manual.Linear errors', () => {
  it('names the layer and the shapes', () => {
    const m = new manual.Linear(3, 2, f64);
    expect(() => m.backward(tensor([[1, 2]], f64))).toThrow(/Linear\.backward: called before forward/);
    expect(() => m.forward(tensor([[1, 2]], f64))).toThrow(/Linear: expected input with 3 features in its last dim, got shape \[1,2\]/);
    expect(() => m.forward(tensor(1, f64))).toThrow(/Linear: expected input with 3 features .* shape \[\]/);
    expect(() => m.forward(tensor([[1, 2, 3]]))).toThrow(/Linear: input of shape \[1,3\] is float32 but the parameters are float64/);
    m.forward(tensor([[1, 2, 3]], f64));
    expect(() => m.backward(tensor([[1, 2, 3]], f64))).toThrow(/Linear\.backward: dupstream of shape \[1,3\] does not match the forward output shape \[1,2\]/);
    expect(() => m.backward(tensor([[1, 2]]))).toThrow(/Linear\.backward: dupstream is float32/);
    expect(() => new manual.Linear(0, 2)).toThrow(/Linear: inFeatures must be a positive integer, got 0/);
    expect(() => new manual.Linear(2, -1)).toThrow(/Linear: outFeatures must be a positive integer, got -1/);
    expect(() => new manual.Linear(2.5, 1)).toThrow(/Linear: inFeatures must be a positive integer, got 2.5/);
    expect(() => m.initParams(-1)).toThrow(/Linear\.initParams: std must be a finite number ≥ 0, got -1/);
  });
});
