import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor } from '@dl/autograd';
import { arbShape, arbTensor } from '@dl/autograd/testing';
import { ReLU, manual } from '@dl/nn';
import { checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { seed } from './arbitraries.js';
import { expectGoldenBackward, expectGoldenForward, golden } from './golden.js';

const f64 = { dtype: 'float64' } as const;
// Away from the kink at 0, where the derivative is a convention.
const awayFromKink = (v: number) => Math.abs(v) > 1e-3;

describe('manual.ReLU agrees with nn.ReLU', () => {
  it('output and dx match autograd for random shapes and values', () => {
    const arbX = arbShape({ minDims: 1, maxDims: 4 }).chain((s) => arbTensor(s, { filter: awayFromKink }));
    fc.assert(fc.property(arbX, seed, (x, s) => checkAgainstTwin(new manual.ReLU(), new ReLU(), x, { seed: s })), { numRuns: 50 });
  });

  it('crossCheck with a fixed input shape', () => {
    crossCheck(new manual.ReLU(), new ReLU(), { inputShape: [2, 3, 2], filter: awayFromKink, numRuns: 25 });
  });
});

describe('manual.ReLU known values', () => {
  it('matches PyTorch forward and backward', () => {
    const r = new manual.ReLU();
    expectGoldenForward(r, golden.relu!);
    expectGoldenBackward(r, golden.relu!);
  });

  it('passes the gradient where x > 0 and blocks it at x ≤ 0 (0 included), keeping the dtype', () => {
    const r = new manual.ReLU();
    expect(r.forward(tensor([-2, 0, 3])).toArray()).toEqual([0, 0, 3]);
    const dx = r.backward(tensor([5, 6, 7]));
    expect(dx.toArray()).toEqual([0, 0, 7]);
    expect(dx.dtype).toBe('float32');
  });
});

describe('manual.ReLU errors', () => {
  it('names the layer and the shapes', () => {
    const r = new manual.ReLU();
    expect(() => r.backward(tensor([1]))).toThrow(/ReLU\.backward: called before forward/);
    r.forward(tensor([[1, 2]]));
    expect(() => r.backward(tensor([1, 2]))).toThrow(/ReLU\.backward: dupstream of shape \[2\] does not match the forward output shape \[1,2\]/);
    expect(() => r.backward(tensor([[1, 2]], f64))).toThrow(/ReLU\.backward: dupstream is float64 but the forward output was float32/);
  });
});
