import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Generator, Tensor, add, matmul, mul, scaledDotProductAttention, scaledDotProductAttentionWithWeights, softmax, tensor,
  transpose, type ScaledDotProductAttentionOptions,
} from '@dl/autograd';
import { arbTensor, backwardIsLinear, gradcheck, gradgradcheck, retainGraphDoubles } from '@dl/autograd/testing';

type MaskKind = 'none' | 'additive' | 'row' | 'causal';

/**
 * q [...a, L, E], k [...b, S, E], v [...c, S, Ev] whose batch dims broadcast (some of size 1, some
 * missing), and an additive mask [L, S], a row mask [S] or a causal flag.
 */
const arbAttention = fc
  .record({
    batch: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }),
    ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    drop: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    L: fc.integer({ min: 1, max: 3 }),
    S: fc.integer({ min: 1, max: 3 }),
    E: fc.integer({ min: 1, max: 3 }),
    Ev: fc.integer({ min: 1, max: 2 }),
    mask: fc.constantFrom<MaskKind>('none', 'additive', 'row', 'causal'),
    scale: fc.option(fc.double({ min: 0.2, max: 1.5, noNaN: true }), { nil: undefined }),
  })
  .chain((c) => {
    const lead = (i: number) => (c.drop[i] ? c.batch.slice(1) : c.batch.map((b) => (c.ones[i] ? 1 : b)));
    return fc.tuple(
      fc.constant(c),
      fc.tuple(
        arbTensor([...lead(0), c.L, c.E], { min: -2, max: 2 }),
        arbTensor([...lead(1), c.S, c.E], { min: -2, max: 2 }),
        arbTensor([...lead(2), c.S, c.Ev], { min: -2, max: 2 }),
        arbTensor(c.mask === 'row' ? [c.S] : [c.L, c.S], { min: -1, max: 1 }),
      ),
    );
  });

type Case = [{ mask: MaskKind; scale?: number }, [Tensor, Tensor, Tensor, Tensor]];

/** The function of the case's tensors (the mask is an input only when the case has one). */
function attentionOf([c, [q, k, v, m]]: Case, extra: ScaledDotProductAttentionOptions = {}): [(...xs: Tensor[]) => Tensor, Tensor[]] {
  const withMask = c.mask === 'additive' || c.mask === 'row';
  const opts = { isCausal: c.mask === 'causal', scale: c.scale, ...extra };
  return withMask
    ? [(a, b, d, mask) => scaledDotProductAttention(a!, b!, d!, { ...opts, attnMask: mask }), [q, k, v, m]]
    : [(a, b, d) => scaledDotProductAttention(a!, b!, d!, opts), [q, k, v]];
}

/** The definition composed from matmul and softmax (no dedicated backward). */
function reference(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, scale: number): Tensor {
  const s = mul(matmul(q, transpose(k, -2, -1)), scale);
  return matmul(softmax(mask === null ? s : add(s, mask), -1), v);
}

describe('scaledDotProductAttention', () => {
  it('gradcheck (float64) over q, k, v and the mask: broadcast batch dims, masks, causal, scales', () => {
    fc.assert(fc.property(arbAttention, (c) => gradcheck(...attentionOf(c as Case))), { numRuns: 40 });
  });

  it('second-order gradcheck: the backward is written in ops', () => {
    fc.assert(fc.property(arbAttention, (c) => gradgradcheck(...attentionOf(c as Case))), { numRuns: 12 });
  });

  it('gradcheck with dropout (the same mask on every call, from a fresh seeded generator)', () => {
    fc.assert(
      fc.property(arbAttention, fc.nat(), (c, seed) => {
        const [, xs] = attentionOf(c as Case);
        const dropped = (...ys: Tensor[]) => attentionOf([c[0], ys] as unknown as Case, { dropoutP: 0.3, generator: new Generator(seed) })[0](...ys);
        return gradcheck(dropped, xs);
      }),
      { numRuns: 15 },
    );
  });

  it('equals softmax(q·kᵀ·scale + mask)·v composed from ops, with 1/√E as the default scale', () => {
    fc.assert(
      fc.property(arbAttention, ([c, [q, k, v, m]]) => {
        const mask = c.mask === 'additive' || c.mask === 'row' ? m : null;
        const out = scaledDotProductAttention(q, k, v, { attnMask: mask, scale: c.scale });
        const ref = reference(q, k, v, mask, c.scale ?? 1 / Math.sqrt(q.shape[q.ndim - 1]!));
        expect(out.shape).toEqual(ref.shape);
        return ref.data.every((x, i) => Math.abs(out.data[i]! - x) <= 1e-12 * (1 + Math.abs(x)));
      }),
      { numRuns: 40 },
    );
  });

  it('isCausal is the lower-triangular mask, aligned top-left when L ≠ S', () => {
    const q = tensor([[1, 0], [0, 1], [1, 1]], { dtype: 'float64' });
    const k = tensor([[1, 2], [0, 1]], { dtype: 'float64' });
    const { weights } = scaledDotProductAttentionWithWeights(q, k, k, { isCausal: true });
    expect(weights.data[0]).toBe(1);
    expect(weights.data[1]).toBe(0);
    expect(weights.data[2]! + weights.data[3]!).toBeCloseTo(1, 14);
  });

  it('passes the ready-made gradient properties', () => {
    const fn = (q: Tensor, k: Tensor, v: Tensor) => scaledDotProductAttention(q, k, v);
    const arb = arbAttention.map(([, [q, k, v]]) => [q, k, v]);
    fc.assert(backwardIsLinear(fn, arb), { numRuns: 15 });
    fc.assert(retainGraphDoubles(fn, arb), { numRuns: 15 });
  });

  it('gradients flow through both the output and the weights of the WithWeights form', () => {
    fc.assert(
      fc.property(arbAttention, ([, [q, k, v]]) =>
        gradcheck((a, b, d) => {
          const { output, weights } = scaledDotProductAttentionWithWeights(a!, b!, d!);
          return add(output.sum(), mul(weights, weights).sum());
        }, [q, k, v])),
      { numRuns: 15 },
    );
  });
});
