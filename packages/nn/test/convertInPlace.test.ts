// Module.to(dtype) / double() / float() convert in place (issue 9): the same Parameter objects, their
// .grad and buffers converted, version counters continued, and an optimizer built before still trains.
import { describe, expect, it } from 'vitest';
import { Generator, setDType_, tensor, Tensor, versionOf } from '@dl/autograd';
import { BatchNorm1d, F, Linear, Module, Sequential, Tanh } from '@dl/nn';

const mse = (a: Tensor, b: Tensor): Tensor => F.mseLoss(a, b);
import { Adam, SGD } from '@dl/optim';

describe('Module.to converts in place', () => {
  it('keeps the Parameter objects, converting values, .grad and buffers', () => {
    const m = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const params = m.parameters();
    const buffers = m.buffers();
    const x = tensor([[1, 2, 3], [0, 1, -1]]);
    m.forward(x).sum().backward();
    const w = params[0]!;
    const before = Array.from(w.data);
    const gradBefore = Array.from(w.grad!.data);
    m.double();
    expect(m.parameters()).toEqual(params);
    m.parameters().forEach((p, i) => expect(p).toBe(params[i]));
    m.buffers().forEach((b, i) => expect(b).toBe(buffers[i]));
    expect(params.every((p) => p.dtype === 'float64' && p.data instanceof Float64Array && p.requiresGrad)).toBe(true);
    expect(buffers.every((b) => b.dtype === 'float64')).toBe(true);
    expect(Array.from(w.data)).toEqual(before);
    expect(w.grad!.dtype).toBe('float64');
    expect(Array.from(w.grad!.data)).toEqual(gradBefore);
    expect(m.forward(x.to('float64')).dtype).toBe('float64');
    m.float();
    expect(w.dtype).toBe('float32');
    expect(w.grad!.dtype).toBe('float32');
  });

  it('continues the version count, so a graph recorded before the conversion refuses to backward', () => {
    const lin = new Linear(2, 1);
    const y = lin.forward(tensor([[1, 2]])).sum();
    const v = versionOf(lin.weight);
    lin.double();
    expect(versionOf(lin.weight)).toBe(v + 1);
    expect(() => y.backward()).toThrow(/modified in place|converted in place, e\.g\. by model\.double\(\), after the forward\? run the forward again/);
  });

  it('an Adam built before model.double() trains the model: loss falls over 20 steps', () => {
    const g = new Generator(3);
    const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
    const opt = new Adam(model.parameters(), { lr: 0.05 });
    const x = tensor(Array.from({ length: 16 }, () => [g.normal(), g.normal()]), { dtype: 'float64' });
    const y = tensor(Array.from({ length: 16 }, (_, i) => [x.data[2 * i]! - 0.5 * x.data[2 * i + 1]!]), { dtype: 'float64' });
    // One float32 step first, so Adam's state exists in the old dtype.
    opt.zeroGrad();
    mse(model.forward(x.to('float32')), y.to('float32')).backward();
    opt.step();
    model.double();
    expect(opt.paramGroups[0]!.params).toEqual(model.parameters());
    opt.paramGroups[0]!.params.forEach((p, i) => expect(p).toBe(model.parameters()[i]));
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      const loss = mse(model.forward(x), y);
      losses.push(loss.item());
      loss.backward();
      opt.step();
    }
    expect(losses[19]!).toBeLessThan(losses[0]! * 0.5);
    for (const s of opt.state.values()) for (const v of Object.values(s)) if (typeof v === 'object') expect(v).toBeInstanceOf(Float64Array);
  });

  it('an SGD built before model.float() trains too', () => {
    const lin = new Linear(1, 1).double();
    const opt = new SGD(lin.parameters(), { lr: 0.1 });
    lin.float();
    const x = tensor([[1], [2], [3]]);
    const y = tensor([[2], [4], [6]]);
    const first = mse(lin.forward(x), y).item();
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      mse(lin.forward(x), y).backward();
      opt.step();
    }
    expect(mse(lin.forward(x), y).item()).toBeLessThan(first * 0.1);
  });

  it('setDType_ refuses a non-leaf and a bad dtype, naming itself', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => setDType_(x.mul(2), 'float64')).toThrow(/setDType_: cannot convert a non-leaf tensor \(made by 'mul'\)/);
    expect(() => setDType_(x, 'int8' as never)).toThrow(/setDType_: unsupported dtype 'int8'/);
    expect(() => new Linear(1, 1).to('float16' as never)).toThrow(/Module.to: unsupported dtype 'float16'/);
    class Plain extends Module {
      forward(t: Tensor): Tensor {
        return t;
      }
    }
    expect(new Plain().double()).toBeInstanceOf(Plain);
  });
});
