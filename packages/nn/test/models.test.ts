import { describe, expect, it } from 'vitest';
import { randn, tensor, type Tensor } from '@dl/autograd';
import {
  AvgPool2d, BCEWithLogitsLoss, Conv2d, CrossEntropyLoss, Dropout, Flatten, GELU, Identity, LeakyReLU, Linear, LogSoftmax,
  MaxPool2d, Module, ReLU, Sequential, Softmax, TorchCNN, TorchNet,
} from '@dl/nn';
import { expectClose, fromJSON, golden, stateFromJSON } from './support/golden.js';

/** PyTorch's quickstart model, line for line. */
class NeuralNetwork extends Module {
  flatten = new Flatten();
  linearReluStack = new Sequential(
    new Linear(28 * 28, 512),
    new ReLU(),
    new Linear(512, 512),
    new ReLU(),
    new Linear(512, 10),
  );
  forward(x: Tensor): Tensor {
    x = this.flatten.forward(x);
    return this.linearReluStack.forward(x);
  }
}

describe('TorchNet and TorchCNN', () => {
  it("have PyTorch's parameter names", () => {
    expect(new TorchNet(784, 128, 10).namedParameters().map(([n]) => n)).toEqual(golden.models.torchNetNames);
    expect(new TorchCNN(1, 16, 10).namedParameters().map(([n]) => n)).toEqual(golden.models.torchCnnNames);
    expect(Object.keys(new NeuralNetwork().stateDict())).toEqual(golden.stateDictKeys.NeuralNetwork);
  });

  it("TorchCNN loaded with PyTorch's weights gives PyTorch's logits", () => {
    const g = golden.models.torchCnnForward;
    const cnn = new TorchCNN(1, 2, 3, { dtype: 'float64' });
    cnn.loadStateDict(stateFromJSON(g.state));
    expectClose(cnn.forward(fromJSON(g.x)), g.y);
  });

  it('shapes: TorchNet [N, in] → [N, out]; TorchCNN [N, C, 28, 28] → [N, out], other sizes via imageSize', () => {
    expect(new TorchNet(5, 7, 3).forward(randn([4, 5])).shape).toEqual([4, 3]);
    expect(new TorchCNN(3, 4, 10).forward(randn([2, 3, 28, 28])).shape).toEqual([2, 10]);
    expect(new TorchCNN(1, 4, 10, { imageSize: 32 }).forward(randn([1, 1, 32, 32])).shape).toEqual([1, 10]);
    expect(() => new TorchCNN(1, 4, 10).forward(randn([2, 1, 32, 32]))).toThrow(/TorchCNN: expected images of shape \[N, C, 28, 28\], got \[2,1,32,32\]/);
  });
});

describe('toString matches PyTorch printing', () => {
  const cases: [string, () => Module][] = [
    ['Linear', () => new Linear(784, 10)],
    ['LinearNoBias', () => new Linear(3, 4, { bias: false })],
    ['Conv2d', () => new Conv2d(1, 8, 3, { padding: 1 })],
    ['Conv2dFull', () => new Conv2d(2, 4, [3, 5], { stride: 2, dilation: [2, 1], bias: false })],
    ['Conv2dSame', () => new Conv2d(1, 8, 3, { padding: 'same' })],
    ['MaxPool2d', () => new MaxPool2d(2)],
    ['MaxPool2dFull', () => new MaxPool2d([2, 3], { stride: 1, padding: 1 })],
    ['AvgPool2d', () => new AvgPool2d(3, { stride: 2, padding: 1 })],
    ['LeakyReLU', () => new LeakyReLU({ negativeSlope: 0.2 })],
    ['LeakyReLUSmall', () => new LeakyReLU({ negativeSlope: 1e-5 })],
    ['GELU', () => new GELU({ approximate: 'tanh' })],
    ['Softmax', () => new Softmax(1)],
    ['LogSoftmax', () => new LogSoftmax(-1)],
    ['Flatten', () => new Flatten()],
    ['Identity', () => new Identity()],
    ['Dropout', () => new Dropout(0.25)],
    ['CrossEntropyLoss', () => new CrossEntropyLoss({ labelSmoothing: 0.1 })],
    ['TorchNet', () => new TorchNet(784, 128, 10)],
    ['TorchCNN', () => new TorchCNN(1, 16, 10)],
    ['NeuralNetwork', () => new NeuralNetwork()],
    ['EmptySequential', () => new Sequential()],
  ];
  it.each(cases)('%s', (key, make) => {
    expect(make().toString()).toBe(golden.repr[key]);
  });

  it('a module without settings or children prints as Name()', () => {
    expect(new BCEWithLogitsLoss({ posWeight: tensor([2]) }).toString()).toBe('BCEWithLogitsLoss()');
  });
});
