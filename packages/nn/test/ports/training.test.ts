// Ports (issue 9), training loops: a classifier with a scheduler, the official quickstart (shrunk),
// a small CNN, and save / load / resume through @dl/io; checked against PyTorch (fixtures/ports.py).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noGrad, type Tensor } from '@dl/autograd';
import { Conv2d, CrossEntropyLoss, F, Flatten, Linear, MaxPool2d, ReLU, Sequential, Tanh } from '@dl/nn';
import { Adam, SGD, StepLR, type OptimizerStateDict } from '@dl/optim';
import { load, loadState, save, saveState } from '@dl/io';
import { close, closeAll, closeTensor, labels, ports, t64, withWeights } from './golden.js';

describe('port: a classifier with a scheduler', () => {
  it('MLP + CrossEntropyLoss + SGD(momentum) + StepLR over minibatches', () => {
    const g = ports.classifier;
    const [X, y] = [t64(g.X), labels(g.labels)];
    const model = withWeights(new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3)), g.init);
    const opt = new SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
    const sched = new StepLR(opt, { stepSize: 5, gamma: 0.5 });
    const lossFn = new CrossEntropyLoss();
    const epochLosses: number[] = [];
    const lrs: number[] = [];
    for (let epoch = 0; epoch < 12; epoch++) {
      let total = 0;
      for (let i = 0; i < 24; i += 8) {
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(X.index(`${i}:${i + 8}`)), y.index(`${i}:${i + 8}`)); // X[i:i+8]
        loss.backward();
        opt.step();
        total += loss.item();
      }
      sched.step();
      epochLosses.push(total / 3);
      lrs.push(opt.paramGroups[0]!.lr);
    }
    closeAll(epochLosses, g.epochLosses, 1e-9);
    closeAll(lrs, g.lrs);
    const acc = noGrad(() => model.forward(X).argmax(1).eq(y).double().mean().item()); // (model(X).argmax(1) == labels).double().mean()
    close(acc, g.accuracy);
  });
});

describe('port: the quickstart (shrunk): train() and test() loops', () => {
  it('Flatten + Linear/ReLU stack, CrossEntropyLoss, SGD; test loss and accuracy as PyTorch', () => {
    const g = ports.quickstart;
    const [images, y] = [t64(g.images), labels(g.labels)];
    const model = withWeights(new Sequential(new Flatten(), new Linear(36, 16), new ReLU(), new Linear(16, 16), new ReLU(), new Linear(16, 10)), g.init);
    const lossFn = new CrossEntropyLoss();
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    const batches = [0, 4, 8, 12].map((i) => [images.narrow(0, i, 4), y.narrow(0, i, 4)] as const);
    const trainLosses: number[] = [];
    const train = () => {
      model.train();
      for (const [X, Y] of batches) {
        const pred = model.forward(X);
        const loss = lossFn.forward(pred, Y);
        loss.backward();
        optimizer.step();
        optimizer.zeroGrad();
        trainLosses.push(loss.item());
      }
    };
    const test = () => {
      model.eval();
      let testLoss = 0;
      let correct = 0;
      noGrad(() => {
        for (const [X, Y] of batches) {
          const pred = model.forward(X);
          testLoss += lossFn.forward(pred, Y).item();
          correct += pred.argmax(1).eq(Y).sum().item();
        }
      });
      return [testLoss / batches.length, correct / 16];
    };
    for (let t = 0; t < 2; t++) train();
    const [testLoss, accuracy] = test();
    closeAll(trainLosses, g.trainLosses, 1e-9);
    close(testLoss!, g.testLoss, 1e-9);
    close(accuracy!, g.accuracy);
  });
});

describe('port: a small CNN', () => {
  it('Conv2d(1, 4, 3, padding=1), ReLU, MaxPool2d(2), Flatten, Linear: losses and the conv gradient', () => {
    const g = ports.cnn;
    const cnn = withWeights(new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 3)), g.init);
    const [images, y] = [t64(g.images), labels(g.labels)];
    const opt = new SGD(cnn.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const loss = F.crossEntropy(cnn.forward(images), y);
      loss.backward();
      if (step === 0) closeTensor((cnn.getSubmodule('0') as Conv2d).weight.grad, g.convGrad, 1e-9);
      opt.step();
      losses.push(loss.item());
    }
    closeAll(losses, g.losses, 1e-9);
  });
});

describe('port: save / load / resume through @dl/io', () => {
  it('3 Adam steps, a checkpoint on disk, 3 more steps in a fresh model and optimizer: PyTorch\'s 6 losses', () => {
    const g = ports.resume;
    const [X, y] = [t64(g.X), t64(g.y)];
    const make = () => new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 1));
    const dir = mkdtempSync(join(tmpdir(), 'dl-port-'));
    try {
      const losses: number[] = [];
      const run = (model: Sequential, opt: Adam, n: number) => {
        for (let step = 0; step < n; step++) {
          opt.zeroGrad();
          const loss = F.mseLoss(model.forward(X), y);
          loss.backward();
          opt.step();
          losses.push(loss.item());
        }
      };
      const model = withWeights(make(), g.init);
      const opt = new Adam(model.parameters(), { lr: 0.05 });
      run(model, opt, 3);
      save(model.stateDict(), join(dir, 'model.safetensors')); //         torch.save(model.state_dict(), ...)
      saveState(opt.stateDict(), join(dir, 'optim.safetensors')); //       torch.save(opt.state_dict(), ...)
      const model2 = make().double();
      model2.loadStateDict(load(join(dir, 'model.safetensors'))); //     model.load_state_dict(torch.load(...))
      const opt2 = new Adam(model2.parameters(), { lr: 0.05 });
      opt2.loadStateDict(loadState<OptimizerStateDict<never>>(join(dir, 'optim.safetensors')));
      run(model2, opt2, 3);
      closeAll(losses, g.losses, 1e-9);
      for (const [k, p] of Object.entries(model2.stateDict())) closeTensor(p as Tensor, g.final[k], 1e-9);
      expect(Object.keys(model2.stateDict())).toEqual(Object.keys(g.final));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
