// A tiny model trained with autograd alone: a 2-16-1 MLP learns XOR-like quadrants.
import { manualSeed, randn, tensor, matmul, add, tanh, sigmoid, mean, mul, sub, log, noGrad, type Tensor } from '@dl/autograd';

manualSeed(0);
const n = 256;
const x = randn([n, 2]);
const labels = new Float32Array(n);
for (let i = 0; i < n; i++) labels[i] = x.data[2 * i]! * x.data[2 * i + 1]! > 0 ? 1 : 0;
const y = tensor(labels, { shape: [n, 1] });

const w1 = randn([2, 16]).mul(0.7).detach().requiresGrad_();
const b1 = tensor(new Float32Array(16), { shape: [16] }).requiresGrad_();
const w2 = randn([16, 1]).mul(0.25).detach().requiresGrad_();
const b2 = tensor([0]).requiresGrad_();
const params = [w1, b1, w2, b2];

const forward = (inp: Tensor) => sigmoid(add(matmul(tanh(add(matmul(inp, w1), b1)), w2), b2));
const bce = (p: Tensor, t: Tensor) => mean(add(mul(t, log(add(p, 1e-7))), mul(sub(1, t), log(sub(1 + 1e-7, p))))).neg();

for (let step = 0; step <= 500; step++) {
  const p = forward(x);
  const loss = bce(p, y);
  for (const q of params) q.grad = null;
  loss.backward();
  noGrad(() => {
    for (const q of params) for (let i = 0; i < q.data.length; i++) q.data[i] -= 0.5 * q.grad!.data[i]!;
  });
  if (step % 50 === 0) {
    const acc = mean(p.gt(0.5).eq(y)).item();
    console.log(`step ${String(step).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${(acc * 100).toFixed(1)}%`);
  }
}
