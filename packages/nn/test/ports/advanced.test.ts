// Ports (issue 9), graphs a PyTorch user builds by hand: a WGAN-GP gradient penalty (gradients of
// gradients), a char-RNN step written with matmul and tanh, and attention by hand with a causal mask;
// checked against PyTorch (fixtures/ports.py).
import { describe, it } from 'vitest';
import { gradients, noGrad, ones, onesLike, tanh, tensor, triu, zeros, type Tensor } from '@dl/autograd';
import { F, Linear, Sequential, Tanh } from '@dl/nn';
import { clipGradNorm_ } from '@dl/optim';
import { close, closeTensor, ports, t64, withWeights } from './golden.js';

describe('port: WGAN-GP gradient penalty', () => {
  it('torch.autograd.grad(create_graph=True), the norm penalty, and backward through both', () => {
    const g = ports.wganGp;
    const critic = withWeights(new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1)), g.init);
    const [real, fake, alpha] = [t64(g.real), t64(g.fake), t64(g.alpha)];
    const interp = alpha.mul(real).add(alpha.neg().add(1).mul(fake)).requiresGrad_(); // (alpha*real + (1-alpha)*fake).requires_grad_(True)
    const dInterp = critic.forward(interp);
    const [grads] = gradients([dInterp], [interp], { gradOutputs: [onesLike(dInterp)], createGraph: true });
    const gp = grads!.norm({ p: 2, dim: 1 }).sub(1).pow(2).mean(); // ((grads.norm(2, dim=1) - 1) ** 2).mean()
    const loss = critic.forward(fake).mean().sub(critic.forward(real).mean()).add(gp.mul(10));
    loss.backward();
    close(gp.item(), g.gp);
    close(loss.item(), g.loss);
    const [first, , last] = critic.children() as [Linear, Tanh, Linear];
    closeTensor(first.weight.grad, g.grad0weight);
    closeTensor(last.bias!.grad, g.grad2bias);
  });
});

describe('port: a hand-written char-RNN step', () => {
  it('one-hot inputs, h = tanh(x·Wxh + h·Whh + bh), summed cross entropy, clipGradNorm_, an SGD step', () => {
    const g = ports.charRnn;
    const [vocab, hidden] = [5, 6];
    const Wxh = t64(g.init.Wxh, true);
    const Whh = t64(g.init.Whh, true);
    const Why = t64(g.init.Why, true);
    const bh = zeros([hidden], { dtype: 'float64', requiresGrad: true });
    const by = zeros([vocab], { dtype: 'float64', requiresGrad: true });
    const seq: number[] = g.seq;
    const I = tensor(Array.from({ length: vocab }, (_, i) => Array.from({ length: vocab }, (_, j) => (i === j ? 1 : 0))), { dtype: 'float64' }); // torch.eye(vocab)
    let h: Tensor = zeros([1, hidden], { dtype: 'float64' });
    let loss: Tensor = tensor(0, { dtype: 'float64' });
    for (let t = 0; t < seq.length - 1; t++) {
      const x = I.index(seq[t]!).unsqueeze(0); //               torch.eye(vocab)[seq[t]].unsqueeze(0)
      h = tanh(x.matmul(Wxh).add(h.matmul(Whh)).add(bh));
      const logits = h.matmul(Why).add(by);
      loss = loss.add(F.crossEntropy(logits, tensor([seq[t + 1]!], { dtype: 'float64' })));
    }
    loss.backward();
    close(loss.item(), g.loss);
    closeTensor(Whh.grad, g.gradWhh);
    const norm = clipGradNorm_([Wxh, Whh, Why, bh, by], 1.0);
    close(norm, g.gradNorm);
    noGrad(() => {
      for (const p of [Wxh, Whh, Why, bh, by]) p.sub_(p.grad!.mul(0.5)); // p -= 0.5 * p.grad
    });
    closeTensor(Whh, g.WhhAfter);
  });
});

describe('port: attention by hand', () => {
  it('q·kᵀ/√d, maskedFill(causal, −inf), softmax, ·v; the weights and the gradient of Wq', () => {
    const g = ports.attention;
    const D = 8;
    const x = t64(g.x);
    const [Wq, Wk, Wv] = [t64(g.init.Wq, true), t64(g.init.Wk, true), t64(g.init.Wv, true)];
    const [q, k, v] = [x.matmul(Wq), x.matmul(Wk), x.matmul(Wv)];
    let scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(D));
    const causal = triu(ones([4, 4], { dtype: 'float64' }), 1); //   torch.triu(torch.ones(T, T, dtype=bool), diagonal=1)
    scores = scores.maskedFill(causal, -Infinity);
    const attn = scores.softmax(-1);
    const loss = attn.matmul(v).pow(2).mean();
    loss.backward();
    closeTensor(attn.index(0), g.attn);
    close(loss.item(), g.loss);
    closeTensor(Wq.grad, g.gradWq);
  });
});
