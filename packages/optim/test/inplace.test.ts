import { describe, expect, it } from 'vitest';
import { tensor, mul, sum } from '@dl/autograd';
import { SGD } from '@dl/optim';

describe('optimizer steps and the tape', () => {
  it('a backward through a graph recorded before step() throws instead of using the updated values', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const loss = sum(mul(w, w));
    loss.backward(undefined, { retainGraph: true });
    const opt = new SGD([w], { lr: 0.1 });
    opt.step();
    expect(() => loss.backward()).toThrow(/input 0 of 'mul' \(shape \[3\]\) was modified in place/);
    // A fresh forward after the step is fine.
    opt.zeroGrad();
    sum(mul(w, w)).backward();
    expect(Array.from(w.grad!.data).map((v) => Number(v.toFixed(5)))).toEqual([1.6, 3.2, 4.8]);
  });
});
