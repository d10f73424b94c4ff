import { describe, expect, it } from 'vitest';
import { Generator, randn, sum } from '@dl/autograd';
import { Conv2d, Linear, ReLU, TorchCNN, TorchNet, manual } from '@dl/nn';
import { allClose } from './arbitraries.js';

const f64 = { dtype: 'float64' } as const;

describe('copyToTwin / copyFromTwin', () => {
  it('Linear: the twin weight [out, in] is the transpose of W [in, out]; the bias is copied', () => {
    const m = new manual.Linear(3, 2, { ...f64, generator: new Generator(1) });
    const twin = new Linear(3, 2, f64);
    manual.copyToTwin(m, twin);
    expect(twin.weight.shape).toEqual([2, 3]);
    for (let i = 0; i < 3; i++) for (let o = 0; o < 2; o++) expect(twin.weight.data[o * 3 + i]).toBe(m.W.data[i * 2 + o]);
    expect(Array.from(twin.bias!.data)).toEqual(Array.from(m.b.data));
    const back = new manual.Linear(3, 2, f64);
    manual.copyFromTwin(twin, back);
    expect(Array.from(back.W.data)).toEqual(Array.from(m.W.data));
    expect(Array.from(back.b.data)).toEqual(Array.from(m.b.data));
  });

  it('Conv2d: the same layout both ways; the copies compute the same output', () => {
    const twin = new Conv2d(2, 3, 3, { stride: 2, padding: 1, ...f64 });
    const m = new manual.Conv2d(2, 3, 3, 2, 1, f64);
    manual.copyFromTwin(twin, m);
    expect(Array.from(m.W.data)).toEqual(Array.from(twin.weight.data));
    const x = randn([2, 2, 5, 5], f64);
    expect(allClose(m.forward(x).data, twin.forward(x).data)).toBe(true);
  });

  it('Net ↔ TorchNet and CNN ↔ TorchCNN, layer by layer in forward order', () => {
    const twinNet = new TorchNet(4, 5, 3, f64);
    const net = new manual.Net([new manual.Linear(4, 5, f64), new manual.ReLU(), new manual.Linear(5, 3, f64)]);
    manual.copyFromTwin(twinNet, net);
    const x = randn([2, 4], f64);
    expect(allClose(net.forward(x).data, twinNet.forward(x).data)).toBe(true);

    const cnn = new manual.CNN(1, 2, 3, { ...f64, imageSize: 8, generator: new Generator(2) });
    const twinCNN = new TorchCNN(1, 2, 3, { ...f64, imageSize: 8 });
    manual.copyToTwin(cnn, twinCNN);
    const img = randn([2, 1, 8, 8], f64);
    expect(allClose(cnn.forward(img).data, twinCNN.forward(img).data)).toBe(true);
    expect(manual.pairWithTwin(cnn, twinCNN).map((p) => [p.index, p.manual.constructor.name, p.transposed])).toEqual([
      [0, 'Conv2d', false], [1, 'Conv2d', false], [2, 'Linear', true],
    ]);
  });

  it('copyFromTwin clears the manual gradients; a float32 twin takes rounded values', () => {
    const m = new manual.Linear(1, 1, f64);
    m.forward(randn([1, 1], f64));
    m.backward(randn([1, 1], f64));
    m.W.data.set([0.1]);
    const twin32 = new Linear(1, 1);
    manual.copyToTwin(m, twin32);
    expect(twin32.weight.data[0]).toBe(Math.fround(0.1));
    manual.copyFromTwin(twin32, m);
    expect(m.dW).toBeNull();
    expect(m.db).toBeNull();
  });

  it('layers without parameters pair with nothing', () => {
    expect(manual.pairWithTwin(new manual.ReLU(), new ReLU())).toEqual([]);
    expect(() => manual.copyToTwin(new manual.ReLU(), new ReLU())).not.toThrow();
  });
});

describe('copy helper errors', () => {
  it('name the helper, the layer and the shapes', () => {
    expect(() => manual.copyToTwin(new manual.Linear(2, 3), new Linear(2, 4))).toThrow(
      /copyToTwin: layer 0 \(Linear\) has W \[2,3\], so the twin's weight should be \[3,2\], but it is \[4,2\]/,
    );
    expect(() => manual.copyFromTwin(new Conv2d(1, 2, 3), new manual.Conv2d(1, 2, 5))).toThrow(
      /copyFromTwin: layer 0 \(Conv2d\) has W \[2,1,5,5\], so the twin's weight should be \[2,1,5,5\], but it is \[2,1,3,3\]/,
    );
    const net = new manual.Net([new manual.Linear(4, 5), new manual.ReLU(), new manual.Linear(5, 3)]);
    expect(() => manual.copyToTwin(net, new TorchCNN(1, 2, 3))).toThrow(
      /copyToTwin: the manual model has 2 layer\(s\) with parameters but the twin has 3 module\(s\) with a weight/,
    );
    expect(() => manual.copyToTwin(new manual.Linear(2, 3), new Linear(2, 3, { bias: false }))).toThrow(/copyToTwin: the twin's layer 0 has no bias/);
  });
});

describe('copyToTwin and the tape', () => {
  it('marks the twin parameters modified, so a graph recorded before the copy cannot backpropagate stale values', () => {
    const twin = new Linear(3, 2);
    // mul reads the weight's values in its backward, so they must not change under it.
    const loss = sum(twin.weight.mul(twin.weight)).add(sum(twin.forward(randn([4, 3]))));
    manual.copyToTwin(new manual.Linear(3, 2), twin);
    expect(() => loss.backward()).toThrow(/was modified in place after the forward/);
  });
});
