import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, Tensor, tensor } from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { BatchNorm1d, BatchNorm2d, Linear, ReLU, Sequential, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck, CrossCheckError } from '@dl/nn/testing';
import { fillNormal, seed, size } from './arbitraries.js';
import { expectClose, fromJSON, goldenFile, type TensorJSON } from '../support/golden.js';

const f64 = { dtype: 'float64' } as const;

/** Random γ, β, running statistics (positive variance) and batch count on the manual layer. */
function randomize(m: manual.BatchNorm, s: number): void {
  fillNormal(m.W, s);
  fillNormal(m.b, s + 1);
  fillNormal(m.runningMean, s + 2);
  const g = new Generator(s + 3);
  for (let i = 0; i < m.runningVar.data.length; i++) m.runningVar.data[i] = 0.25 + Math.abs(g.normal());
  m.numBatchesTracked = s % 5;
}

describe('manual.BatchNorm1d / BatchNorm2d agree with nn.BatchNorm1d / nn.BatchNorm2d', () => {
  const arbCase = fc
    .record({
      two: fc.boolean(),
      n: fc.integer({ min: 2, max: 4 }),
      c: size(3),
      rest: fc.array(size(3), { maxLength: 1 }),
      hw: fc.tuple(size(3), size(3)),
      momentum: fc.constantFrom(0.1, 0.5, null),
      eps: fc.constantFrom(1e-5, 1e-3),
      eval: fc.boolean(),
      s: seed,
    })
    .chain((c) => fc.tuple(fc.constant(c), arbTensor(c.two ? [c.n, c.c, ...c.hw] : [c.n, c.c, ...c.rest])));

  it('y, dx, dγ, dβ and the running statistics match autograd in train and eval mode over random shapes', () => {
    fc.assert(
      fc.property(arbCase, ([c, x]) => {
        const opts = { ...f64, momentum: c.momentum, eps: c.eps };
        const m = c.two ? new manual.BatchNorm2d(c.c, opts) : new manual.BatchNorm1d(c.c, opts);
        const twin = c.two ? new BatchNorm2d(c.c, opts) : new BatchNorm1d(c.c, opts);
        randomize(m, c.s);
        if (c.eval) {
          m.eval();
          twin.eval();
        }
        return checkAgainstTwin(m, twin, x, { seed: c.s });
      }),
      { numRuns: 60 },
    );
  });

  it('crossCheck in one line, train and eval mode', () => {
    crossCheck(new manual.BatchNorm1d(3, f64), new BatchNorm1d(3, f64), { inputShape: [4, 3], numRuns: 15 });
    crossCheck(new manual.BatchNorm2d(2, f64).eval(), new BatchNorm2d(2, f64).eval(), { inputShape: [2, 2, 3, 3], numRuns: 15 });
  });

  it('reports running statistics that drift apart, naming the quantity and both values', () => {
    const x = tensor([[1, 2], [3, 7]], f64);
    const err = (() => {
      try {
        checkAgainstTwin(new manual.BatchNorm1d(2, { ...f64, momentum: 0.2 }), new BatchNorm1d(2, f64), x);
      } catch (e) {
        return e as CrossCheckError;
      }
      throw new Error('expected a CrossCheckError');
    })();
    expect(err).toBeInstanceOf(CrossCheckError);
    expect(err.quantity).toBe('runningMean of layer BatchNorm1d 0');
    expect([err.manual, err.autograd]).toEqual([0.4, 0.2]);
  });

  it('inside a net: Linear → BatchNorm1d → ReLU → Linear matches the Sequential twin', () => {
    const arb = fc.tuple(fc.integer({ min: 2, max: 4 }), seed).chain(([n, s]) => fc.tuple(fc.constant(s), arbTensor([n, 3])));
    fc.assert(
      fc.property(arb, ([s, x]) => {
        const g = new Generator(s);
        const net = new manual.Net([new manual.Linear(3, 4, { ...f64, generator: g }), new manual.BatchNorm1d(4, f64), new manual.ReLU(), new manual.Linear(4, 2, { ...f64, generator: g })]);
        randomize(net.layers[1] as manual.BatchNorm, s);
        const twin = new Sequential(new Linear(3, 4, f64), new BatchNorm1d(4, f64), new ReLU(), new Linear(4, 2, f64));
        return checkAgainstTwin(net, twin, x, { seed: s });
      }),
      { numRuns: 25 },
    );
  });
});

interface Step {
  x: TensorJSON;
  g: TensorJSON;
  y: TensorJSON;
  dx: TensorJSON;
  grads: Record<string, TensorJSON>;
  state: Record<string, TensorJSON>;
}
interface Case {
  kind: string;
  numFeatures: number;
  options: { momentum?: number | null; eps?: number; affine?: boolean; bias?: boolean; trackRunningStats?: boolean };
  state: Record<string, TensorJSON>;
  train: Step[];
  eval: Step;
}

describe('manual.BatchNorm known values (PyTorch float64, fixtures/normalization.json)', () => {
  const cases = (goldenFile('normalization').batchNorm as Case[]).filter((c) => c.options.affine !== false && c.options.bias !== false && c.options.trackRunningStats !== false);

  it.each(cases.map((c) => [`${c.kind} ${JSON.stringify(c.options)}`, c] as const))('%s: three train steps, then eval', (_n, c) => {
    const m = c.kind === 'BatchNorm2d' ? new manual.BatchNorm2d(c.numFeatures, { ...f64, ...c.options }) : new manual.BatchNorm1d(c.numFeatures, { ...f64, ...c.options });
    m.W.data.set(c.state.weight!.data);
    m.b.data.set(c.state.bias!.data);
    const run = (s: Step) => {
      expectClose(m.forward(fromJSON(s.x)), s.y);
      expectClose(m.backward(fromJSON(s.g)), s.dx);
      expectClose(m.dgamma!, s.grads.weight!);
      expectClose(m.dbeta!, s.grads.bias!);
      expectClose(m.runningMean, s.state.running_mean!);
      expectClose(m.runningVar, s.state.running_var!);
      expect(m.numBatchesTracked).toBe(s.state.num_batches_tracked!.data[0]);
    };
    c.train.forEach(run);
    run(c.eval.x && (m.eval(), c.eval));
  });
});

describe('manual.BatchNorm behaviour and errors', () => {
  it('gamma/beta alias W/b; initParams resets parameters, statistics and gradients', () => {
    const m = new manual.BatchNorm1d(2, f64);
    expect(m.gamma).toBe(m.W);
    expect(m.beta).toBe(m.b);
    m.forward(tensor([[1, 2], [3, 5]], f64));
    m.backward(tensor([[1, 0], [0, 1]], f64));
    expect(m.dgamma).toBe(m.dW);
    expect(m.numBatchesTracked).toBe(1);
    m.initParams();
    expect([m.numBatchesTracked, m.dW, m.db]).toEqual([0, null, null]);
    expect(Array.from(m.runningVar.data)).toEqual([1, 1]);
  });

  it('runs off the tape and keeps float32', () => {
    const m = new manual.BatchNorm1d(2);
    const y = m.forward(tensor([[1, 2], [3, 5]], { requiresGrad: true }));
    expect(y.requiresGrad).toBe(false);
    expect(y.dtype).toBe('float32');
    expect(m.backward(tensor([[1, 0], [0, 1]])).dtype).toBe('float32');
  });

  it('names the layer and the shapes', () => {
    const m = new manual.BatchNorm1d(4, f64);
    expect(() => m.backward(tensor([[1, 2, 3, 4]], f64))).toThrow(/^BatchNorm1d\.backward: called before forward/);
    expect(() => m.forward(new Tensor(new Float64Array(120), [2, 3, 4, 5]))).toThrow(/^BatchNorm1d: expected a 2-D or 3-D input \[N, C\] or \[N, C, L\], got shape \[2,3,4,5\]$/);
    expect(() => new manual.BatchNorm2d(4, f64).forward(new Tensor(new Float64Array(120), [2, 3, 4, 5]))).toThrow(/^BatchNorm2d: input has 3 channels, expected numFeatures 4/);
    expect(() => m.forward(tensor([[1, 2, 3, 4]], f64))).toThrow(/^BatchNorm1d: expected more than 1 value per channel when training, got input shape \[1,4\]$/);
    expect(() => m.forward(tensor([[1, 2, 3, 4], [1, 2, 3, 4]]))).toThrow(/^BatchNorm1d: input of shape \[2,4\] is float32 but the parameters are float64$/);
    m.forward(tensor([[1, 2, 3, 4], [0, 0, 0, 0]], f64));
    expect(() => m.backward(tensor([[1, 2, 3]], f64))).toThrow(/^BatchNorm1d\.backward: dupstream of shape \[1,3\] does not match the forward output shape \[2,4\]$/);
    expect(() => new manual.BatchNorm1d(0)).toThrow(/^BatchNorm1d: numFeatures must be a positive integer, got 0$/);
    expect(() => new manual.BatchNorm1d(2, { momentum: 2 })).toThrow(/^BatchNorm1d: momentum must be in \[0, 1\] or null, got 2$/);
    expect(() => checkAgainstTwin(new manual.BatchNorm1d(2, f64), new BatchNorm1d(2, { ...f64, trackRunningStats: false }), tensor([[1, 2], [3, 4]], f64)))
      .toThrow(/crossCheck: layer 0 \(BatchNorm1d\) keeps running statistics but its twin does not/);
  });
});
