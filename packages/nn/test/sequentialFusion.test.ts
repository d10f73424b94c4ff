// Sequential runs ReLU then MaxPool2d as pooling then relu (issue 8: the main job's CNN spends a tenth of
// its time in relu and its gradient). The two orders must give the same values and gradients.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gradients, relu, Tensor } from '@dl/autograd';
import { maxPool2d, MaxPool2d, ReLU, Sequential } from '@dl/nn';

/** Values equal as numbers (so -0 equals 0: the orders may differ in the sign of a zero), NaN equal to NaN. */
function expectSameValues(got: Tensor, want: Tensor, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  got.data.forEach((v, i) => {
    const e = want.data[i]!;
    if (!(v === e || (Number.isNaN(v) && Number.isNaN(e)))) expect.fail(`${what}: element ${i} is ${v}, relu then pool gives ${e}`);
  });
}

// Few distinct values, zeros and negatives among them, so windows hold ties, all-negative windows and zeros.
const arbCase = fc.record({
  N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 2, max: 7 }), W: fc.integer({ min: 2, max: 7 }),
  k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), p: fc.integer({ min: 0, max: 1 }), d: fc.integer({ min: 1, max: 2 }),
  dtype: fc.constantFrom('float32' as const, 'float64' as const),
}).filter((c) => 2 * c.p <= c.k && c.d * (c.k - 1) + 1 <= Math.min(c.H, c.W) + 2 * c.p).chain((c) => fc.record({
  c: fc.constant(c),
  values: fc.array(fc.constantFrom(-2, -1, -0.5, 0, 0.5, 1, 2, 3, NaN), { minLength: c.N * c.C * c.H * c.W, maxLength: c.N * c.C * c.H * c.W }),
  upstream: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1000, maxLength: 1000 }),
}));

describe('Sequential(ReLU, MaxPool2d)', () => {
  it('gives the values and input gradients of relu then max pooling, for any window, stride, padding, dilation and ties', () => {
    fc.assert(fc.property(arbCase, ({ c, values, upstream }) => {
      const make = () => {
        const data = c.dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
        return new Tensor(data, [c.N, c.C, c.H, c.W], { requiresGrad: true });
      };
      const options = { stride: c.s, padding: c.p, dilation: c.d };
      const [x1, x2] = [make(), make()];
      const fused = new Sequential(new ReLU(), new MaxPool2d(c.k, options)).forward(x1);
      const separate = maxPool2d(relu(x2), c.k, options);
      expectSameValues(fused, separate, 'forward');
      // Fused (pool then relu) exactly when there is no dilation; with it, windows may lie in the padding.
      expect(fused.gradFn?.op).toBe(c.d === 1 ? 'relu' : separate.gradFn?.op);
      const g = new Tensor(c.dtype === 'float32' ? Float32Array.from(upstream.slice(0, fused.numel())) : Float64Array.from(upstream.slice(0, fused.numel())), fused.shape);
      const [g1] = gradients([fused], [x1], { gradOutputs: [g] });
      const [g2] = gradients([separate], [x2], { gradOutputs: [g] });
      expectSameValues(g1!, g2!, 'gradient');
    }), { numRuns: 150 });
  });

  it('is not fused with dilation, where a window can lie wholly in the padding and pools to −∞, as PyTorch gives', () => {
    const x = new Tensor(Float32Array.from([-1, 2]), [1, 1, 1, 2]);
    const y = new Sequential(new ReLU(), new MaxPool2d(2, { stride: 1, padding: 1, dilation: 2 })).forward(x);
    expectSameValues(y, maxPool2d(relu(x), 2, { stride: 1, padding: 1, dilation: 2 }), 'dilated');
  });

  it('keeps the modules separate when either has a forward hook, so the hook sees the ReLU output', () => {
    const relu1 = new ReLU();
    const seen: Tensor[] = [];
    relu1.registerForwardHook((_m, _inputs, out) => void seen.push(out as Tensor));
    const x = new Tensor(Float32Array.from([-1, 2, -3, 4]), [1, 1, 2, 2]);
    const y = new Sequential(relu1, new MaxPool2d(2)).forward(x);
    expect(Array.from(seen[0]!.data)).toEqual([0, 2, 0, 4]);
    expect(Array.from(y.data)).toEqual([4]);
  });

  it('does not fuse a subclass of ReLU, whose forward may differ', () => {
    class Shifted extends ReLU {
      override forward(x: Tensor): Tensor {
        return super.forward(x).add(1);
      }
    }
    const x = new Tensor(Float32Array.from([-1, -2, -3, -4]), [1, 1, 2, 2]);
    expect(Array.from(new Sequential(new Shifted(), new MaxPool2d(2)).forward(x).data)).toEqual([1]);
  });
});
