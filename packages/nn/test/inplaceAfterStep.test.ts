// The in-place check fires for a backward through nn.Linear after optimizer.step(), as it does for a
// raw matmul (issue 9): the step bumps the weight's version, and Linear's saved Wᵀ follows it.
import { describe, expect, it } from 'vitest';
import { init, Linear, Sequential, ReLU } from '@dl/nn';
import { SGD } from '@dl/optim';
import { noGrad, tensor } from '@dl/autograd';

describe('in-place checks through nn layers', () => {
  it('backward through Linear after optimizer.step() refuses, naming the op', () => {
    const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const x = tensor([[1, 2], [-1, 0.5]]);
    const loss = model.forward(x).sum();
    loss.backward({ retainGraph: true });
    opt.step();
    expect(() => loss.backward()).toThrow(/backward: input \d of '(matmul|add)' .* was modified in place after the forward.*optimizer\.step\(\)/);
  });
  it('the usual loop (forward after each step) trains without complaint; init writes under noGrad', () => {
    const lin = new Linear(2, 1);
    noGrad(() => lin.weight.fill_(0.5));
    init.zeros_(lin.bias!);
    const opt = new SGD(lin.parameters(), { lr: 0.1 });
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      lin.forward(tensor([[1, 2]])).sum().backward();
      opt.step();
    }
    expect(lin.weight.data[0]).toBeCloseTo(0.5 - 0.3, 6);
    expect(() => lin.weight.fill_(0)).toThrow(/fill_: a leaf Variable that requires grad is being used in an in-place operation\./);
  });
});
