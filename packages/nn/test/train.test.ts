// PyTorch tutorial models written line for line in TypeScript, trained on toy problems: the loss must fall.
import { describe, expect, it } from 'vitest';
import { argmax, eq, manualSeed, noGrad, randn, tensor, Tensor } from '@dl/autograd';
import { Conv2d, CrossEntropyLoss, F, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential, type Parameter } from '@dl/nn';

/** `with torch.no_grad(): for p in model.parameters(): p -= p.grad * lr` */
function sgdStep(params: Parameter[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      if (p.grad === null) continue;
      for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i]! - lr * p.grad.data[i]!;
    }
  });
}

function accuracy(out: Tensor, yb: Tensor): number {
  return eq(argmax(out, { dim: 1 }), yb).mean().item();
}

/** Three Gaussian blobs in 2-D, 60 points each. */
function blobs(): { x: Tensor; y: Tensor } {
  const centres = [[2, 0], [-1, 1.7], [-1, -1.7]];
  const noise = randn([180, 2]);
  const x = new Float32Array(360);
  const y = new Float32Array(180);
  for (let i = 0; i < 180; i++) {
    const c = i % 3;
    x[2 * i] = centres[c]![0]! + 0.5 * noise.data[2 * i]!;
    x[2 * i + 1] = centres[c]![1]! + 0.5 * noise.data[2 * i + 1]!;
    y[i] = c;
  }
  return { x: new Tensor(x, [180, 2]), y: new Tensor(y, [180]) };
}

describe('a PyTorch-tutorial model trains', () => {
  it('an MLP with nn.Sequential, CrossEntropyLoss and a hand-written SGD step ("What is torch.nn really?")', () => {
    manualSeed(0);
    const { x: xTrain, y: yTrain } = blobs();

    class Classifier extends Module {
      linearReluStack = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 3));
      forward(x: Tensor): Tensor {
        return this.linearReluStack.forward(x);
      }
    }
    const model = new Classifier();
    const lossFunc = new CrossEntropyLoss();
    const lr = 0.1;
    const bs = 30;
    const first = lossFunc.forward(model.forward(xTrain), yTrain).item();
    for (let epoch = 0; epoch < 15; epoch++) {
      for (let i = 0; i < 180 / bs; i++) {
        const xb = xTrain.slice(0, i * bs, (i + 1) * bs);
        const yb = yTrain.slice(0, i * bs, (i + 1) * bs);
        const pred = model.forward(xb);
        const loss = lossFunc.forward(pred, yb);
        loss.backward();
        sgdStep(model.parameters(), lr);
        model.zeroGrad();
      }
    }
    const out = noGrad(() => model.forward(xTrain));
    const last = lossFunc.forward(out, yTrain).item();
    expect(last).toBeLessThan(first / 4);
    expect(accuracy(out, yTrain)).toBeGreaterThan(0.95);
  });

  it('a small CNN (Conv2d, ReLU, MaxPool2d, Flatten, Linear) with F.crossEntropy learns bar orientation', () => {
    manualSeed(1);
    // 8x8 images of one horizontal (class 0) or vertical (class 1) bar, plus noise.
    const n = 64;
    const noise = randn([n, 1, 8, 8]);
    const data = new Float32Array(n * 64);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const vertical = i % 2;
      const at = (i * 5) % 8;
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const on = vertical ? c === at : r === at;
          data[i * 64 + r * 8 + c] = (on ? 1 : 0) + 0.2 * noise.data[i * 64 + r * 8 + c]!;
        }
      }
      labels.push(vertical);
    }
    const x = new Tensor(data, [n, 1, 8, 8]);
    const y = tensor(labels);

    class Net extends Module {
      conv1 = new Conv2d(1, 4, 3, { padding: 1 });
      pool = new MaxPool2d(2);
      conv2 = new Conv2d(4, 4, 3, { padding: 1 });
      flatten = new Flatten();
      fc = new Linear(4 * 2 * 2, 2);
      forward(x: Tensor): Tensor {
        x = this.pool.forward(F.relu(this.conv1.forward(x)));
        x = this.pool.forward(F.relu(this.conv2.forward(x)));
        return this.fc.forward(this.flatten.forward(x));
      }
    }
    const net = new Net();
    const first = F.crossEntropy(net.forward(x), y).item();
    for (let step = 0; step < 80; step++) {
      const loss = F.crossEntropy(net.forward(x), y);
      net.zeroGrad();
      loss.backward();
      sgdStep(net.parameters(), 0.3);
    }
    const out = noGrad(() => net.forward(x));
    expect(F.crossEntropy(out, y).item()).toBeLessThan(first / 3);
    expect(accuracy(out, y)).toBeGreaterThan(0.9);
  });
});
