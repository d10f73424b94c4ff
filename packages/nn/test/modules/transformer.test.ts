import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, Tensor, zeros } from '@dl/autograd';
import { F, LayerNorm, TransformerEncoder, TransformerEncoderLayer } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile, stateFromJSON, type TensorJSON } from '../support/golden.js';

const gold = goldenFile('attention');
const f64 = { dtype: 'float64' } as const;

function expectParamGrads(m: { namedParameters(): [string, Tensor][] }, grads: Record<string, TensorJSON>): void {
  const params = Object.fromEntries(m.namedParameters());
  expect(Object.keys(params)).toEqual(Object.keys(grads));
  for (const [name, g] of Object.entries(grads)) expectClose(params[name]!.grad!, g);
}

describe('TransformerEncoderLayer matches PyTorch (float64, train mode, dropout 0)', () => {
  for (const c of gold.encoderLayers) {
    it(c.note, () => {
      const layer = new TransformerEncoderLayer(8, 2, { ...c.opts, dimFeedforward: 12, dropout: 0, ...f64 });
      expect(Object.keys(layer.stateDict())).toEqual(Object.keys(c.state));
      layer.loadStateDict(stateFromJSON(c.state));
      const src = fromJSON(c.src).requiresGrad_(true);
      const S = src.shape[c.opts.batchFirst ? 1 : 0]!;
      const out = layer.forward(src, {
        srcKeyPaddingMask: c.keyPaddingBlocked !== undefined ? F.maskFromBlocked(fromJSON(c.keyPaddingBlocked)) : undefined,
        srcMask: c.isCausal ? TransformerEncoder.generateSquareSubsequentMask(S, f64) : undefined,
        isCausal: c.isCausal ?? false,
      });
      expectClose(out, c.out);
      out.mul(fromJSON(c.g)).sum().backward();
      expectClose(src.grad!, c.srcGrad);
      expectParamGrads(layer, c.paramGrads);
    });
  }
});

describe('TransformerEncoder matches PyTorch (float64)', () => {
  const c = gold.encoder;
  it('two layers and a final LayerNorm, causal: output, input and parameter gradients; keys in order', () => {
    const enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 12, dropout: 0, ...f64 }), 2, { norm: new LayerNorm(8, f64) });
    expect(Object.keys(enc.stateDict())).toEqual(c.keys);
    enc.loadStateDict(stateFromJSON(c.state));
    const src = fromJSON(c.src).requiresGrad_(true);
    const out = enc.forward(src, { mask: TransformerEncoder.generateSquareSubsequentMask(4, f64), isCausal: true });
    expectClose(out, c.out);
    out.mul(fromJSON(c.g)).sum().backward();
    expectClose(src.grad!, c.srcGrad);
    expectParamGrads(enc, c.paramGrads);
  });

  it('prints as PyTorch', () => {
    const enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, { dimFeedforward: 12, dropout: 0 }), 2, { norm: new LayerNorm(8) });
    expect(enc.toString()).toBe(c.repr);
    expect(new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }).toString()).toBe(gold.reprs.encoderLayer);
  });

  it('its layers start as copies of the given layer and then train apart', () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 6, generator: new Generator(2) });
    const enc = new TransformerEncoder(layer, 3);
    const [a, b] = [enc.layers.at(0), enc.layers.at(2)];
    expect(a).not.toBe(layer);
    expect(Array.from(a.linear1.weight.data)).toEqual(Array.from(layer.linear1.weight.data));
    expect(Array.from(b.self_attn.in_proj_weight!.data)).toEqual(Array.from(layer.self_attn.in_proj_weight!.data));
    a.linear1.weight.data[0] = 42;
    expect(b.linear1.weight.data[0]).not.toBe(42);
    expect(enc.parameters().length).toBe(3 * layer.parameters().length);
  });

  it('generateSquareSubsequentMask is 0 on and below the diagonal, −∞ above', () => {
    expect(TransformerEncoder.generateSquareSubsequentMask(3).toArray()).toEqual([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
  });
});

const arbLayer = fc
  .record({
    S: fc.integer({ min: 1, max: 3 }),
    N: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    H: fc.integer({ min: 1, max: 2 }),
    hd: fc.integer({ min: 1, max: 2 }),
    ff: fc.integer({ min: 1, max: 3 }),
    normFirst: fc.boolean(),
    batchFirst: fc.boolean(),
    activation: fc.constantFrom<'relu' | 'gelu'>('relu', 'gelu'),
    causal: fc.boolean(),
    seed: fc.nat(),
  })
  .chain((c) => {
    const E = c.H * c.hd;
    const shape = c.N === undefined ? [c.S, E] : c.batchFirst ? [c.N, c.S, E] : [c.S, c.N, E];
    return fc.tuple(fc.constant({ ...c, E }), arbT(shape));
  });

describe('TransformerEncoderLayer', () => {
  it('gradcheck: input and every parameter, pre- and post-norm, both activations, causal or not', () => {
    fc.assert(
      fc.property(arbLayer, ([c, x]) => {
        const layer = new TransformerEncoderLayer(c.E, c.H, {
          dimFeedforward: c.ff, dropout: 0, normFirst: c.normFirst, batchFirst: c.batchFirst, activation: c.activation, ...f64, generator: new Generator(c.seed),
        });
        // Keep relu away from its kink: skip samples where an input of the activation is within 1e-3 of 0.
        if (c.activation === 'relu') {
          let nearKink = false;
          const linear1 = layer.linear1.forward.bind(layer.linear1);
          layer.linear1.forward = (t: Tensor) => {
            const h = linear1(t);
            nearKink ||= Array.from(h.data).some((v) => Math.abs(v) < 1e-3);
            return h;
          };
          layer.forward(x, { isCausal: c.causal });
          if (nearKink) return true;
        }
        // Keep LayerNorm away from its singular point: skip samples where a normalised row has almost no
        // spread (with E = 2 its gradient then runs to ~1e4 and finite differences lose their accuracy).
        let flat = false;
        for (const norm of [layer.norm1, layer.norm2]) {
          const f = norm.forward.bind(norm);
          norm.forward = (t: Tensor) => {
            const E = t.shape[t.ndim - 1]!;
            // One feature normalises to a constant: nothing singular there.
            for (let r = 0; E > 1 && r < t.numel(); r += E) {
              const row = Array.from(t.data.subarray(r, r + E));
              const mean = row.reduce((a, v) => a + v, 0) / E;
              flat ||= row.reduce((a, v) => a + (v - mean) ** 2, 0) / E < 1e-2;
            }
            return f(t);
          };
        }
        layer.forward(x, { isCausal: c.causal });
        if (flat) return true;
        const wrapper = {
          forward: (s: Tensor) => layer.forward(s, { isCausal: c.causal }),
          namedParameters: () => layer.namedParameters(),
          zeroGrad: () => layer.zeroGrad(),
        };
        return moduleGradcheck(wrapper as never, [x]);
      }),
      { numRuns: 15 },
    );
  });

  it('accepts an activation function, and dropout is off in eval mode', () => {
    const layer = new TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.5, activation: (t) => t.tanh(), ...f64, generator: new Generator(4) });
    const x = new Tensor(Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [3, 2, 4]);
    expect(layer.forward(x).shape).toEqual([3, 2, 4]);
    layer.eval();
    expect(Array.from(layer.forward(x).data)).toEqual(Array.from(layer.forward(x).data));
  });

  it('names bad arguments', () => {
    expect(() => new TransformerEncoderLayer(10, 4)).toThrow('TransformerEncoderLayer: embedDim 10 is not divisible by numHeads 4');
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'tanh' as never })).toThrow(/TransformerEncoderLayer: activation should be 'relu' or 'gelu' or a function, got "tanh"/);
    expect(() => new TransformerEncoderLayer(8, 2, { dropout: -1 })).toThrow(/TransformerEncoderLayer: dropout must be in \[0, 1\], got -1/);
    expect(() => new TransformerEncoder(new TransformerEncoderLayer(8, 2), 0)).toThrow(/TransformerEncoder: numLayers must be a positive integer, got 0/);
    expect(() => new TransformerEncoder(zeros([2]) as never, 1)).toThrow(/TransformerEncoder: encoderLayer must be a TransformerEncoderLayer/);
  });
});
