import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, mul, sum, tensor, zeros, type Tensor } from '@dl/autograd';
import { GRU, GRUCell, LSTM, LSTMCell, Module, RNN, RNNCell } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile, stateFromJSON, type TensorJSON } from '../support/golden.js';

const fixture = goldenFile('recurrent');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function build(c: any): Module {
  const o = c.options;
  const opts = {
    dtype: 'float64' as const, numLayers: o.num_layers, bias: o.bias, batchFirst: o.batch_first,
    bidirectional: o.bidirectional, nonlinearity: o.nonlinearity,
  };
  const ctor = { LSTM, GRU, RNN, LSTMCell, GRUCell, RNNCell }[c.kind as 'LSTM'];
  return new ctor(c.inputSize, c.hiddenSize, opts);
}

/** A module whose forward is `f` over `inner` (so moduleGradcheck sees inner's parameters and one output). */
class Probe extends Module {
  constructor(readonly inner: Module, readonly f: (...xs: Tensor[]) => Tensor) {
    super();
  }
  forward(...xs: Tensor[]): Tensor {
    return this.f(...xs);
  }
}

const leaf = (t: TensorJSON) => fromJSON(t).requiresGrad_(true);
const weighted = (ys: Tensor[], ws: TensorJSON[]) => ys.map((y, i) => sum(mul(y, fromJSON(ws[i]!)))).reduce((a, b) => a.add(b));

describe('RNN, LSTM, GRU against PyTorch', () => {
  (fixture.layers as any[]).forEach((c, i) => it(`case ${i} (${c.kind}): outputs, final states, dx, dh0 and every parameter gradient`, () => {
    const m = build(c);
    expect(Object.keys(m.stateDict())).toEqual(c.keys);
    m.loadStateDict(stateFromJSON(c.state));
    const x = leaf(c.x);
    const states = c.states.map(leaf);
    const hx = states.length === 0 ? undefined : c.kind === 'LSTM' ? [states[0], states[1]] : states[0];
    const opts = c.lengths === null ? {} : { lengths: c.lengths };
    const [out, hN] = (m as LSTM).forward(x, hx, opts);
    const finals: Tensor[] = c.kind === 'LSTM' ? [...(hN as unknown as Tensor[])] : [hN as unknown as Tensor];
    expectClose(out, c.output);
    finals.forEach((f, i) => expectClose(f, c.finals[i]));
    weighted([out, ...finals], c.weights).backward();
    expectClose(x.grad!, c.dx);
    states.forEach((s: Tensor, i: number) => expectClose(s.grad!, c.dstates[i]));
    for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.grads[name]);
  }));

  (fixture.cells as any[]).forEach((c, i) => it(`cell case ${i} (${c.kind}): outputs and every gradient`, () => {
    const m = build(c);
    expect(Object.keys(m.stateDict())).toEqual(c.keys);
    m.loadStateDict(stateFromJSON(c.state));
    const x = leaf(c.x);
    const states = c.states.map(leaf);
    const hx = states.length === 0 ? undefined : c.kind === 'LSTMCell' ? [states[0], states[1]] : states[0];
    const res = (m as LSTMCell).forward(x, hx);
    const finals: Tensor[] = c.kind === 'LSTMCell' ? res : [res as unknown as Tensor];
    finals.forEach((f, i) => expectClose(f, c.finals[i]));
    weighted(finals, c.weights).backward();
    expectClose(x.grad!, c.dx);
    states.forEach((s: Tensor, i: number) => expectClose(s.grad!, c.dstates[i]));
    for (const [name, p] of m.namedParameters()) expectClose(p.grad!, c.grads[name]);
  }));

  it('prints as PyTorch', () => {
    for (const [{ kind, args, options }, want] of fixture.repr) {
      const ctor = { LSTM, GRU, RNN, LSTMCell, GRUCell, RNNCell } as Record<string, new (...a: any[]) => Module>;
      if (kind === 'Embedding') continue;
      expect(new ctor[kind]!(...args, options).toString()).toBe(want);
    }
  });
});

describe('recurrent layers: gradcheck over random settings (float64, property)', () => {
  const settings = fc.record({
    kind: fc.constantFrom('LSTM', 'GRU', 'RNN'),
    inF: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 3 }),
    T: fc.integer({ min: 1, max: 3 }),
    N: fc.integer({ min: 1, max: 2 }),
    numLayers: fc.integer({ min: 1, max: 2 }),
    bidirectional: fc.boolean(),
    batchFirst: fc.boolean(),
    bias: fc.boolean(),
    ragged: fc.boolean(),
    seed: fc.nat(),
  });
  it('input, initial states and every parameter', () => {
    fc.assert(
      fc.property(
        settings.chain((s) => {
          const LD = s.numLayers * (s.bidirectional ? 2 : 1);
          return fc.record({
            s: fc.constant(s),
            x: arbT(s.batchFirst ? [s.N, s.T, s.inF] : [s.T, s.N, s.inF], { min: -2, max: 2 }),
            h0: arbT([LD, s.N, s.H], { min: -1, max: 1 }),
            c0: arbT([LD, s.N, s.H], { min: -1, max: 1 }),
            lengths: fc.array(fc.integer({ min: 1, max: s.T }), { minLength: s.N, maxLength: s.N }),
          });
        }),
        ({ s, x, h0, c0, lengths }) => {
          const opts = { numLayers: s.numLayers, bidirectional: s.bidirectional, batchFirst: s.batchFirst, bias: s.bias, dtype: 'float64' as const, generator: new Generator(s.seed) };
          const fwd = s.ragged ? { lengths } : {};
          if (s.kind === 'LSTM') {
            const m = new LSTM(s.inF, s.H, opts);
            const probe = new Probe(m, (xi, hi, ci) => {
              const [o, [h, c]] = m.forward(xi!, [hi!, ci!], fwd);
              return o.reshape(-1).add(sum(h)).add(sum(mul(c, c)));
            });
            return moduleGradcheck(probe, [x, h0, c0]);
          }
          const m = s.kind === 'GRU' ? new GRU(s.inF, s.H, opts) : new RNN(s.inF, s.H, opts);
          const probe = new Probe(m, (xi, hi) => {
            const [o, h] = m.forward(xi!, hi!, fwd);
            return o.reshape(-1).add(sum(mul(h, h)));
          });
          return moduleGradcheck(probe, [x, h0]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('cells: input, state and every parameter', () => {
    const arb = fc.record({ kind: fc.constantFrom('LSTMCell', 'GRUCell', 'RNNCell'), inF: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 3 }), bias: fc.boolean(), seed: fc.nat() })
      .chain((s) => fc.record({ s: fc.constant(s), x: arbT([s.N, s.inF]), h: arbT([s.N, s.H], { min: -1, max: 1 }), c: arbT([s.N, s.H], { min: -1, max: 1 }) }));
    fc.assert(
      fc.property(arb, ({ s, x, h, c }) => {
        const opts = { bias: s.bias, dtype: 'float64' as const, generator: new Generator(s.seed) };
        if (s.kind === 'LSTMCell') {
          const m = new LSTMCell(s.inF, s.H, opts);
          const probe = new Probe(m, (xi, hi, ci) => {
            const [h2, c2] = m.forward(xi!, [hi!, ci!]);
            return h2.add(mul(c2, 2));
          });
          return moduleGradcheck(probe, [x, h, c]);
        }
        const m = s.kind === 'GRUCell' ? new GRUCell(s.inF, s.H, opts) : new RNNCell(s.inF, s.H, opts);
        return moduleGradcheck(m, [x, h]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('recurrent layers: behaviour', () => {
  it('state-dict keys and order are PyTorch\'s; parameters start in U(±1/√hidden)', () => {
    const m = new LSTM(3, 4, { numLayers: 2, bidirectional: true, generator: new Generator(0) });
    expect(Object.keys(m.stateDict())).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1', 'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    expect(m.stateDict().weight_ih_l1!.shape).toEqual([16, 8]);
    for (const p of m.parameters()) expect(Math.max(...Array.from(p.data, Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Object.keys(new GRUCell(2, 3, { bias: false }).stateDict())).toEqual(['weight_ih', 'weight_hh']);
  });

  it('dropout acts between layers in training only', () => {
    const m = new GRU(3, 4, { numLayers: 2, dropout: 0.5, generator: new Generator(1) });
    const x = tensor(Array.from({ length: 24 }, (_, i) => Math.sin(i)), { shape: [4, 2, 3] });
    const [a] = m.forward(x);
    const [b] = m.forward(x);
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
    m.eval();
    expect(Array.from(m.forward(x)[0].data)).toEqual(Array.from(m.forward(x)[0].data));
  });

  it('unbatched and batchFirst inputs give the time-major results', () => {
    const m = new LSTM(2, 3, { generator: new Generator(2), dtype: 'float64' });
    const x = tensor([[[0.1, 0.2]], [[0.3, -0.4]], [[0.5, 0.6]]], { dtype: 'float64' });
    const [o1, [h1]] = m.forward(x);
    const [o2, [h2]] = m.forward(x.reshape(3, 2));
    expect(o2.shape).toEqual([3, 3]);
    expect(h2.shape).toEqual([1, 3]);
    expectClose(o2.reshape(3, 1, 3), o1);
    expectClose(h2.reshape(1, 1, 3), h1);
  });

  it('errors name the layer and the shapes', () => {
    const m = new LSTM(4, 20, { numLayers: 2 });
    expect(() => m.forward(zeros([5, 3, 7]))).toThrow(/^LSTM: input of size 7 at the last dim, expected inputSize 4$/);
    expect(() => m.forward(zeros([5, 3, 4]), [zeros([1, 3, 20]), zeros([2, 3, 20])])).toThrow(/^LSTM: h0 must have shape \[2,3,20\], got \[1,3,20\]$/);
    expect(() => m.forward(zeros([5, 3, 4]), [zeros([2, 3, 20]), zeros([2, 3, 2])])).toThrow(/^LSTM: c0 must have shape \[2,3,20\], got \[2,3,2\]$/);
    expect(() => m.forward(zeros([4]))).toThrow(/LSTM: expected a 2-D \(unbatched\) or 3-D \(batched\) input, got shape \[4\]/);
    expect(() => m.forward(zeros([5, 3, 4]), undefined, { lengths: [5, 0, 2] })).toThrow(/LSTM: lengths\[1\] = 0 must be an integer in \[1, 5\]/);
    expect(() => m.forward(zeros([5, 3, 4]), undefined, { lengths: [5, 2] })).toThrow(/LSTM: lengths has 2 entries, expected one per sequence \(3\)/);
    expect(() => new GRU(3, 4).forward(zeros([2, 1, 3]), zeros([2, 1, 4]))).toThrow(/GRU: hx must have shape \[1,1,4\], got \[2,1,4\]/);
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow(/RNN: nonlinearity must be 'tanh' or 'relu', got "sigmoid"/);
    expect(() => new RNNCell(3, 4).forward(zeros([2, 5]))).toThrow(/RNNCell: input of size 5 at the last dim, expected inputSize 3/);
    expect(() => new LSTMCell(3, 4).forward(zeros([2, 3]), [zeros([2, 4]), zeros([2, 5])])).toThrow(/LSTMCell: c must have shape \[2,4\], got \[2,5\]/);
    expect(() => new LSTM(0, 3)).toThrow(/LSTM: inputSize must be a positive integer, got 0/);
  });
});
