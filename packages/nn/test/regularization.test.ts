import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { add, Generator, gradcheck, mul, randn, Tensor, tensor } from '@dl/autograd';
import { l1Penalty, l2Penalty, Linear, mseLoss, Sequential, ReLU } from '@dl/nn';
import { SGD } from '@dl/optim';
import { arbT } from './support/moduleGradcheck.js';

const f64 = { dtype: 'float64' } as const;

describe('l1Penalty and l2Penalty', () => {
  it('sum |w| and w² over every element of every parameter', () => {
    const a = tensor([[1, -2], [0.5, 0]], f64);
    const b = tensor([-3], f64);
    expect(l1Penalty([a, b]).item()).toBe(6.5);
    expect(l2Penalty([a, b]).item()).toBe(1 + 4 + 0.25 + 9);
    expect(l1Penalty([]).item()).toBe(0);
    expect(l2Penalty([]).shape).toEqual([]);
  });

  it('have gradients sign(w) (0 at 0) and 2w on the parameters of a model', () => {
    const model = new Sequential(new Linear(3, 2, f64), new ReLU(), new Linear(2, 1, f64));
    model.parameters()[1]!.data[0] = 0;
    l1Penalty(model.parameters()).backward();
    for (const p of model.parameters()) expect(Array.from(p.grad!.data)).toEqual(Array.from(p.data, Math.sign).map((v) => v + 0));
    model.zeroGrad();
    l2Penalty(model.parameters()).backward();
    for (const p of model.parameters()) expect(Array.from(p.grad!.data)).toEqual(Array.from(p.data, (v) => 2 * v));
  });

  it('gradcheck over random parameter shapes (away from the kink of |w| at 0)', () => {
    const arb = fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), { minLength: 1, maxLength: 3 })
      .chain((shapes) => fc.tuple(...shapes.map((s) => arbT(s, { avoid: 0, gap: 1e-3 }))));
    fc.assert(
      fc.property(arb, (ts: Tensor[]) => gradcheck((...ps) => l1Penalty(ps), ts) && gradcheck((...ps) => l2Penalty(ps), ts)),
      { numRuns: 30 },
    );
  });

  it('lambda/2 · l2Penalty added to the loss gives the same SGD step as weightDecay: lambda', () => {
    const lambda = 0.3;
    const make = () => new Linear(4, 2, { ...f64, generator: new Generator(5) });
    const x = randn([6, 4], { ...f64, generator: new Generator(1) });
    const t = randn([6, 2], { ...f64, generator: new Generator(2) });
    const a = make();
    const b = make();
    const optA = new SGD(a.parameters(), { lr: 0.1 });
    const optB = new SGD(b.parameters(), { lr: 0.1, weightDecay: lambda });
    for (let i = 0; i < 3; i++) {
      optA.zeroGrad();
      add(mseLoss(a.forward(x), t), mul(l2Penalty(a.parameters()), lambda / 2)).backward();
      optA.step();
      optB.zeroGrad();
      mseLoss(b.forward(x), t).backward();
      optB.step();
    }
    a.parameters().forEach((p, i) => {
      const q = b.parameters()[i]!;
      p.data.forEach((v, j) => expect(Math.abs(v - q.data[j]!)).toBeLessThan(1e-14));
    });
  });

  it('refuses what is not a tensor', () => {
    expect(() => l1Penalty([1 as unknown as Tensor])).toThrow(/^l1Penalty: expected tensors \(model.parameters\(\)\), got number$/);
  });
});
