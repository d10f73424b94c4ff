import { describe, expect, it } from 'vitest';
import { Generator, ones, randn, relu, Tensor, tensor, zeros } from '@dl/autograd';
import { Conv2d, Linear, Module, Parameter, ReLU, Sequential, TorchCNN, TorchNet } from '@dl/nn';
import { expectClose } from './support/golden.js';

class Block extends Module {
  scale = new Parameter(ones([2]));
  inner = new Linear(2, 2);
  forward(x: Tensor): Tensor {
    return this.inner.forward(x).mul(this.scale);
  }
}

class Net extends Module {
  fc1 = new Linear(3, 2);
  act = new ReLU();
  blocks = [new Block(), new Block()];
  alpha = new Parameter(zeros([1]));
  notAParameter = zeros([5]);
  label = 'net';
  forward(x: Tensor): Tensor {
    let h = relu(this.fc1.forward(x));
    for (const b of this.blocks) h = b.forward(h);
    return h.add(this.alpha);
  }
}

describe('Module: discovery of parameters and sub-modules', () => {
  it('names parameters as PyTorch: own first, then each child in field order, arrays numbered', () => {
    expect(new Net().namedParameters().map(([n]) => n)).toEqual([
      'alpha',
      'fc1.weight', 'fc1.bias',
      'blocks.0.scale', 'blocks.0.inner.weight', 'blocks.0.inner.bias',
      'blocks.1.scale', 'blocks.1.inner.weight', 'blocks.1.inner.bias',
    ]);
  });

  it('lists children and modules with dotted names, skipping non-module fields', () => {
    const net = new Net();
    expect(net.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'blocks.0', 'blocks.1']);
    expect(net.children()).toEqual([net.fc1, net.act, net.blocks[0], net.blocks[1]]);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'blocks.0', 'blocks.0.inner', 'blocks.1', 'blocks.1.inner']);
    expect(net.modules()[0]).toBe(net);
    expect(net.getSubmodule('blocks.1.inner')).toBe(net.blocks[1]!.inner);
    expect(() => net.getSubmodule('blocks.7')).toThrow(/getSubmodule: Net has no sub-module 'blocks' \(in 'blocks.7'\)/);
  });

  it('counts a shared parameter or module once in parameters(), but under every name in stateDict()', () => {
    class Tied extends Module {
      a = new Linear(2, 2);
      b = this.a;
      forward(x: Tensor): Tensor {
        return this.b.forward(this.a.forward(x));
      }
    }
    const t = new Tied();
    expect(t.namedParameters().map(([n]) => n)).toEqual(['a.weight', 'a.bias']);
    expect(t.modules()).toHaveLength(2);
    expect(Object.keys(t.stateDict())).toEqual(['a.weight', 'a.bias', 'b.weight', 'b.bias']);
  });

  it('follows parameters that are replaced or set to null after construction', () => {
    const fc = new Linear(2, 3);
    fc.bias = null;
    expect(fc.namedParameters().map(([n]) => n)).toEqual(['weight']);
    fc.weight = new Parameter(zeros([3, 2]));
    expect(fc.parameters()[0]).toBe(fc.weight);
  });

  it('call() is forward()', () => {
    const net = new Net();
    const x = randn([4, 3]);
    expect(Array.from(net.call(x).data)).toEqual(Array.from(net.forward(x).data));
  });
});

describe('Parameter', () => {
  it('is a leaf tensor that requires grad and shares the values it was made from', () => {
    const t = tensor([1, 2, 3]);
    const p = new Parameter(t);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
    expect(p.data).toBe(t.data);
    expect(new Parameter(t, { requiresGrad: false }).requiresGrad).toBe(false);
    expect(p.toString()).toBe('Parameter containing:\ntensor([1., 2., 3.], requires_grad=True)');
  });
});

describe('Module: modes and gradients', () => {
  it('train() and eval() set training on every module', () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it('zeroGrad drops gradients by default, or zeroes them in place', () => {
    const net = new Net();
    net.forward(randn([4, 3])).sum().backward();
    expect(net.parameters().every((p) => p.grad !== null)).toBe(true);
    const g = net.fc1.weight.grad!;
    net.zeroGrad({ setToNone: false });
    expect(net.fc1.weight.grad).toBe(g);
    expect(Array.from(g.data).every((v) => v === 0)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it('requiresGrad_(false) freezes every parameter', () => {
    const net = new Net().requiresGrad_(false);
    expect(net.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(net.forward(randn([1, 3])).requiresGrad).toBe(false);
  });

  it('apply visits children first, then the module itself', () => {
    const net = new Net();
    const seen: string[] = [];
    net.apply((m) => void seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Block', 'Linear', 'Block', 'Net']);
  });

  it('to(float64) converts every parameter and buffer, keeping shared ones shared', () => {
    class Shared extends Module {
      a = new Linear(2, 2);
      b = this.a;
      forward(x: Tensor): Tensor {
        return this.b.forward(x);
      }
      constructor() {
        super();
        this.registerBuffer('stat', ones([2]));
      }
    }
    const m = new Shared();
    const before = Array.from(m.a.weight.data);
    m.double();
    expect(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && p instanceof Parameter)).toBe(true);
    expect(m.a).toBe(m.b);
    expect(Array.from(m.a.weight.data)).toEqual(before);
    expect(m.buffers()[0]!.dtype).toBe('float64');
    expect(m.forward(randn([1, 2], { dtype: 'float64' })).dtype).toBe('float64');
    m.float();
    expect(m.a.weight.dtype).toBe('float32');
  });
});

describe('Module: buffers', () => {
  class Stats extends Module {
    fc = new Linear(2, 2);
    declare runningMean: Tensor;
    constructor() {
      super();
      this.registerBuffer('runningMean', zeros([2]));
      this.registerBuffer('scratch', ones([3]), { persistent: false });
    }
    forward(x: Tensor): Tensor {
      return this.fc.forward(x).sub(this.runningMean);
    }
  }

  it('are fields, are not parameters, and are saved unless not persistent', () => {
    const s = new Stats();
    expect(s.runningMean.shape).toEqual([2]);
    expect(s.parameters()).toHaveLength(2);
    expect(s.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'scratch']);
    expect(Object.keys(s.stateDict())).toEqual(['runningMean', 'fc.weight', 'fc.bias']);
    s.runningMean = ones([2]);
    expect(Array.from(s.stateDict().runningMean!.data)).toEqual([1, 1]);
  });

  it('bad names are rejected', () => {
    const s = new Stats();
    expect(() => s.registerBuffer('fc', zeros([1]))).toThrow(/registerBuffer: attribute 'fc' already exists on Stats/);
    expect(() => s.registerBuffer('a.b', zeros([1]))).toThrow(/registerBuffer: name must be a non-empty string without '\.'/);
  });
});

describe('Module: registerParameter', () => {
  class Cell extends Module {
    constructor() {
      super();
      this.registerParameter('weight_ih_l0', new Parameter(ones([2, 3])));
      this.registerParameter('bias_ih_l0', null);
    }
    forward(x: Tensor): Tensor {
      return x;
    }
  }

  it('names the parameter by its registered name, which is its state-dict key', () => {
    const c = new Cell();
    expect(c.namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0']);
    expect(Object.keys(c.stateDict())).toEqual(['weight_ih_l0']);
    expect((c as unknown as Record<string, Tensor>).weight_ih_l0!.shape).toEqual([2, 3]);
    c.registerParameter('bias_ih_l0', new Parameter(zeros([2])));
    expect(Object.keys(c.stateDict())).toEqual(['weight_ih_l0', 'bias_ih_l0']);
  });

  it('rejects bad names, plain tensors and clashes', () => {
    const c = new Cell();
    expect(() => c.registerParameter('a.b', null)).toThrow(/registerParameter: name must be a non-empty string without '\.'/);
    expect(() => c.registerParameter('w', zeros([1]) as unknown as Parameter)).toThrow(/registerParameter: 'w' must be a Parameter or null, got a Tensor/);
    expect(() => c.registerParameter('forward', null)).toThrow(/registerParameter: attribute 'forward' already exists on Cell/);
    c.registerBuffer('stat', zeros([1]));
    expect(() => c.registerParameter('stat', null)).toThrow(/registerParameter: 'stat' is already a buffer of Cell/);
  });
});

describe('Module: stateDict and loadStateDict', () => {
  it('round-trips: a fresh model loaded from a state dict computes the same outputs', () => {
    const a = new TorchCNN(1, 3, 4, { dtype: 'float64' });
    const b = new TorchCNN(1, 3, 4, { dtype: 'float64' });
    const x = randn([2, 1, 28, 28], { dtype: 'float64' });
    expect(Array.from(b.forward(x).data)).not.toEqual(Array.from(a.forward(x).data));
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expectClose(b.forward(x), a.forward(x), { atol: 0, rtol: 0 });
  });

  it('copies values in place: parameters keep their identity and do not alias the source', () => {
    const a = new TorchNet(3, 4, 2);
    const b = new TorchNet(3, 4, 2);
    const w = b.layers[0]!.parameters()[0]!;
    const sd = a.stateDict();
    b.loadStateDict(sd);
    expect(b.layers[0]!.parameters()[0]).toBe(w);
    sd['layers.0.weight']!.data[0] = 123;
    expect(w.data[0]).not.toBe(123);
  });

  it('stateDict values are detached views of the parameters, in PyTorch key order', () => {
    const net = new TorchNet(3, 4, 2);
    const sd = net.stateDict();
    expect(Object.keys(sd)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'layers.2.bias']);
    expect(sd['layers.0.weight']!.requiresGrad).toBe(false);
    expect(sd['layers.0.weight']!.data).toBe(net.parameters()[0]!.data);
  });

  it('accepts a Map, and converts dtypes while copying', () => {
    const net = new Linear(2, 1);
    net.loadStateDict(new Map([['weight', tensor([[1, 2]], { dtype: 'float64' })], ['bias', tensor([3], { dtype: 'float64' })]]));
    expect(Array.from(net.weight.data)).toEqual([1, 2]);
    expect(Array.from(net.bias!.data)).toEqual([3]);
  });

  it('names missing, unexpected and wrongly shaped entries in one error, and changes nothing', () => {
    const net = new TorchNet(3, 4, 2);
    const before = net.parameters().map((p) => Array.from(p.data));
    const sd = new TorchNet(3, 4, 2).stateDict();
    delete sd['layers.2.bias'];
    sd['layers.9.weight'] = zeros([1]);
    sd['layers.0.weight'] = zeros([3, 4]);
    let message = '';
    try {
      net.loadStateDict(sd);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^loadStateDict: error\(s\) in loading state_dict for TorchNet:/);
    expect(message).toMatch(/Missing key\(s\) in state_dict: "layers\.2\.bias"\./);
    expect(message).toMatch(/Unexpected key\(s\) in state_dict: "layers\.9\.weight"\./);
    expect(message).toMatch(/size mismatch for layers\.0\.weight: copying a param with shape \[3,4\] from checkpoint, the shape in current model is \[4,3\]\./);
    expect(net.parameters().map((p) => Array.from(p.data))).toEqual(before);
  });

  it('strict: false reports missing and unexpected keys instead of throwing, but still rejects wrong shapes', () => {
    const net = new TorchNet(3, 4, 2);
    const sd = new TorchNet(3, 4, 2).stateDict();
    delete sd['layers.2.bias'];
    sd.extra = zeros([1]);
    expect(net.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['layers.2.bias'], unexpectedKeys: ['extra'] });
    expectClose(net.layers[0]!.parameters()[0]!, sd['layers.0.weight']!, { atol: 0, rtol: 0 });
    sd['layers.0.weight'] = zeros([4]);
    expect(() => net.loadStateDict(sd, { strict: false })).toThrow(/size mismatch for layers\.0\.weight: copying a param with shape \[4\]/);
  });

  it('rejects entries that are not tensors', () => {
    const fc = new Linear(1, 1);
    expect(() => fc.loadStateDict({ weight: [[1]] as unknown as Tensor, bias: zeros([1]) })).toThrow(/entry "weight" is not a tensor/);
  });

  it('keys match for every layer type (Conv2d, Sequential of them)', () => {
    const s = new Sequential(new Conv2d(1, 2, 3, { bias: false, generator: new Generator(1) }), new ReLU(), new Linear(2, 2));
    expect(Object.keys(s.stateDict())).toEqual(['0.weight', '2.weight', '2.bias']);
  });
});
