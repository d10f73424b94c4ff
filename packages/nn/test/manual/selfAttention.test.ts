import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, Tensor, markModified, tensor } from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { MultiheadAttention, manual } from '@dl/nn';
import { allClose, fillNormal, seed, size } from './arbitraries.js';

const f64 = { dtype: 'float64' } as const;

/** Writes the manual layer's parameters into a one-head MultiheadAttention (weights transposed: x·W vs x·Wᵀ). */
function copyToMha(m: manual.SelfAttention, mha: MultiheadAttention): void {
  const d = m.dModel;
  const w = mha.in_proj_weight!.data;
  [m.Wq, m.Wk, m.Wv].forEach((W, part) => {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) w[part * d * d + j * d + i] = W.data[i * d + j]!;
  });
  mha.in_proj_bias!.data.set([...m.bq.data, ...m.bk.data, ...m.bv.data]);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) mha.out_proj.weight.data[j * d + i] = m.Wo.data[i * d + j]!;
  mha.out_proj.bias!.data.set(m.bo.data);
  for (const p of mha.parameters()) markModified(p);
}

/** The transpose of a [d, d] tensor (a twin's weight gradient in the manual layout). */
function t2(x: Tensor, d: number, offset = 0): Float64Array {
  return Float64Array.from({ length: d * d }, (_, k) => x.data[offset + (k % d) * d + Math.floor(k / d)]!);
}

const arbCase = fc
  .record({ d: size(4), T: size(4), batch: fc.option(size(3), { nil: undefined }), causal: fc.boolean(), s: seed })
  .chain((c) => fc.tuple(fc.constant(c), arbTensor(c.batch === undefined ? [c.T, c.d] : [c.batch, c.T, c.d]), arbTensor(c.batch === undefined ? [c.T, c.d] : [c.batch, c.T, c.d])));

describe('manual.SelfAttention agrees with MultiheadAttention(d, 1, { batchFirst: true })', () => {
  it('the output, dx and all eight parameter gradients, over random sizes, batches and causal masks', () => {
    fc.assert(
      fc.property(arbCase, ([{ d, causal, s }, x, dy]) => {
        const m = new manual.SelfAttention(d, { causal, ...f64, generator: new Generator(s) });
        for (const [i, b] of [m.bq, m.bk, m.bv, m.bo].entries()) fillNormal(b, s + i + 1);
        const mha = new MultiheadAttention(d, 1, { batchFirst: true, ...f64 });
        copyToMha(m, mha);

        const y = m.forward(x);
        const dx = m.backward(dy);
        const leaf = x.detach().clone().requiresGrad_(true);
        const [yTwin] = mha.forward(leaf, leaf, leaf, { isCausal: causal, needWeights: false });
        yTwin.backward(dy);

        const tol = 1e-10;
        expect(allClose(y.data, yTwin.data, tol), 'y').toBe(true);
        expect(allClose(dx.data, leaf.grad!.data, tol), 'dx').toBe(true);
        const inW = mha.in_proj_weight!.grad!;
        const inB = mha.in_proj_bias!.grad!.data;
        [m.dWq, m.dWk, m.dWv].forEach((dW, part) => expect(allClose(dW!.data, t2(inW, d, part * d * d), tol), `dW ${part}`).toBe(true));
        [m.dbq, m.dbk, m.dbv].forEach((db, part) => expect(allClose(db!.data, inB.subarray(part * d, (part + 1) * d), tol), `db ${part}`).toBe(true));
        expect(allClose(m.dWo!.data, t2(mha.out_proj.weight.grad!, d), tol), 'dWo').toBe(true);
        expect(allClose(m.dbo!.data, mha.out_proj.bias!.grad!.data, tol), 'dbo').toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('manual.SelfAttention', () => {
  it('causal: the first position attends only to itself, so its output is its own value projected', () => {
    const m = new manual.SelfAttention(2, { causal: true, ...f64, generator: new Generator(1) });
    const x = tensor([[1, 2], [3, -1], [0.5, 0.5]], f64);
    const y = m.forward(x);
    const v0 = [0, 1].map((j) => x.data[0]! * m.Wv.data[j]! + x.data[1]! * m.Wv.data[2 + j]! + m.bv.data[j]!);
    const y0 = [0, 1].map((j) => v0[0]! * m.Wo.data[j]! + v0[1]! * m.Wo.data[2 + j]! + m.bo.data[j]!);
    expect(y.data[0]).toBeCloseTo(y0[0]!, 14);
    expect(y.data[1]).toBeCloseTo(y0[1]!, 14);
  });

  it('initParams draws N(0, 1/d) weights, zero biases, and clears gradients', () => {
    const m = new manual.SelfAttention(40, { ...f64, generator: new Generator(3) });
    const w = Array.from(m.Wq.data);
    const sd = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(Math.abs(sd - 1 / Math.sqrt(40))).toBeLessThan(0.01); // 1600 samples: sd's error ≈ 0.0028
    expect(Array.from(m.bo.data).every((v) => v === 0)).toBe(true);
    m.forward(tensor([[...Array(40).keys()]], f64));
    m.backward(tensor([[...Array(40).fill(1)]], f64));
    expect(m.dWq).not.toBeNull();
    m.initParams();
    expect(m.dWq).toBeNull();
  });

  it('names bad calls', () => {
    const m = new manual.SelfAttention(3, f64);
    expect(() => m.backward(tensor([[1, 2, 3]], f64))).toThrow(/SelfAttention\.backward: called before forward/);
    expect(() => m.forward(tensor([[1, 2]], f64))).toThrow(/SelfAttention: expected input \[T, 3\] or \[B, T, 3\], got shape \[1,2\]/);
    expect(() => m.forward(tensor([[1, 2, 3]]))).toThrow(/SelfAttention: input of shape \[1,3\] is float32 but the parameters are float64/);
    m.forward(tensor([[1, 2, 3]], f64));
    expect(() => m.backward(tensor([[1, 2]], f64))).toThrow(/SelfAttention\.backward: dupstream of shape \[1,2\] does not match the forward output shape \[1,3\]/);
    expect(() => new manual.SelfAttention(0)).toThrow(/SelfAttention: dModel must be a positive integer, got 0/);
    expect(() => m.initParams(-1)).toThrow(/SelfAttention\.initParams: std must be a finite number ≥ 0, got -1/);
  });
});
