import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, Tensor, tensor, zeros } from '@dl/autograd';
import { F, MultiheadAttention, NonDynamicallyQuantizableLinear } from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile, stateFromJSON, type TensorJSON } from '../support/golden.js';

const gold = goldenFile('attention');
const f64 = { dtype: 'float64' } as const;
const leaf = (t: TensorJSON) => fromJSON(t).requiresGrad_(true);

/** Σ out·g (+ Σ w·gw): the projection the fixture backpropagated. */
function project(pairs: [Tensor, TensorJSON][]): Tensor {
  return pairs.map(([t, g]) => t.mul(fromJSON(g)).sum()).reduce((a, b) => a.add(b));
}

describe('F.scaledDotProductAttention matches PyTorch (float64)', () => {
  for (const c of gold.sdpa) {
    it(c.note, () => {
      const [q, k, v] = [leaf(c.q), leaf(c.k), leaf(c.v)];
      const mask = c.mask !== undefined ? leaf(c.mask) : undefined;
      const attnMask = mask ?? (c.allowed !== undefined ? F.maskFromAllowed(fromJSON(c.allowed)) : undefined);
      const out = F.scaledDotProductAttention(q, k, v, { attnMask, ...c.opts });
      expectClose(out, c.out);
      project([[out, c.g]]).backward();
      const inputs = mask === undefined ? [q, k, v] : [q, k, v, mask];
      inputs.forEach((t, i) => expectClose(t.grad!, c.grads[i]));
    });
  }
});

describe('MultiheadAttention matches PyTorch (float64)', () => {
  for (const c of gold.mha) {
    it(c.note, () => {
      const m = new MultiheadAttention(c.E, c.H, { ...c.opts, ...f64 });
      m.loadStateDict(stateFromJSON(c.state));
      expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.state));
      const query = leaf(c.query);
      const [key, value] = c.selfAttn ? [query, query] : [leaf(c.key), leaf(c.value)];
      const [out, w] = m.forward(query, key, value, {
        ...c.fwd,
        keyPaddingMask: c.keyPaddingBlocked !== undefined ? F.maskFromBlocked(fromJSON(c.keyPaddingBlocked)) : undefined,
        attnMask: c.attnMask !== undefined ? fromJSON(c.attnMask) : undefined,
      });
      expectClose(out, c.out);
      if (c.weights === undefined) expect(w).toBeNull();
      else expectClose(w!, c.weights);
      project(w === null ? [[out, c.g]] : [[out, c.g], [w, c.gw]]).backward();
      (c.selfAttn ? [query] : [query, key, value]).forEach((t, i) => expectClose(t.grad!, c.inputGrads[i]));
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.paramGrads));
      for (const [name, g] of Object.entries(c.paramGrads)) expectClose(params[name]!.grad!, g as TensorJSON);
    });
  }
});

describe('F.scaledDotProductAttention behaviour', () => {
  it('a fully masked query row gives zeros and zero gradients, as PyTorch', () => {
    const q = tensor([[1, 2], [3, 4]], { ...f64, requiresGrad: true });
    const k = tensor([[1, 0], [0, 1]], { ...f64, requiresGrad: true });
    const v = tensor([[1, 2], [3, 4]], f64);
    const out = F.scaledDotProductAttention(q, k, v, { attnMask: F.maskFromAllowed(tensor([[0, 0], [1, 1]], f64)) });
    expect(Array.from(out.data.slice(0, 2))).toEqual([0, 0]);
    out.sum().backward();
    expect(Array.from(q.grad!.data.slice(0, 2))).toEqual([0, 0]);
  });

  it('dropout zeroes weights and scales the rest by 1/(1 − p), reproducibly from the generator', () => {
    const q = tensor([[1, 0], [0, 1], [1, 1]], f64);
    const v = tensor([[1], [2], [3]], f64);
    const { weights } = F.scaledDotProductAttentionWithWeights(q, q, v, { dropoutP: 0.5, generator: new Generator(3) });
    const { weights: plain } = F.scaledDotProductAttentionWithWeights(q, q, v);
    for (let i = 0; i < 9; i++) expect([0, 2 * plain.data[i]!]).toContainEqual(weights.data[i]);
    const again = F.scaledDotProductAttentionWithWeights(q, q, v, { dropoutP: 0.5, generator: new Generator(3) });
    expect(Array.from(again.weights.data)).toEqual(Array.from(weights.data));
    expect(Array.from(again.output.data)).toEqual(Array.from(again.weights.matmul(v).data));
  });
});

describe('F.maskFromAllowed / F.maskFromBlocked', () => {
  it('turn 0/1 masks into additive ones and refuse other values', () => {
    expect(F.maskFromAllowed(tensor([1, 0])).toArray()).toEqual([0, -Infinity]);
    expect(F.maskFromBlocked(tensor([1, 0])).toArray()).toEqual([-Infinity, 0]);
    expect(() => F.maskFromAllowed(tensor([1, 0.5]))).toThrow(/maskFromAllowed: expected a 0\/1 mask \(as comparisons return\), got 0.5 at element 1/);
  });
});

/** Random MHA settings: heads, head width, kdim/vdim, layout, masks. */
const arbMha = fc
  .record({
    H: fc.integer({ min: 1, max: 2 }),
    hd: fc.integer({ min: 1, max: 2 }),
    L: fc.integer({ min: 1, max: 3 }),
    S: fc.integer({ min: 1, max: 3 }),
    N: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    kdim: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    vdim: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    batchFirst: fc.boolean(),
    bias: fc.boolean(),
    padding: fc.boolean(),
    causal: fc.boolean(),
    seed: fc.nat(),
  })
  .chain((c) => {
    const E = c.H * c.hd;
    const shape = (n: number, d: number) => (c.N === undefined ? [n, d] : c.batchFirst ? [c.N, n, d] : [n, c.N, d]);
    return fc.tuple(fc.constant({ ...c, E }), arbT(shape(c.L, E)), arbT(shape(c.S, c.kdim ?? E)), arbT(shape(c.S, c.vdim ?? E)));
  });

describe('MultiheadAttention', () => {
  it('gradcheck: inputs and every parameter, with kdim/vdim, layouts, key padding and causal masks', () => {
    fc.assert(
      fc.property(arbMha, ([c, query, key, value]) => {
        const m = new MultiheadAttention(c.E, c.H, { kdim: c.kdim, vdim: c.vdim, batchFirst: c.batchFirst, bias: c.bias, ...f64, generator: new Generator(c.seed) });
        // Pad the last key (never every key of a row: the causal mask keeps key 0).
        const pad = zeros(c.N === undefined ? [c.S] : [c.N, c.S], f64);
        if (c.padding && c.S > 1) for (let i = c.S - 1; i < pad.numel(); i += c.S) pad.data[i] = -Infinity;
        const wrapper = {
          forward: (q: Tensor, k: Tensor, v: Tensor) => m.forward(q, k, v, { keyPaddingMask: pad, isCausal: c.causal, needWeights: false })[0],
          namedParameters: () => m.namedParameters(),
          zeroGrad: () => m.zeroGrad(),
        };
        return moduleGradcheck(wrapper as never, [query, key, value]);
      }),
      { numRuns: 20 },
    );
  });

  it('has PyTorch parameter shapes, keys and init', () => {
    const m = new MultiheadAttention(8, 2, { generator: new Generator(1) });
    expect(Object.entries(m.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['in_proj_weight', [24, 8]], ['in_proj_bias', [24]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]],
    ]);
    const bound = Math.sqrt(6 / (8 + 24)); // xavier-uniform over fanIn 8, fanOut 24
    expect(Array.from(m.in_proj_weight!.data).every((x) => Math.abs(x) <= bound)).toBe(true);
    expect(Math.max(...Array.from(m.in_proj_weight!.data, Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(Array.from(m.in_proj_bias!.data).every((x) => x === 0)).toBe(true);
    expect(Array.from(m.out_proj.bias!.data).every((x) => x === 0)).toBe(true);
    expect(m.out_proj).toBeInstanceOf(NonDynamicallyQuantizableLinear);
    const kv = new MultiheadAttention(4, 2, { kdim: 3, vdim: 5, bias: false });
    expect(Object.entries(kv.stateDict()).map(([k, t]) => [k, t.shape])).toEqual([
      ['q_proj_weight', [4, 4]], ['k_proj_weight', [4, 3]], ['v_proj_weight', [4, 5]], ['out_proj.weight', [4, 4]],
    ]);
    expect(kv.in_proj_weight).toBeNull();
  });

  it('prints as PyTorch', () => {
    expect(new MultiheadAttention(8, 2).toString()).toBe(gold.reprs.mha);
  });

  it('returns weights [N, L, S] averaged or [N, H, L, S] per head; unbatched drops N; rows sum to 1', () => {
    const m = new MultiheadAttention(4, 2, { batchFirst: true, ...f64 });
    const x = new Tensor(Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 4]);
    const [y, w] = m.forward(x, x, x);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(w!.shape).toEqual([2, 3, 3]);
    for (let r = 0; r < 6; r++) expect(Array.from(w!.data.slice(r * 3, r * 3 + 3)).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(m.forward(x, x, x, { averageAttnWeights: false })[1]!.shape).toEqual([2, 2, 3, 3]);
    const x1 = x.slice(0, 0, 1).reshape(3, 4);
    const [y1, w1] = m.forward(x1, x1, x1, { averageAttnWeights: false });
    expect(y1.shape).toEqual([3, 4]);
    expect(w1!.shape).toEqual([2, 3, 3]);
    expectClose(y1, y.slice(0, 0, 1).reshape(3, 4), { atol: 1e-14 });
  });

  it('runs in float32, agreeing with float64 to float32 precision', () => {
    const m32 = new MultiheadAttention(4, 2, { generator: new Generator(9) });
    const m64 = new MultiheadAttention(4, 2, f64);
    m64.loadStateDict(Object.fromEntries(Object.entries(m32.stateDict()).map(([k, t]) => [k, t.to('float64')])));
    const x64 = new Tensor(Float64Array.from({ length: 3 * 2 * 4 }, (_, i) => Math.sin(i)), [3, 2, 4]);
    const [y32] = m32.forward(x64.to('float32'), x64.to('float32'), x64.to('float32'), { isCausal: true });
    const [y64] = m64.forward(x64, x64, x64, { isCausal: true });
    expect(y32.dtype).toBe('float32');
    expectClose(y32.to('float64'), y64, { atol: 1e-6, rtol: 1e-5 });
  });

  it('dropout acts on the weights in training mode only', () => {
    const m = new MultiheadAttention(4, 1, { dropout: 0.5, batchFirst: true, ...f64, generator: new Generator(5) });
    const x = new Tensor(Float64Array.from({ length: 12 }, (_, i) => Math.cos(i)), [1, 3, 4]);
    const w = m.forward(x, x, x)[1]!;
    expect(Array.from(w.data).some((v) => v === 0)).toBe(true);
    m.eval();
    const [y1, w1] = m.forward(x, x, x);
    expect(Array.from(w1!.data).every((v) => v > 0)).toBe(true);
    expect(Array.from(m.forward(x, x, x)[0].data)).toEqual(Array.from(y1.data));
  });

  it('names bad arguments', () => {
    expect(() => new MultiheadAttention(10, 4)).toThrow('MultiheadAttention: embedDim 10 is not divisible by numHeads 4');
    expect(() => new MultiheadAttention(0, 1)).toThrow(/MultiheadAttention: embedDim must be a positive integer, got 0/);
    expect(() => new MultiheadAttention(4, 2, { dropout: 2 })).toThrow(/MultiheadAttention: dropout must be in \[0, 1\], got 2/);
    const m = new MultiheadAttention(4, 2, f64);
    const x = zeros([3, 2, 4], f64);
    expect(() => m.forward(zeros([4], f64), x, x)).toThrow(/expected query to be 2-D \(unbatched\) or 3-D, got shape \[4\]/);
    expect(() => m.forward(x, zeros([3, 4], f64), x)).toThrow(/query, key and value must all be 3-D/);
    expect(() => m.forward(zeros([3, 2, 5], f64), x, x)).toThrow(/expected query with 4 features \(last dim\), got shape \[3,2,5\]/);
    expect(() => m.forward(x, x, x, { attnMask: zeros([3, 2], f64) })).toThrow(/the 2-D attnMask has shape \[3,2\], but should be \[3,3\]/);
    expect(() => m.forward(x, x, x, { attnMask: zeros([2, 3, 3], f64) })).toThrow(/the 3-D attnMask has shape \[2,3,3\], but should be \[4,3,3\]/);
    expect(() => m.forward(x, x, x, { keyPaddingMask: zeros([3, 2], f64) })).toThrow(/expected keyPaddingMask of shape \[2,3\], got \[3,2\]/);
  });
});

describe('F.scaledDotProductAttention errors', () => {
  const q = zeros([2, 3, 4], f64);
  it('names the op and the shapes', () => {
    expect(() => F.scaledDotProductAttention(zeros([4], f64), q, q)).toThrow(/scaledDotProductAttention: query, key and value need at least 2 dims/);
    expect(() => F.scaledDotProductAttention(q, zeros([2, 3, 5], f64), q)).toThrow(/key's last dim 5 does not match query's 4/);
    expect(() => F.scaledDotProductAttention(q, q, zeros([2, 5, 4], f64))).toThrow(/value has 5 positions \(dim -2\) but key has 3/);
    expect(() => F.scaledDotProductAttention(q, zeros([3, 3, 4], f64), q)).toThrow(/batch dims of query \[2,3,4\], key \[3,3,4\] and value \[2,3,4\] do not broadcast/);
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 2], f64) })).toThrow(/attnMask of shape \[3,2\] does not broadcast to the scores' \[..., 3, 3\]/);
    expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 3], f64), isCausal: true })).toThrow(/attnMask should not be set when isCausal is true/);
    expect(() => F.scaledDotProductAttention(q, q, q, { dropoutP: 1.5 })).toThrow(/dropoutP must be in \[0, 1\], got 1.5/);
    expect(() => F.scaledDotProductAttention(q, q, zeros([2, 3, 4]))).toThrow(/scaledDotProductAttention: dtypes float64 and float32 differ/);
  });
});

describe('F.sinusoidalPositionalEncoding', () => {
  it('is sin/cos of pos / 10000^(2i/d), odd widths included', () => {
    const pe = F.sinusoidalPositionalEncoding(5, 7, f64);
    expect(pe.shape).toEqual([5, 7]);
    for (let pos = 0; pos < 5; pos++) {
      for (let j = 0; j < 7; j++) {
        const angle = pos / 10000 ** ((2 * Math.floor(j / 2)) / 7);
        expect(pe.data[pos * 7 + j]).toBeCloseTo(j % 2 === 0 ? Math.sin(angle) : Math.cos(angle), 14);
      }
    }
    expect(F.sinusoidalPositionalEncoding(2, 4).dtype).toBe('float32');
    expect(() => F.sinusoidalPositionalEncoding(2, 0)).toThrow(/sinusoidalPositionalEncoding: dModel must be a positive integer, got 0/);
  });
});
