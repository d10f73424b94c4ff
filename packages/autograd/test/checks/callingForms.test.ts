// Issue 9: PyTorch's positional calling forms, each equal to its options form, and the errors that say
// what was meant. (The typed forms are in callingForms.types.test.ts, every export in everyExport.test.ts.)
import { describe, expect, it } from 'vitest';
import {
  DlError, Generator, Tensor, arange, clamp, indexSelect, max, ones, rand, randn, sum, tensor, zeros,
} from '@dl/autograd';
import * as nn from '@dl/nn';
import * as optim from '@dl/optim';
import * as data from '@dl/data';
import * as io from '@dl/io';

const x = randn([3, 4], { generator: new Generator(0), dtype: 'float64' });
const same = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  expect(Array.from(a.data)).toEqual(Array.from(b.data));
};
function thrown(f: () => unknown): DlError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DlError);
    return e as DlError;
  }
  throw new Error('expected a DlError');
}

describe('tensor methods take PyTorch positional arguments', () => {
  it('sum, mean, logsumexp: (dim, keepdim?) and a trailing options object', () => {
    same(x.sum(1), x.sum({ dim: 1 }));
    same(x.sum([0, 1], { keepdim: true }), x.sum({ dim: [0, 1], keepdim: true }));
    same(x.sum(1, true), x.sum({ dim: 1, keepdim: true }));
    same(sum(x, 0), sum(x, { dim: 0 }));
    same(x.mean(0), x.mean({ dim: 0 }));
    same(x.logsumexp(1), x.logsumexp({ dim: 1 }));
  });
  it('std, var: (dim) with the options object last', () => {
    same(x.std(1), x.std({ dim: 1 }));
    same(x.var(1), x.var({ dim: 1 }));
    same(x.var(1, { correction: 0, keepdim: true }), x.var({ dim: 1, correction: 0, keepdim: true }));
  });
  it('flatten(startDim, endDim?)', () => {
    const y = zeros([2, 3, 4]);
    expect(y.flatten(1).shape).toEqual([2, 12]);
    expect(y.flatten(0, 1).shape).toEqual([6, 4]);
  });
  it('argmax(dim) and max(dim) with values and indices, destructurable as a tuple', () => {
    same(x.argmax(1), x.argmax({ dim: 1 }));
    const r = x.max(1);
    same(r.values, x.max({ dim: 1 }).values);
    const [values, indices] = x.max(1);
    same(values, r.values);
    same(indices, r.indices);
    expect([r[0], r[1], r.length]).toEqual([r.values, r.indices, 2]);
    const [sv, si] = x.sort({ dim: 1 });
    expect(sv.shape).toEqual([3, 4]);
    expect(si.shape).toEqual([3, 4]);
    same(max(x, 0, true).values, x.max({ dim: 0, keepdim: true }).values);
  });
  it('sort, topk, prod, norm, any, all: PyTorch\'s positional order', () => {
    same(x.sort(1, true).values, x.sort({ dim: 1, descending: true }).values);
    same(x.topk(2, 0, false).indices, x.topk(2, { dim: 0, largest: false }).indices);
    same(x.prod(1), x.prod({ dim: 1 }));
    same(x.norm(1, 0), x.norm({ p: 1, dim: 0 }));
    same(x.gt(0).any(1), x.gt(0).any({ dim: 1 }));
    same(x.gt(0).all(0, true), x.gt(0).all({ dim: 0, keepdim: true }));
  });
  it('max(otherTensor) points to maximum', () => {
    const e = thrown(() => (x.max as (o: unknown) => unknown)(x));
    expect(e.fn).toBe('max');
    expect(e.message).toMatch(/maximum/);
  });
  it('view(-1, 4), view([-1, 4]) and permute(1, 0)', () => {
    expect(x.view(-1, 4).shape).toEqual([3, 4]);
    expect(x.view([-1, 2]).shape).toEqual([6, 2]);
    same(x.permute(1, 0), x.permute([1, 0]));
  });
  it('clamp(min, max?) is PyTorch\'s clamp; null leaves a side open', () => {
    same(x.clamp(0), x.clamp({ min: 0 }));
    same(clamp(x, -0.5, 0.5), clamp(x, { min: -0.5, max: 0.5 }));
    same(x.clamp(null, 0), x.clamp({ max: 0 }));
  });
});

describe('creation takes PyTorch positional arguments', () => {
  it('zeros(2, 3), ones(2, 3), rand(2, 3) as zeros([2, 3])', () => {
    expect(zeros(2, 3).shape).toEqual([2, 3]);
    expect(ones(2, 3, { dtype: 'float64' }).dtype).toBe('float64');
    expect(rand(4).shape).toEqual([4]);
  });
  it('arange(start, end, step)', () => {
    same(arange(0, 1, 0.25), arange(0, 1, { step: 0.25 }));
    expect(Array.from(arange(0, 1, 0.25).data)).toEqual([0, 0.25, 0.5, 0.75]);
  });
  it('a positional value given again in the options is an error naming it', () => {
    const e = thrown(() => (sum as unknown as (...a: unknown[]) => unknown)(x, 1, { dim: 0 }));
    expect(e.fn).toBe('sum');
    expect(e.message).toMatch(/dim was given twice/);
  });
  it('an options object followed by more arguments is an error', () => {
    expect(thrown(() => (sum as unknown as (...a: unknown[]) => unknown)(x, { dim: 0 }, true)).message).toMatch(/options object goes last/);
  });
});

describe('nn constructors and functions take PyTorch positional arguments', () => {
  const img = randn([2, 1, 6, 6], { generator: new Generator(1) });
  it('Conv2d(1, 8, 3, 1, 1) has stride 1 and padding 1', () => {
    const a = new nn.Conv2d(1, 8, 3, 1, 1);
    const b = new nn.Conv2d(1, 8, 3, { stride: 1, padding: 1, generator: new Generator(2) });
    expect(a.forward(img).shape).toEqual([2, 8, 6, 6]);
    expect(b.forward(img).shape).toEqual([2, 8, 6, 6]);
    expect(new nn.Conv2d(1, 8, 3, 2).forward(img).shape).toEqual([2, 8, 2, 2]);
  });
  it('F.conv2d(x, w, b, 1, 1) equals the options form', () => {
    const w = randn([4, 1, 3, 3], { generator: new Generator(3) });
    const b = zeros([4]);
    same(nn.F.conv2d(img, w, b, 1, 1), nn.F.conv2d(img, w, b, { stride: 1, padding: 1 }));
  });
  it('MaxPool2d(3, 1), LeakyReLU(0.2), Linear(3, 1, false), Flatten(0)', () => {
    expect(new nn.MaxPool2d(3, 1).forward(img).shape).toEqual([2, 1, 4, 4]);
    expect(new nn.LeakyReLU(0.2).negativeSlope).toBe(0.2);
    expect(new nn.LeakyReLU(0.2).forward(tensor([-1])).item()).toBeCloseTo(-0.2);
    expect(new nn.Linear(3, 1, false).bias).toBe(null);
    expect(new nn.Flatten(0).forward(img).shape).toEqual([2 * 36]);
  });
  it('F.dropout(x, p, training)', () => {
    same(nn.F.dropout(x, 0.2, false), x);
    const out = nn.F.dropout(ones([1000]), 0.9, true);
    expect(Array.from(out.data).filter((v) => v === 0).length).toBeGreaterThan(700);
  });
  it('CrossEntropyLoss(weight) equals CrossEntropyLoss({ weight })', () => {
    const weight = tensor([1, 2, 3]);
    const logits = randn([4, 3], { generator: new Generator(4) });
    const target = tensor([0, 2, 1, 2]);
    same(new nn.CrossEntropyLoss(weight).forward(logits, target), new nn.CrossEntropyLoss({ weight }).forward(logits, target));
  });
  it('init.uniform_(w, a, b), normal_(w, mean, std), kaiming and xavier in PyTorch\'s order', () => {
    const w = zeros([50, 40]);
    nn.init.uniform_(w, -0.1, 0.1);
    expect(Math.max(...Array.from(w.data).map(Math.abs))).toBeLessThanOrEqual(0.1);
    const a = nn.init.normal_(zeros([8]), 0, 0.02, new Generator(5));
    const b = nn.init.normal_(zeros([8]), { mean: 0, std: 0.02, generator: new Generator(5) });
    same(a, b);
    same(nn.init.kaimingUniform_(zeros([4, 5]), 0, 'fan_out', 'relu', new Generator(6)),
      nn.init.kaimingUniform_(zeros([4, 5]), { a: 0, mode: 'fan_out', nonlinearity: 'relu', generator: new Generator(6) }));
    same(nn.init.xavierNormal_(zeros([4, 5]), 2, new Generator(7)), nn.init.xavierNormal_(zeros([4, 5]), { gain: 2, generator: new Generator(7) }));
  });
  it('errors name the constructor called, not the layers it builds', () => {
    const e = thrown(() => new nn.TorchCNN(1, -4, 10));
    expect(e.fn).toBe('TorchCNN');
    expect(thrown(() => new (Generator as unknown as new (s: unknown) => unknown)('x')).fn).toBe('Generator');
  });
});

describe('optim and data take PyTorch positional arguments', () => {
  const p = () => [zeros([2], { requiresGrad: true })];
  it('SGD(params, lr, momentum), Adam(params, lr), MultiStepLR(opt, milestones, gamma)', () => {
    expect(new optim.SGD(p(), 0.1).paramGroups[0]!.lr).toBe(0.1);
    expect(new optim.SGD(p(), 0.1, 0.9).paramGroups[0]!.momentum).toBe(0.9);
    const adam = new optim.Adam(p(), 0.1);
    expect(adam.paramGroups[0]!.lr).toBe(0.1);
    const s = new optim.MultiStepLR(adam, [30, 80], 0.5);
    expect((s as unknown as { options: { milestones: number[]; gamma: number } }).options).toEqual({ milestones: [30, 80], gamma: 0.5 });
    expect(thrown(() => new optim.Adam(zeros([2]) as never, 0.1)).hint).toMatch(/wrap it in an array/);
  });
  it('DataLoader(dataset, batchSize, shuffle), and a plain array is named', () => {
    const ds = new data.TensorDataset(arange(10));
    const dl = new data.DataLoader(ds, 4, true);
    expect(dl.batchSize).toBe(4);
    expect(dl.shuffle).toBe(true);
    const e = thrown(() => new data.DataLoader([1, 2, 3] as never, 4));
    expect(e.fn).toBe('DataLoader');
    expect(e.hint).toMatch(/TensorDataset/);
  });
});

describe('errors that say what was meant', () => {
  it('indexSelect with a non-integer index', () => {
    expect(thrown(() => indexSelect(x, 0, [0.5])).message).toMatch(/index must hold integers, got 0.5/);
  });
  it('save(model, path) suggests stateDict()', () => {
    const e = thrown(() => io.save(new nn.Linear(2, 2) as never, '/tmp/never-written.safetensors'));
    expect(e.fn).toBe('save');
    expect(e.hint).toMatch(/stateDict\(\)/);
  });
  it('checked classes keep instanceof and subclassing', () => {
    class Scaled extends nn.Linear {
      scale = 2;
    }
    const m = new Scaled(2, 3, false);
    expect(m).toBeInstanceOf(Scaled);
    expect(m).toBeInstanceOf(nn.Linear);
    expect(m.scale).toBe(2);
    expect(m.bias).toBe(null);
    expect(new nn.TorchNet(2, 4, 1).layers.at(0)).toBeInstanceOf(nn.Linear);
    expect(thrown(() => new Scaled(2, 'x' as never)).fn).toBe('Linear');
  });
  it('a class called without new says so', () => {
    expect(thrown(() => (nn.Linear as unknown as (...a: unknown[]) => unknown)(2, 3)).message).toMatch(/new Linear/);
  });
});
