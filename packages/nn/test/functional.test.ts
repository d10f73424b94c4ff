import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { inspect } from 'node:util';
import * as autograd from '@dl/autograd';
import { Tensor } from '@dl/autograd';
import { gradgradcheck } from '@dl/autograd/testing';
import * as nn from '@dl/nn';
import { F, Linear } from '@dl/nn';
import { arbDistinct, arbT } from './support/moduleGradcheck.js';

describe('F', () => {
  it('exports the same functions by name, and the activations are autograd’s', () => {
    for (const name of Object.keys(F) as (keyof typeof F)[]) expect(nn[name]).toBe(F[name]);
    expect(F.relu).toBe(autograd.relu);
    expect(F.logSoftmax).toBe(autograd.logSoftmax);
    expect(Object.keys(F).sort()).toEqual([
      'adaptiveAvgPool2d', 'avgPool2d', 'batchNorm', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'conv1d', 'conv2d',
      'convTranspose2d', 'crossEntropy', 'dropout', 'dropout2d', 'elu', 'embedding', 'gelu', 'groupNorm', 'hardtanh', 'huberLoss',
      'interpolate', 'klDiv', 'l1Loss', 'layerNorm', 'leakyRelu', 'linear', 'logSoftmax', 'maskFromAllowed', 'maskFromBlocked',
      'maxPool2d', 'mish', 'mseLoss', 'nllLoss', 'normalize', 'oneHot', 'relu', 'relu6', 'scaledDotProductAttention',
      'scaledDotProductAttentionWithWeights', 'sigmoid', 'silu', 'sinusoidalPositionalEncoding', 'smoothL1Loss', 'softmax',
      'softplus', 'tanh',
    ]);
  });
});

describe('second-order gradients (gradgradcheck) through the composed layers', () => {
  it('linear', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([b, i, o]) => fc.tuple(arbT([b, i]), arbT([o, i]), arbT([o])));
    fc.assert(fc.property(arb, (xs) => gradgradcheck((x, w, b) => F.linear(x, w, b), xs)), { numRuns: 15 });
  });

  it('conv2d with stride and padding', () => {
    const arb = fc.record({ s: fc.integer({ min: 1, max: 2 }), p: fc.nat(1), h: fc.integer({ min: 2, max: 4 }) })
      .chain((c) => fc.tuple(fc.constant(c), arbT([1, 2, c.h, c.h]), arbT([2, 2, 2, 2]), arbT([2])));
    fc.assert(
      fc.property(arb, ([c, ...xs]) => gradgradcheck((x, w, b) => F.conv2d(x, w, b, { stride: c.s, padding: c.p }), xs)),
      { numRuns: 10 },
    );
  });

  it('maxPool2d (distinct values: no ties)', () => {
    fc.assert(fc.property(arbDistinct([1, 2, 4, 4]), (x) => gradgradcheck((y) => F.maxPool2d(y, 2, { stride: 1 }), [x])), { numRuns: 10 });
  });

  it('crossEntropy with label smoothing, and binaryCrossEntropyWithLogits', () => {
    const y = new Tensor(Float64Array.from([0, 2, 1]), [3]);
    fc.assert(
      fc.property(arbT([3, 3]), (x) => gradgradcheck((z) => F.crossEntropy(z, y, { labelSmoothing: 0.2 }), [x])),
      { numRuns: 10 },
    );
    fc.assert(
      fc.property(arbT([2, 3], { min: -6, max: 6 }), arbT([2, 3], { min: 0, max: 1 }), (x, t) =>
        gradgradcheck((z, u) => F.binaryCrossEntropyWithLogits(z, u), [x, t])),
      { numRuns: 10 },
    );
  });
});

describe('printing', () => {
  it('console.log shows the module tree', () => {
    expect(inspect(new Linear(2, 3))).toBe('Linear(in_features=2, out_features=3, bias=True)');
  });
});
