import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, Tensor, tensor } from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { Linear, Sequential, Sigmoid, TorchNet, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { allClose, fillNormal, seed, size } from './arbitraries.js';

const f64 = { dtype: 'float64' } as const;

/** The manual twin of TorchNet(inF, hidden, outF), with parameters drawn from `s`. */
function mlp(inF: number, hidden: number, outF: number, s: number): manual.Net {
  const g = new Generator(s);
  return new manual.Net([new manual.Linear(inF, hidden, { ...f64, generator: g }), new manual.ReLU(), new manual.Linear(hidden, outF, { ...f64, generator: g })]);
}

const arbNet = fc
  .record({ inF: size(4), hidden: size(5), outF: size(3), batch: size(3), s: seed })
  .chain((c) => fc.tuple(fc.constant(c), arbTensor([c.batch, c.inF])));

/** One plain SGD step on every parameter of the twin: p −= lr·p.grad. */
function sgdStep(twin: TorchNet | Sequential, lr: number): void {
  for (const p of twin.parameters()) {
    const g = p.grad!.data;
    for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i]! - lr * g[i]!;
  }
}

/** Whether every manual parameter equals its twin's (transposing Linear weights). */
function sameParams(net: manual.Net, twin: TorchNet | Sequential): boolean {
  return manual.pairWithTwin(net, twin).every((p) =>
    allClose(p.manual.W.data, manual.toManualLayout(p, p.twin.weight).data, 1e-12) && allClose(p.manual.b.data, p.twin.bias.data, 1e-12));
}

describe('manual.Net agrees with TorchNet', () => {
  it('output, dx and every dW, db match autograd for random sizes and values', () => {
    fc.assert(
      fc.property(arbNet, ([c, x]) => checkAgainstTwin(mlp(c.inF, c.hidden, c.outF, c.s), new TorchNet(c.inF, c.hidden, c.outF, f64), x, { seed: c.s })),
      { numRuns: 40 },
    );
  });

  it('a sigmoid net agrees with the same Sequential', () => {
    const net = new manual.Net([new manual.Linear(3, 4, f64), new manual.Sigmoid(), new manual.Linear(4, 2, f64)]);
    crossCheck(net, new Sequential(new Linear(3, 4, f64), new Sigmoid(), new Linear(4, 2, f64)), { numRuns: 25 });
  });

  it('one optimizerStep(lr) equals one SGD step on the twin, and they stay equal over three steps', () => {
    fc.assert(
      fc.property(arbNet, fc.double({ min: 1e-3, max: 1, noNaN: true }), ([c, x], lr) => {
        const net = mlp(c.inF, c.hidden, c.outF, c.s);
        const twin = new TorchNet(c.inF, c.hidden, c.outF, f64);
        manual.copyToTwin(net, twin);
        const g = new Generator(c.s);
        for (let step = 0; step < 3; step++) {
          const y = net.forward(x);
          const dy = fillNormal(new Tensor(new Float64Array(y.numel()), y.shape), g.integer(0, 1e9));
          net.backward(dy);
          twin.zeroGrad();
          twin.forward(x).backward(dy);
          net.optimizerStep(lr);
          sgdStep(twin, lr);
          if (!sameParams(net, twin)) return false;
        }
        return true;
      }),
      { numRuns: 30 },
    );
  });
});

describe('manual.Net known values', () => {
  it('chains forward and backward through Linear, ReLU, Linear', () => {
    const l1 = new manual.Linear(2, 2, f64);
    l1.W.data.set([1, 0, 0, 1]);
    l1.b.data.set([-1, 1]);
    const l2 = new manual.Linear(2, 1, f64);
    l2.W.data.set([1, 2]);
    l2.b.data.set([0]);
    const net = new manual.Net([l1, new manual.ReLU(), l2]);
    expect(net.forward(tensor([[3, -4]], f64)).toArray()).toEqual([[2]]); // h = [2, -3] → relu [2, 0] → 2
    expect(net.backward(tensor([[1]], f64)).toArray()).toEqual([[1, 0]]);
    expect(l2.dW!.toArray()).toEqual([[2], [0]]);
    expect(l1.dW!.toArray()).toEqual([[3, 0], [-4, 0]]);
    expect(l1.db!.toArray()).toEqual([1, 0]);
    net.optimizerStep(0.5);
    expect(Array.from(l1.W.data)).toEqual([-0.5, 0, 2, 1]);
    expect(Array.from(l1.b.data)).toEqual([-1.5, 1]);
    expect(Array.from(l2.W.data)).toEqual([0, 2]);
  });

  it('resetParams re-draws every layer with parameters and clears their gradients', () => {
    const net = mlp(2, 3, 1, 0);
    net.forward(tensor([[1, 2]], f64));
    net.backward(tensor([[1]], f64));
    net.resetParams(0);
    for (const l of net.paramLayers()) {
      expect(Array.from(l.W.data).every((v) => v === 0)).toBe(true);
      expect(Array.from(l.b.data).every((v) => v >= 0 && v < 1)).toBe(true);
      expect(l.dW).toBeNull();
    }
    net.resetParams();
    expect(Array.from(net.paramLayers()[0]!.W.data).some((v) => v !== 0)).toBe(true);
  });

  it('nested nets are stepped and reset through', () => {
    const inner = new manual.Net([new manual.Linear(1, 1, f64)]);
    const net = new manual.Net([inner, new manual.ReLU()]);
    const w = inner.paramLayers()[0]!;
    w.W.data.set([1]);
    w.b.data.set([1]);
    expect(net.paramLayers()).toEqual([w]);
    net.forward(tensor([[2]], f64));
    net.backward(tensor([[1]], f64));
    net.optimizerStep(1);
    expect([w.W.item(), w.b.item()]).toEqual([-1, 0]);
  });
});

describe('manual.Net errors', () => {
  it('names the layer and what is missing', () => {
    const net = mlp(2, 2, 1, 0);
    expect(() => net.optimizerStep(0.1)).toThrow(/Net\.optimizerStep: Linear \(layer 0 with parameters\) has no gradients; call backward first/);
    expect(() => net.optimizerStep(NaN)).toThrow(/Net\.optimizerStep: lr must be a finite number, got NaN/);
    expect(() => net.forward(tensor([[1, 2, 3]], f64))).toThrow(/Linear: expected input with 2 features in its last dim, got shape \[1,3\]/);
    expect(() => net.backward(tensor([[1]], f64))).toThrow(/Linear\.backward: called before forward/);
    expect(() => new manual.Net([new manual.ReLU(), {} as manual.ManualLayer])).toThrow(/Net: layer 1 has no forward\/backward methods/);
  });
});
