import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor } from '@dl/autograd';
import { arbShape, arbTensor } from '@dl/autograd/testing';
import { Sigmoid, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { seed } from './arbitraries.js';
import { expectGoldenBackward, expectGoldenForward, golden } from './golden.js';

const f64 = { dtype: 'float64' } as const;

describe('manual.Sigmoid agrees with nn.Sigmoid', () => {
  it('output and dx match autograd for random shapes and values (large ones included)', () => {
    const arbX = arbShape({ minDims: 1, maxDims: 4 }).chain((s) => arbTensor(s, { min: -40, max: 40 }));
    fc.assert(fc.property(arbX, seed, (x, s) => checkAgainstTwin(new manual.Sigmoid(), new Sigmoid(), x, { seed: s })), { numRuns: 50 });
  });

  it('crossCheck with a fixed input shape', () => {
    crossCheck(new manual.Sigmoid(), new Sigmoid(), { inputShape: [3, 4], numRuns: 25 });
  });
});

describe('manual.Sigmoid known values', () => {
  it('matches PyTorch forward and backward', () => {
    const s = new manual.Sigmoid();
    expectGoldenForward(s, golden.sigmoid!);
    expectGoldenBackward(s, golden.sigmoid!);
  });

  it('σ(0) = 1/2 with slope 1/4, and stays finite at ±1000', () => {
    const s = new manual.Sigmoid();
    expect(s.forward(tensor([0, -1000, 1000], f64)).toArray()).toEqual([0.5, 0, 1]);
    expect(s.backward(tensor([1, 1, 1], f64)).toArray()).toEqual([0.25, 0, 0]);
  });

  it('the returned output is not the cache: changing it does not change the backward', () => {
    const s = new manual.Sigmoid();
    const y = s.forward(tensor([0], f64));
    y.data[0] = 3;
    expect(s.backward(tensor([1], f64)).item()).toBe(0.25);
  });
});

describe('manual.Sigmoid errors', () => {
  it('names the layer and the shapes', () => {
    const s = new manual.Sigmoid();
    expect(() => s.backward(tensor([1]))).toThrow(/Sigmoid\.backward: called before forward/);
    s.forward(tensor([1, 2, 3]));
    expect(() => s.backward(tensor([1, 2]))).toThrow(/Sigmoid\.backward: dupstream of shape \[2\] does not match the forward output shape \[3\]/);
  });
});
