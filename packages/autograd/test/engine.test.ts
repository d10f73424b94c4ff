import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, add, defineOp, matmul, mul, noGrad, pow, randn, sigmoid, sin, sum, tanh, tensor, type Tensor } from '@dl/autograd';

const f64 = { dtype: 'float64' as const };

describe('createGraph: gradients of gradients', () => {
  it('records the backward, so .grad can be differentiated again (x⁴ three times)', () => {
    const x = tensor([1.5, -2], { ...f64, requiresGrad: true });
    sum(pow(x, 4)).backward(undefined, { createGraph: true });
    const g1 = x.grad!;
    expect(g1.requiresGrad).toBe(true);
    expect(g1.gradFn).not.toBeNull();
    expect(Array.from(g1.data)).toEqual([4 * 1.5 ** 3, 4 * -8]);
    x.grad = null;
    sum(g1).backward(undefined, { createGraph: true });
    const g2 = x.grad!;
    expect(Array.from(g2.data)).toEqual([12 * 1.5 ** 2, 12 * 4]);
    x.grad = null;
    sum(g2).backward();
    expect(Array.from(x.grad!.data)).toEqual([24 * 1.5, 24 * -2]);
    expect(x.grad!.requiresGrad).toBe(false);
  });

  it('keeps the graph by default when createGraph is on (retainGraph defaults to it)', () => {
    const x = tensor([0.5], { ...f64, requiresGrad: true });
    const loss = sum(sin(x));
    loss.backward(undefined, { createGraph: true });
    loss.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * Math.cos(0.5), 14);
  });

  it('without createGraph the gradient is a constant', () => {
    const x = tensor([0.5], { ...f64, requiresGrad: true });
    sum(mul(x, x)).backward();
    expect(x.grad!.requiresGrad).toBe(false);
    expect(() => sum(x.grad!).backward()).toThrow(/does not require grad/);
  });

  // A small MLP, tanh then sigmoid, whose Hessian-vector product H·u is read from a second backward
  // through the first backward's graph, and compared with central differences of the first gradient.
  it('second derivatives of a tanh/sigmoid MLP match finite differences (random sizes)', () => {
    const mlp = ([w1, b1, w2, b2]: Tensor[], x: Tensor, v: Tensor) =>
      sum(mul(sigmoid(add(matmul(tanh(add(matmul(x, w1!), b1!)), w2!), b2!)), v));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.nat(),
        (n, d, h, o, seed) => {
          const g = new Generator(seed);
          const r = (shape: number[]) => randn(shape, { ...f64, generator: g });
          const params = [r([d, h]), r([h]), r([h, o]), r([o])];
          const x = r([n, d]);
          const v = r([n, o]);
          const u = params.map((p) => r([...p.shape]));
          const firstGrad = (ps: Tensor[]): Tensor[] => {
            const leaves = ps.map((p) => p.detach().clone().requiresGrad_());
            mlp(leaves, x, v).backward();
            return leaves.map((l) => l.grad!);
          };
          // H·u through the tape: differentiate <∇L, u>.
          const leaves = params.map((p) => p.clone().requiresGrad_());
          mlp(leaves, x, v).backward(undefined, { createGraph: true });
          const grads = leaves.map((l) => l.grad!);
          leaves.forEach((l) => (l.grad = null));
          grads.map((gi, i) => sum(mul(gi, u[i]!))).reduce((a, b) => add(a, b)).backward();
          // The same by central differences of the first gradient, one parameter element at a time.
          const eps = 1e-6;
          params.forEach((p, i) => {
            for (let j = 0; j < p.numel(); j++) {
              const shifted = (delta: number) => {
                const ps = params.map((q) => q.clone());
                ps[i]!.data[j]! += delta;
                return firstGrad(ps).reduce((s, gk, k) => s + Array.from(gk.data).reduce((a, gkm, m) => a + gkm * u[k]!.data[m]!, 0), 0);
              };
              const numerical = (shifted(eps) - shifted(-eps)) / (2 * eps);
              const analytical = leaves[i]!.grad!.data[j]!;
              expect(Math.abs(analytical - numerical)).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(numerical));
            }
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('gradient storage after backward', () => {
  it('a freed graph lets go of its inputs; retainGraph keeps them', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const kept = mul(w, w).sum();
    kept.backward({ retainGraph: true });
    expect(kept.gradFn!.inputs.length).toBe(1);
    kept.backward();
    expect(kept.gradFn!.inputs.length).toBe(0);
    expect(() => kept.backward()).toThrow(/second time/);
  });
  it('leaves never share gradient storage with each other, the root gradient or forward values', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const g = tensor([1, 1]);
    add(a, b).backward(g);
    const buffers = [a.grad!.data.buffer, b.grad!.data.buffer, g.data.buffer, a.data.buffer, b.data.buffer];
    expect(new Set(buffers).size).toBe(buffers.length);
    // A custom op whose backward hands back a forward value as the gradient.
    const x = tensor([5, 6]);
    const passX = defineOp<void>({ name: 'passX', forward: ([t]) => t!.detach().clone(), backward: () => [x] });
    const w = tensor([0, 0], { requiresGrad: true });
    passX([w], undefined).backward(tensor([1, 1]));
    expect(w.grad!.data.buffer).not.toBe(x.data.buffer);
    noGrad(() => w.grad!.zero_());
    expect(x.toArray()).toEqual([5, 6]);
  });
  it("adds a tensor's gradients into one sum in place, which a rule handing it on then shares with nobody", () => {
    // t gets three gradients (summed by the engine, in place after the first sum); add's rule hands
    // that sum to both a and b, which then get more gradients of their own.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 6 }), (n, uses) => {
        const a = randn([n], { requiresGrad: true, dtype: 'float64' });
        const b = randn([n], { requiresGrad: true, dtype: 'float64' });
        const t = add(a, b);
        // The engine reaches a and b's own terms after t (they are the graph's first inputs, so last in
        // reverse order): both leaves hold t's sum when their second gradient arrives.
        let loss = add(sum(mul(a, 3)), sum(mul(b, 5)));
        for (let i = 1; i <= uses; i++) loss = add(loss, sum(mul(t, i)));
        const seen: number[][] = [];
        t.registerHook((g) => void seen.push(Array.from(g.data)));
        loss.backward();
        const tGrad = (uses * (uses + 1)) / 2;
        expect(seen).toEqual([new Array(n).fill(tGrad)]);
        expect(Array.from(a.grad!.data)).toEqual(new Array(n).fill(tGrad + 3));
        expect(Array.from(b.grad!.data)).toEqual(new Array(n).fill(tGrad + 5));
        // Updating one leaf's gradient in place (as optimizers do) leaves the other alone.
        noGrad(() => a.grad!.zero_());
        expect(Array.from(b.grad!.data)).toEqual(new Array(n).fill(tGrad + 5));
      }),
    );
  });
  it('a leaf used many times gets the sum of its gradients; a second backward adds to it', () => {
    const x = tensor(1.5, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100; i++) y = add(y, x);
    y.backward();
    expect(x.grad!.item()).toBe(101);
    let z = x;
    for (let i = 0; i < 10; i++) z = mul(z, 1).add(x);
    z.backward();
    expect(x.grad!.item()).toBe(112);
  });
  it('a fresh gradient computed for one leaf alone is kept without a copy', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    mul(w, tensor([2, 2, 2])).sum().backward();
    expect(w.grad!.toArray()).toEqual([2, 2, 2]);
    expect(w.grad!.requiresGrad).toBe(false);
  });
});
