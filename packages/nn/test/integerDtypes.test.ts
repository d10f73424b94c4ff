// Integer class labels and indices (int32, dl's long) and bool masks where PyTorch's layers take them:
// the losses, Embedding and oneHot give what float labels give, and modules stay float.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DlError, Generator, maskFromAllowed, maskFromBlocked, randn, tensor, type Tensor } from '@dl/autograd';
import { CrossEntropyLoss, Embedding, F, Linear, MultiheadAttention } from '@dl/nn';

/** Logits [n, c] and labels in [0, c) as int32 and as float64 (the form dl took before int32 existed). */
const arbBatch = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.integer()).chain(([n, c, seed]) =>
  fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }).map((labels) => ({
    logits: randn([n, c], { dtype: 'float64', generator: new Generator(seed) }),
    ints: tensor(labels, { dtype: 'int32' }),
    floats: tensor(labels, { dtype: 'float64' }),
  })));

function gradOf(loss: (x: Tensor) => Tensor, logits: Tensor): number[] {
  const x = logits.detach().requiresGrad_();
  loss(x).backward();
  return Array.from(x.grad!.data);
}

describe('int32 class labels', () => {
  it('crossEntropy and nllLoss give the loss and gradient that float labels give, ignoreIndex included', () => {
    fc.assert(
      fc.property(arbBatch, ({ logits, ints, floats }) => {
        for (const options of [{}, { ignoreIndex: 0 }, { labelSmoothing: 0.1 }]) {
          const a = F.crossEntropy(logits, ints, options);
          expect(a.item()).toBe(F.crossEntropy(logits, floats, options).item());
          expect(gradOf((x) => F.crossEntropy(x, ints, options), logits)).toEqual(gradOf((x) => F.crossEntropy(x, floats, options), logits));
        }
        expect(F.nllLoss(logits.logSoftmax(1), ints).item()).toBe(F.nllLoss(logits.logSoftmax(1), floats).item());
      }),
      { numRuns: 40 },
    );
  });
  it('CrossEntropyLoss takes labels made by .long() and randint, and accuracy counts with eq', () => {
    const logits = randn([8, 3], { generator: new Generator(2) });
    const labels = tensor([0, 1, 2, 0, 1, 2, 0, 1]).long();
    expect(labels.dtype).toBe('int32');
    expect(new CrossEntropyLoss().forward(logits, labels).item()).toBeCloseTo(F.crossEntropy(logits, labels.float()).item(), 6);
    const correct = logits.argmax(1).eq(labels).sum().item();
    expect(correct).toBe(Array.from(logits.argmax(1).data).filter((p, i) => p === labels.data[i]).length);
  });
});

describe('int32 indices in Embedding and oneHot', () => {
  it('Embedding looks up int32 indices as float ones, and the gradient reaches the rows', () => {
    const emb = new Embedding(5, 3, { generator: new Generator(1) });
    const idx = tensor([[4, 0], [2, 4]], { dtype: 'int32' });
    expect(emb.forward(idx).toArray()).toEqual(emb.forward(idx.float()).toArray());
    emb.forward(idx).sum().backward();
    expect(Array.from(emb.weight.grad!.data)).toEqual([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 2, 2]);
  });
  it('oneHot of int32 indices is int32, as PyTorch gives its integer dtype', () => {
    const r = F.oneHot(tensor([0, 2], { dtype: 'int32' }), 3);
    expect(r.dtype).toBe('int32');
    expect(r.toArray()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(F.oneHot(tensor([1]), 2).dtype).toBe('float32');
  });
});

describe('modules stay float', () => {
  it("Module.to('int32') is refused, as PyTorch's nn.Module.to takes float dtypes only", () => {
    const m = new Linear(2, 2);
    expect(() => m.to('int32' as 'float32')).toThrow(DlError);
    expect(() => m.to('int32' as 'float32')).toThrow(/unsupported dtype 'int32' \(expected 'float32' or 'float64'\)/);
    expect(m.weight.dtype).toBe('float32');
  });
  it('a layer built with an integer or bool dtype is refused at its arguments, naming the layer', () => {
    expect(() => new Linear(2, 2, { dtype: 'int32' as 'float32' })).toThrow(/^Linear: unsupported dtype 'int32' \(expected 'float32' or 'float64'\)/);
    expect(() => new Embedding(4, 2, { dtype: 'bool' as 'float32' })).toThrow(/^Embedding: unsupported dtype 'bool'/);
  });
  it('a bool mask multiplies float activations and keeps their dtype and gradient', () => {
    const x = randn([2, 3], { dtype: 'float64', generator: new Generator(5) }).requiresGrad_();
    const y = x.mul(x.gt(0));
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(x.data).map((v) => +(v > 0)));
  });
});

describe("bool attention masks, with PyTorch's conventions", () => {
  const g = new Generator(11);
  const q = randn([2, 3, 4], { generator: g });
  const k = randn([2, 5, 4], { generator: g });
  const allowed = randn([3, 5], { generator: g }).gt(-0.5);
  it('scaledDotProductAttention: a bool attnMask says which scores take part (true = may attend)', () => {
    const withBool = F.scaledDotProductAttention(q, k, k, { attnMask: allowed });
    const withFloat = F.scaledDotProductAttention(q, k, k, { attnMask: maskFromAllowed(allowed.float()) });
    expect(withBool.toArray()).toEqual(withFloat.toArray());
  });
  it('MultiheadAttention: bool attnMask and keyPaddingMask say which keys are blocked (true = not allowed)', () => {
    const mha = new MultiheadAttention(4, 2, { batchFirst: true, generator: new Generator(3) });
    const blocked = allowed.logicalNot();
    const pads = tensor([[false, false, false, true, true], [false, false, false, false, true]]);
    const a = mha.forward(q, k, k, { attnMask: blocked, keyPaddingMask: pads });
    const b = mha.forward(q, k, k, { attnMask: maskFromBlocked(blocked.float()), keyPaddingMask: maskFromBlocked(pads.float()) });
    expect(a[0].toArray()).toEqual(b[0].toArray());
    expect(a[1]!.toArray()).toEqual(b[1]!.toArray());
  });
});
