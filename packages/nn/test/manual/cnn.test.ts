import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, Tensor, zeros } from '@dl/autograd';
import { TorchCNN, manual } from '@dl/nn';
import { arbDistinctTensor, checkAgainstTwin, crossCheck } from '@dl/nn/testing';
import { allClose, fillNormal, seed, size } from './arbitraries.js';

const f64 = { dtype: 'float64' } as const;

/** A manual CNN with random weights and non-zero biases drawn from `s`. */
function cnn(inC: number, hidden: number, outF: number, imageSize: number, s: number): manual.CNN {
  const net = new manual.CNN(inC, hidden, outF, { ...f64, imageSize, generator: new Generator(s) });
  net.paramLayers().forEach((l, i) => fillNormal(l.b, s + i + 1));
  return net;
}

// Distinct input values keep max-pool windows free of ties (see arbDistinctTensor).
const arbCNN = fc
  .record({ inC: size(2), hidden: size(3), outF: size(3), imageSize: fc.integer({ min: 4, max: 9 }), n: size(2), s: seed })
  .chain((c) => fc.tuple(fc.constant(c), arbDistinctTensor([c.n, c.inC, c.imageSize, c.imageSize])));

describe('manual.CNN agrees with TorchCNN', () => {
  it('output, dx and the dW, db of both convolutions and the linear layer match autograd', () => {
    fc.assert(
      fc.property(arbCNN, ([c, x]) =>
        checkAgainstTwin(cnn(c.inC, c.hidden, c.outF, c.imageSize, c.s), new TorchCNN(c.inC, c.hidden, c.outF, { ...f64, imageSize: c.imageSize }), x, { seed: c.s })),
      { numRuns: 30 },
    );
  });

  it('crossCheck on 28x28 MNIST-sized images', () => {
    crossCheck(cnn(1, 2, 3, 28, 5), new TorchCNN(1, 2, 3, f64), { inputShape: [1, 1, 28, 28], distinct: true, numRuns: 5 });
  });

  it('one optimizerStep(lr) equals one SGD step on the twin', () => {
    fc.assert(
      fc.property(arbCNN, fc.double({ min: 1e-3, max: 1, noNaN: true }), ([c, x], lr) => {
        const net = cnn(c.inC, c.hidden, c.outF, c.imageSize, c.s);
        const twin = new TorchCNN(c.inC, c.hidden, c.outF, { ...f64, imageSize: c.imageSize });
        manual.copyToTwin(net, twin);
        const y = net.forward(x);
        const dy = fillNormal(new Tensor(new Float64Array(y.numel()), y.shape), c.s);
        net.backward(dy);
        twin.forward(x).backward(dy);
        net.optimizerStep(lr);
        for (const p of twin.parameters()) for (let i = 0; i < p.data.length; i++) p.data[i] = p.data[i]! - lr * p.grad!.data[i]!;
        return manual.pairWithTwin(net, twin).every((p) =>
          allClose(p.manual.W.data, manual.toManualLayout(p, p.twin.weight).data) && allClose(p.manual.b.data, p.twin.bias.data));
      }),
      { numRuns: 15 },
    );
  });
});

describe('manual.CNN structure', () => {
  it('has TorchCNN layers: two conv 3x3 / ReLU / pool 2 blocks, then Flatten and Linear(hidden·7·7, out)', () => {
    const net = new manual.CNN(1, 4, 10);
    expect(net.layers.map((l) => l.constructor.name)).toEqual(['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']);
    const [c1, , p1, c2] = net.layers as [manual.Conv2d, manual.ReLU, manual.MaxPool2d, manual.Conv2d];
    expect([c1.W.shape, c1.stride, c1.padding]).toEqual([[4, 1, 3, 3], 1, 1]);
    expect([p1.kernelSize, p1.stride, p1.padding]).toEqual([2, 2, 0]);
    expect(c2.W.shape).toEqual([4, 4, 3, 3]);
    expect((net.layers[7] as manual.Linear).W.shape).toEqual([4 * 7 * 7, 10]);
    expect(net.forward(zeros([2, 1, 28, 28])).shape).toEqual([2, 10]);
  });

  it('resetParams uses each layer default: Gaussian conv weights with zero biases', () => {
    const net = new manual.CNN(1, 2, 3, { ...f64, imageSize: 8 });
    net.paramLayers().forEach((l) => l.b.data.fill(5));
    net.resetParams();
    const [c1, c2, fc1] = net.paramLayers();
    expect(Array.from(c1!.b.data)).toEqual([0, 0]);
    expect(Array.from(c2!.b.data)).toEqual([0, 0]);
    expect(Array.from(fc1!.b.data).every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe('manual.CNN errors', () => {
  it('names the layer and the shapes', () => {
    const net = new manual.CNN(1, 2, 3);
    expect(() => net.forward(zeros([1, 1, 27, 27]))).toThrow(/CNN: expected images of shape \[N, 1, 28, 28\], got \[1,1,27,27\]/);
    expect(() => net.forward(zeros([1, 28, 28]))).toThrow(/CNN: expected images of shape \[N, 1, 28, 28\], got \[1,28,28\]/);
    expect(() => net.forward(zeros([1, 2, 28, 28]))).toThrow(/Conv2d: expected 1 input channels, got shape \[1,2,28,28\]/);
    expect(() => new manual.CNN(1, 0, 3)).toThrow(/CNN: hiddenChannels must be a positive integer, got 0/);
    expect(() => new manual.CNN(1, 2, 3, { imageSize: 3 })).toThrow(/CNN: imageSize must be an integer >= 4, got 3/);
  });
});
