// Ports (issue 9): classic PyTorch programs written the way a PyTorch user writes them in dl, checked
// against PyTorch's numbers (fixtures/ports.py, float64). Each PyTorch line is kept as a comment where
// the spelling differs. This file: linear regression, tensor idioms, the autograd tutorials, a custom
// autograd function.
import { describe, expect, it } from 'vitest';
import { defineOp, matmul, noGrad, ones, sin, tensor, Tensor, zeros, type Op } from '@dl/autograd';
import { F, Linear } from '@dl/nn';
import { SGD } from '@dl/optim';
import { close, closeAll, closeTensor, ports, t64, withWeights } from './golden.js';

describe('port: linear regression', () => {
  it('nn.Linear(1, 1), MSELoss, SGD: the same losses and weights as PyTorch', () => {
    const g = ports.linearRegression;
    const [x, y] = [t64(g.x), t64(g.y)];
    const model = withWeights(new Linear(1, 1), g.init);
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 50; epoch++) {
      opt.zeroGrad();
      const loss = F.mseLoss(model.forward(x), y); // F.mse_loss(model(x), y)
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    closeAll(losses, g.losses);
    closeTensor(model.weight, g.final.weight);
    closeTensor(model.bias, g.final.bias);
  });
});

describe('port: tensor idioms', () => {
  const g = ports.idioms;
  const t = tensor(Array.from({ length: 24 }, (_, i) => i), { dtype: 'float64' }).reshape(2, 3, 4); // torch.arange(24.).reshape(2, 3, 4)
  it('index expressions read as PyTorch', () => {
    closeTensor(t, g.t);
    closeTensor(t.index(':', 0), g.col); //            t[:, 0]
    closeTensor(t.index('...', -1), g.last); //        t[..., -1]
    closeTensor(t.index(1, '1:3', '::2'), g.strided); // t[1, 1:3, ::2]
    closeTensor(t.index(':', null, 0), g.none); //     t[:, None, 0]
    closeTensor(t.index([1, 0], ':', [3, 2]), g.fancy); // t[[1, 0], :, [3, 2]]
    const mask = noGrad(() => t.sub(t.div(5).floor().mul(5)).eq(0)); // t % 5 == 0
    closeTensor(t.index({ mask }), g.masked); //       t[t % 5 == 0]
  });
  it('index writes, reductions and the position ops', () => {
    const w = t.clone(); //                             w = t.clone()
    w.indexPut_([':', 0], 0); //                        w[:, 0] = 0
    w.indexPut_([{ mask: w.gt(20) }], -1); //           w[w > 20] = -1
    w.indexPut_(['...', '1:3'], w.index('...', '1:3').add(0.5)); // w[..., 1:3] += 0.5
    closeTensor(w, g.written);
    closeTensor(t.sum(1), g.sumDim); //                   t.sum(1)
    closeTensor(t.mean(-1, { keepdim: true }), g.meanKeep); // t.mean(-1, keepdim=True)
    closeTensor(t.view(-1, 6).index('1:', -1), g.viewLast);
    const t0 = t.index(0);
    closeTensor(t0.maskedFill(t0.gt(6), 0), g.maskedFill);
    closeTensor(t.narrow(2, 1, 2).index(0), g.narrow);
    closeTensor(t.select(1, -1), g.select);
    closeTensor(t0.gather(1, tensor([[3], [0], [1]], { dtype: 'float64' })), g.gather);
    closeTensor(zeros([3], { dtype: 'float64' }).scatterAdd(0, tensor([0, 2, 0, 1], { dtype: 'float64' }), tensor([1, 2, 3, 4], { dtype: 'float64' })), g.scatterAdd);
  });
});

describe('port: the autograd tutorials', () => {
  const g = ports.autogradTutorial;
  it('Q = 3a³ − b², Q.backward(gradient=ones)', () => {
    const a = tensor([2, 3], { dtype: 'float64', requiresGrad: true });
    const b = tensor([6, 4], { dtype: 'float64', requiresGrad: true });
    const Q = a.pow(3).mul(3).sub(b.pow(2)); // 3*a**3 - b**2
    Q.backward(ones([2], { dtype: 'float64' }));
    closeAll(a.grad!.data, g.aGrad);
    closeAll(b.grad!.data, g.bGrad);
  });
  it('z = x·w + b with BCE-with-logits; noGrad and detach turn tracking off', () => {
    const x = ones([5], { dtype: 'float64' });
    const y = zeros([3], { dtype: 'float64' });
    const w = t64(g.w, true);
    const b = t64(g.b, true);
    const z = matmul(x, w).add(b); // torch.matmul(x, w) + b
    const loss = F.binaryCrossEntropyWithLogits(z, y);
    loss.backward();
    close(loss.item(), g.loss);
    closeTensor(w.grad, g.wGrad);
    closeTensor(b.grad, g.bbGrad);
    expect(z.requiresGrad).toBe(true);
    expect(noGrad(() => matmul(x, w).add(b)).requiresGrad).toBe(false); // with torch.no_grad():
    expect(z.detach().requiresGrad).toBe(false);
  });
});

describe('port: a custom autograd function (LegendrePolynomial3, fitting sin)', () => {
  // class LegendrePolynomial3(torch.autograd.Function): forward saves the input, backward uses it.
  const P3: Op<void> = defineOp<void>({
    name: 'LegendrePolynomial3',
    saves: 'inputs',
    forward: ([input]) => input!.pow(3).mul(5).sub(input!.mul(3)).mul(0.5),
    backward: ({ grad, inputs: [input] }) => [grad.mul(input!.pow(2).mul(5).sub(1).mul(1.5))],
  });
  it('300 steps of hand-written gradient descent match PyTorch', () => {
    const g = ports.customFunction;
    const xs = tensor(Array.from({ length: 200 }, (_, i) => -Math.PI + (2 * Math.PI * i) / 199), { dtype: 'float64' }); // torch.linspace(-math.pi, math.pi, 200)
    const ys = sin(xs);
    const params = [0, -1, 0, 0.3].map((v) => tensor(v, { dtype: 'float64', requiresGrad: true }));
    const [a, b, c, d] = params as [Tensor, Tensor, Tensor, Tensor];
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      const yPred = a.add(b.mul(P3([c.add(d.mul(xs))], undefined))); // a + b * P3(c + d * x)
      const loss = yPred.sub(ys).pow(2).sum();
      if (step % 100 === 99) losses.push(loss.item());
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          p.sub_(p.grad!.mul(5e-6)); // p -= learning_rate * p.grad
          p.grad = null;
        }
      });
    }
    closeAll(losses, g.losses, 1e-9);
    closeAll(params.map((p) => p.item()), g.abcd, 1e-9);
  });
});
