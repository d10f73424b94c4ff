import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor, tensor } from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';
import { LayerNorm, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { fillNormal, seed, size } from './arbitraries.js';
import { expectClose, fromJSON, goldenFile, type TensorJSON } from '../support/golden.js';

const f64 = { dtype: 'float64' } as const;

describe('manual.LayerNorm agrees with nn.LayerNorm', () => {
  it('y, dx, dW and db match autograd over random leading and normalised shapes, train and eval mode', () => {
    const arbCase = fc
      .record({ lead: fc.array(size(3), { maxLength: 2 }), norm: fc.array(size(4), { minLength: 1, maxLength: 2 }), eps: fc.constantFrom(1e-5, 1e-2), eval: fc.boolean(), s: seed })
      .chain((c) => fc.tuple(fc.constant(c), arbTensor([...c.lead, ...c.norm])));
    fc.assert(
      fc.property(arbCase, ([c, x]) => {
        const m = new manual.LayerNorm(c.norm, { ...f64, eps: c.eps });
        fillNormal(m.W, c.s);
        fillNormal(m.b, c.s + 1);
        const twin = new LayerNorm(c.norm, { ...f64, eps: c.eps });
        if (c.eval) twin.eval();
        return checkAgainstTwin(m, twin, x, { seed: c.s });
      }),
      { numRuns: 60 },
    );
  });

  it('crossCheck in one line', () => {
    crossCheck(new manual.LayerNorm([2, 3], f64), new LayerNorm([2, 3], f64), { inputShape: [2, 2, 3], numRuns: 15 });
  });
});

describe('manual.LayerNorm known values (PyTorch float64, fixtures/normalization.json)', () => {
  type Case = { args: [number[]]; options: { bias?: boolean; elementwiseAffine?: boolean; eps?: number }; state: Record<string, TensorJSON>; x: TensorJSON; g: TensorJSON; y: TensorJSON; dx: TensorJSON; grads: Record<string, TensorJSON> };
  const cases = (goldenFile('normalization').layerNorm as Case[]).filter((c) => c.options.bias !== false && c.options.elementwiseAffine !== false);
  it.each(cases.map((c) => [JSON.stringify(c.args), c] as const))('normalizedShape %s', (_n, c) => {
    const m = new manual.LayerNorm(c.args[0], { ...f64, eps: c.options.eps });
    m.W.data.set(c.state.weight!.data);
    m.b.data.set(c.state.bias!.data);
    expectClose(m.forward(fromJSON(c.x)), c.y);
    expectClose(m.backward(fromJSON(c.g)), c.dx);
    expectClose(m.dW!, c.grads.weight!);
    expectClose(m.db!, c.grads.bias!);
  });
});

describe('manual.LayerNorm errors', () => {
  it('names the layer and the shapes', () => {
    const m = new manual.LayerNorm(3, f64);
    expect(() => m.backward(tensor([1, 2, 3], f64))).toThrow(/^LayerNorm\.backward: called before forward/);
    expect(() => m.forward(new Tensor(new Float64Array(8), [2, 4]))).toThrow(/^LayerNorm: expected input with shape \[\*, 3\], got shape \[2,4\]$/);
    expect(() => m.forward(tensor([1, 2, 3]))).toThrow(/^LayerNorm: input of shape \[3\] is float32 but the parameters are float64$/);
    expect(() => new manual.LayerNorm([])).toThrow(/^LayerNorm: normalizedShape must have at least one dim, got \[\]$/);
    expect(() => new manual.LayerNorm([2, 0])).toThrow(/^LayerNorm: normalizedShape must be a positive integer, got 0$/);
  });
});
