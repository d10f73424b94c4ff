import { describe, expect, it } from 'vitest';
import { randn, relu, type Tensor } from '@dl/autograd';
import { Linear, LogSoftmax, Module, ModuleDict, ModuleList, ReLU, Sequential, Tanh } from '@dl/nn';
import { expectClose, golden } from './support/golden.js';

describe('Sequential', () => {
  it('numbers its children, feeds each output to the next, and indexes like PyTorch', () => {
    const a = new Linear(4, 3);
    const r = new ReLU();
    const b = new Linear(3, 2);
    const s = new Sequential(a, r, b);
    expect(s.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect([s[0], s[1], s[2], s.at(-1), s.length]).toEqual([a, r, b, b, 3]);
    expect([...s]).toEqual([a, r, b]);
    const x = randn([5, 4]);
    expectClose(s.forward(x), b.forward(relu(a.forward(x))), { atol: 0, rtol: 0 });
    s.append(new Tanh());
    expect(s.length).toBe(4);
    expect(s[3]).toBeInstanceOf(Tanh);
    expect(() => s.at(7)).toThrow(/Sequential: index 7 is out of range for 4 modules/);
  });

  it('takes named modules from an object, as an OrderedDict in PyTorch', () => {
    const s = new Sequential({ hidden: new Linear(2, 3), act: new ReLU(), out: new Linear(3, 1) });
    expect(s.namedParameters().map(([n]) => n)).toEqual(['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']);
    expect(s[2]).toBeInstanceOf(Linear);
    expect(s.toString()).toBe(
      'Sequential(\n  (hidden): Linear(in_features=2, out_features=3, bias=True)\n  (act): ReLU()\n  (out): Linear(in_features=3, out_features=1, bias=True)\n)',
    );
  });

  it('an empty Sequential is the identity', () => {
    const x = randn([2]);
    expect(new Sequential().forward(x)).toBe(x);
  });

  it('rejects what is not a module', () => {
    expect(() => new Sequential(new ReLU(), 3 as unknown as Module)).toThrow(/Sequential: item '1' is not a Module \(got number\)/);
    expect(() => new Sequential({ 'a.b': new ReLU() })).toThrow(/Sequential: module name must be a non-empty string without '\.'/);
  });
});

describe('ModuleList', () => {
  it('registers its modules under 0., 1., ... and supports append, extend, insert', () => {
    const l = new ModuleList([new Linear(2, 2)]);
    l.append(new Linear(2, 3)).extend([new ReLU()]);
    l.insert(0, new Linear(1, 2));
    expect(l.length).toBe(4);
    expect(l.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      '0.weight:2x1', '0.bias:2', '1.weight:2x2', '1.bias:2', '2.weight:3x2', '2.bias:3',
    ]);
    expect(l[3]).toBeInstanceOf(ReLU);
    expect(l.at(-1)).toBe(l[3]);
  });

  it('is used from a module field, PyTorch-style, and has no forward of its own', () => {
    class Deep extends Module {
      layers = new ModuleList(Array.from({ length: 3 }, () => new Linear(4, 4)));
      forward(x: Tensor): Tensor {
        for (const layer of this.layers) x = relu(layer.forward(x));
        return x;
      }
    }
    const d = new Deep();
    expect(d.namedParameters().map(([n]) => n)).toEqual([
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.2.weight', 'layers.2.bias',
    ]);
    expect(d.forward(randn([2, 4])).shape).toEqual([2, 4]);
    expect(() => d.layers.forward()).toThrow(/ModuleList: has no forward/);
  });

  it('prints runs of identical modules once, as PyTorch', () => {
    const blocks = new ModuleList([new Linear(4, 4), new Linear(4, 4), new Linear(4, 4), new Tanh(), new Linear(4, 2)]);
    expect(blocks.toString()).toBe(golden.repr.ModuleList);
  });
});

describe('ModuleDict', () => {
  it('registers modules under their keys and behaves like a Map', () => {
    const d = new ModuleDict({ digit: new Linear(64, 10), parity: new Sequential(new Linear(64, 2), new LogSoftmax(1)) });
    expect(d.namedParameters().map(([n]) => n)).toEqual(['digit.weight', 'digit.bias', 'parity.0.weight', 'parity.0.bias']);
    expect(d.toString()).toBe(golden.repr.ModuleDict);
    expect([...d.keys()]).toEqual(['digit', 'parity']);
    expect(d.has('digit') && d.size === 2).toBe(true);
    d.set('extra', new ReLU());
    expect([...d].map(([k]) => k)).toEqual(['digit', 'parity', 'extra']);
    expect(d.pop('extra')).toBeInstanceOf(ReLU);
    expect(() => d.get('nope')).toThrow(/ModuleDict: no module named 'nope' \(keys: digit, parity\)/);
    expect(() => d.set('', new ReLU())).toThrow(/ModuleDict: module name must be a non-empty string/);
    expect(() => d.forward()).toThrow(/ModuleDict: has no forward/);
  });
});
