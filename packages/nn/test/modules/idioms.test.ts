// The layers a port reaches for: SiLU, Softplus, ELU, ReLU6, Hardtanh, Mish; SmoothL1Loss, HuberLoss,
// KLDivLoss; AdaptiveAvgPool2d; Conv1d; F.normalize and F.oneHot; ParameterList; forward hooks.
// Gradient properties in float64 and PyTorch's values (fixtures/idioms.py).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, Tensor, gradients, ones, tensor, zeros } from '@dl/autograd';
import { arbShape, gradgradcheck, gradcheck } from '@dl/autograd/testing';
import {
  AdaptiveAvgPool2d, Conv1d, ELU, F, Hardtanh, HuberLoss, KLDivLoss, Linear, Mish, Module, Parameter, ParameterList, ReLU, ReLU6,
  Sequential, SiLU, SmoothL1Loss, Softplus, type Module as ModuleT,
} from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile, type TensorJSON } from '../support/golden.js';

const golden = goldenFile('idioms');

interface Run {
  inputs: TensorJSON[];
  out: TensorJSON;
  up: TensorJSON;
  grads: TensorJSON[];
}
/** Checks fn's output and the gradients of its leading inputs (those PyTorch recorded) against one PyTorch run. */
function checkRun(fn: (...xs: Tensor[]) => Tensor, r: Run, what: string): void {
  const xs = r.inputs.map((t, i) => (i < r.grads.length ? fromJSON(t).requiresGrad_() : fromJSON(t)));
  const y = fn(...xs);
  try {
    expectClose(y, r.out, { atol: 1e-12, rtol: 1e-12 });
    const gs = gradients([y], xs.slice(0, r.grads.length), { gradOutputs: [fromJSON(r.up)] });
    gs.forEach((g, i) => expectClose(g!, r.grads[i]!, { atol: 1e-12, rtol: 1e-12 }));
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

describe('activations', () => {
  const rows: [string, () => ModuleT, (x: Tensor) => Tensor, number[]][] = [
    ['SiLU', () => new SiLU(), F.silu, []],
    ['Softplus', () => new Softplus(), (x) => F.softplus(x), []],
    ['Softplus_beta2_thr5', () => new Softplus({ beta: 2, threshold: 5 }), (x) => F.softplus(x, { beta: 2, threshold: 5 }), [2.5]],
    ['ELU', () => new ELU(), (x) => F.elu(x), [0]],
    ['ELU_alpha05', () => new ELU({ alpha: 0.5 }), (x) => F.elu(x, { alpha: 0.5 }), [0]],
    ['ReLU6', () => new ReLU6(), F.relu6, [0, 6]],
    ['Hardtanh', () => new Hardtanh(), (x) => F.hardtanh(x), [-1, 1]],
    ['Hardtanh_m2_3', () => new Hardtanh({ minVal: -2, maxVal: 3 }), (x) => F.hardtanh(x, { minVal: -2, maxVal: 3 }), [-2, 3]],
    ['Mish', () => new Mish(), F.mish, []],
  ];
  describe.each(rows)('%s', (key, make, f, kinks) => {
    it('matches PyTorch, the bounds and kinks included (module and F form)', () => {
      checkRun((x) => make().forward(x), golden.activations[key], key);
      checkRun(f, golden.activations[key], `F ${key}`);
    });
    it('passes gradcheck over random shapes (away from kinks), and gradgradcheck', () => {
      const arb = arbShape({ maxDims: 3, maxSize: 3 })
        .chain((s) => arbT(s, { min: -8, max: 8 }))
        .filter((x) => x.data.every((v) => kinks.every((k) => Math.abs(v - k) > 1e-3)));
      fc.assert(fc.property(arb, (x) => moduleGradcheck(make(), [x])), { numRuns: 20 });
      fc.assert(fc.property(arb, (x) => gradgradcheck(f, [x])), { numRuns: 8 });
    });
  });
  it('stay finite (gradients included) far out on both sides', () => {
    const x = tensor([-1000, -50, 50, 1000], { dtype: 'float64', requiresGrad: true });
    for (const [, , f] of rows) {
      const [g] = gradients([f(x).sum()], [x]);
      expect(f(x).data.every(Number.isFinite) && g!.data.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('losses', () => {
  const cases: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ...(['mean', 'sum', 'none'] as const).flatMap((reduction): [string, (a: Tensor, b: Tensor) => Tensor][] => [
      [`SmoothL1_${reduction}`, (a, b) => new SmoothL1Loss({ reduction }).forward(a, b)],
      [`Huber_${reduction}`, (a, b) => F.huberLoss(a, b, { reduction })],
    ]),
    ['SmoothL1_beta05', (a, b) => F.smoothL1Loss(a, b, { beta: 0.5 })],
    ['SmoothL1_beta0', (a, b) => new SmoothL1Loss({ beta: 0 }).forward(a, b)],
    ['Huber_delta2', (a, b) => new HuberLoss({ delta: 2 }).forward(a, b)],
    ...(['mean', 'batchmean', 'sum', 'none'] as const).flatMap((reduction): [string, (a: Tensor, b: Tensor) => Tensor][] => [
      [`KLDiv_${reduction}`, (a, b) => new KLDivLoss({ reduction }).forward(a, b)],
      [`KLDiv_${reduction}_logTarget`, (a, b) => F.klDiv(a, b, { reduction, logTarget: true })],
    ]),
    ['KLDiv_batchmean_positive', (a, b) => F.klDiv(a, b, { reduction: 'batchmean' })],
  ];
  it.each(cases)('%s matches PyTorch (gradients of input and target)', (key, f) => checkRun(f, golden.losses[key], key));

  it('pass gradcheck over random shapes', () => {
    const arb = arbShape({ minDims: 1, maxDims: 3, maxSize: 3 }).chain((s) => fc.tuple(arbT(s), arbT(s), arbT(s, { min: 0.05, max: 1 })));
    const away = (a: Tensor, b: Tensor, w: number) => a.data.every((v, i) => Math.abs(Math.abs(v - b.data[i]!) - w) > 1e-3 && Math.abs(v - b.data[i]!) > 1e-3);
    fc.assert(
      fc.property(arb, ([a, b, q]) => {
        if (away(a, b, 0.5)) gradcheck((x, y) => F.smoothL1Loss(x, y, { beta: 0.5 }), [a, b]);
        if (away(a, b, 1.5)) gradcheck((x, y) => F.huberLoss(x, y, { delta: 1.5, reduction: 'none' }), [a, b]);
        gradcheck((x, y) => F.klDiv(x, y, { reduction: 'batchmean' }), [a, q]);
        gradcheck((x, y) => F.klDiv(x, y, { reduction: 'sum', logTarget: true }), [a, b]);
        return true;
      }),
      { numRuns: 20 },
    );
  });
  it('reject bad settings naming the layer', () => {
    expect(() => new SmoothL1Loss({ beta: -1 })).toThrow(/^SmoothL1Loss: beta must be a non-negative finite number, got -1/);
    expect(() => new HuberLoss({ delta: 0 })).toThrow(/^HuberLoss: delta must be a positive finite number, got 0/);
    expect(() => new KLDivLoss({ reduction: 'avg' as never })).toThrow(/^KLDivLoss: reduction must be/);
    expect(() => F.klDiv(ones([2]), ones([3]))).toThrow(/^klDiv: input shape \[2\] and target shape \[3\] must match/);
  });
});

describe('AdaptiveAvgPool2d', () => {
  const sizes: Record<string, number | [number | null, number | null]> = {
    '3x4': [3, 4], 1: 1, Nonex5: [null, 5], same: [7, 9], '10x4': [10, 4], '3d_2x2': 2,
  };
  it.each(Object.keys(sizes))('matches PyTorch for output size %s', (key) => {
    checkRun((x) => new AdaptiveAvgPool2d(sizes[key]!).forward(x), golden.adaptive[key], key);
  });
  it('passes gradcheck for random input and output sizes', () => {
    const arb = fc.record({ h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), oh: fc.integer({ min: 1, max: 7 }), ow: fc.integer({ min: 1, max: 7 }) })
      .chain((c) => fc.tuple(fc.constant(c), arbT([1, 2, c.h, c.w])));
    fc.assert(fc.property(arb, ([c, x]) => moduleGradcheck(new AdaptiveAvgPool2d([c.oh, c.ow]), [x])), { numRuns: 20 });
  });
});

describe('Conv1d', () => {
  const opts: Record<string, F.Conv1dOptions> = {
    plain: {}, s2p1d2: { stride: 2, padding: 1, dilation: 2 }, same: { padding: 'same' }, same_d2_k2: { padding: 'same', dilation: 3 }, unbatched: { stride: 3 },
  };
  it.each(Object.keys(opts))('F.conv1d matches PyTorch (%s), gradients of x, weight and bias', (key) => {
    checkRun((x, w, b) => F.conv1d(x, w, b!, opts[key]), golden.conv1d[key], key);
  });
  it('the module passes gradcheck (input and parameters) over random configurations', () => {
    const arb = fc.record({
      c: fc.integer({ min: 1, max: 2 }), o: fc.integer({ min: 1, max: 2 }), k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 2 }),
      p: fc.integer({ min: 0, max: 2 }), d: fc.integer({ min: 1, max: 2 }), l: fc.integer({ min: 5, max: 7 }), bias: fc.boolean(),
    }).chain((c) => fc.tuple(fc.constant(c), arbT([2, c.c, c.l])));
    fc.assert(
      fc.property(arb, ([c, x]) => {
        const m = new Conv1d(c.c, c.o, c.k, { stride: c.s, padding: c.p, dilation: c.d, bias: c.bias, dtype: 'float64', generator: new Generator(1) });
        expect(m.forward(x).shape).toEqual([2, c.o, Math.floor((c.l + 2 * c.p - c.d * (c.k - 1) - 1) / c.s) + 1]);
        return moduleGradcheck(m, [x]);
      }),
      { numRuns: 15 },
    );
  });
  it("has PyTorch's weight layout, state-dict keys and initialisation bounds", () => {
    const m = new Conv1d(4, 6, 5, { generator: new Generator(0) });
    expect(m.weight.shape).toEqual([6, 4, 5]);
    expect(Object.keys(m.stateDict())).toEqual(golden.conv1dKeys);
    const bound = 1 / Math.sqrt(4 * 5);
    expect(m.weight.data.every((v) => Math.abs(v) <= bound) && m.bias!.data.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(() => new Conv1d(2, 2, 3, { stride: 2, padding: 'same' })).toThrow(/^Conv1d: padding 'same' needs stride 1/);
    expect(() => F.conv1d(ones([2, 3, 4, 5]), ones([1, 3, 2]))).toThrow(/^conv1d: expected a 2-D \[C, L\] or 3-D \[N, C, L\] input/);
  });
});

describe('F.normalize and F.oneHot', () => {
  it('normalize matches PyTorch (a zero row stays zero, with gradient)', () => {
    checkRun((x) => F.normalize(x), golden.normalize.default, 'default');
    checkRun((x) => F.normalize(x, { p: 1, dim: 0 }), golden.normalize.p1_dim0, 'p1_dim0');
    checkRun((x) => F.normalize(x, { p: 3, dim: -1 }), golden.normalize.p3_dimm1, 'p3_dimm1');
  });
  it('normalize passes gradcheck and gradgradcheck', () => {
    const arb = arbShape({ minDims: 2, maxDims: 3, maxSize: 3 }).chain((s) => arbT(s, { avoid: 0, gap: 0.05 }));
    fc.assert(fc.property(arb, (x) => gradcheck((y) => F.normalize(y), [x])), { numRuns: 20 });
    fc.assert(fc.property(arb, (x) => gradgradcheck((y) => F.normalize(y, { dim: -1 }), [x])), { numRuns: 8 });
  });
  it('oneHot matches PyTorch, numClasses inferred or given', () => {
    const idx = tensor(golden.oneHot.indices as number[][]);
    expect(F.oneHot(idx).toArray()).toEqual(golden.oneHot.auto);
    expect(F.oneHot(idx, { numClasses: 6 }).toArray()).toEqual(golden.oneHot.six);
    expect(F.oneHot(idx, { dtype: 'float64' }).dtype).toBe('float64');
    expect(() => F.oneHot(idx, { numClasses: 3 })).toThrow(/^oneHot: index 4 is out of range for 3 classes/);
    expect(() => F.oneHot(tensor([0.5]))).toThrow(/^oneHot: indices must be non-negative integers/);
  });
});

describe('ParameterList', () => {
  class Holder extends Module {
    ps = new ParameterList([new Parameter(zeros([3, 4])), new Parameter(zeros([5], { dtype: 'float64' }))]);
    conv = new Conv1d(2, 3, 2);
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  it("registers its parameters under PyTorch's keys and prints as PyTorch", () => {
    const h = new Holder();
    expect(Object.keys(h.stateDict())).toEqual(golden.holderKeys);
    expect(h.parameters().length).toBe(4);
    expect(h.toString()).toBe(golden.repr.Holder);
    expect(new ParameterList([new Parameter(zeros([3]))]).toString()).toBe(golden.repr.ParameterList1);
    expect(new ParameterList().toString()).toBe('ParameterList()');
  });
  it('indexes, iterates, appends, and converts with the module', () => {
    const a = new Parameter(ones([2]));
    const list = new ParameterList([a]).append(new Parameter(zeros([1])));
    expect(list.length).toBe(2);
    expect(list[0]).toBe(a);
    expect(list.at(-1).shape).toEqual([1]);
    expect([...list].length).toBe(2);
    list.double();
    expect(list.at(0).dtype).toBe('float64');
    expect(() => list.append(ones([1]) as never)).toThrow(/^ParameterList: item 2 is not a Parameter/);
    expect(() => list.forward()).toThrow(/^ParameterList: has no forward/);
  });
});

describe('forward hooks', () => {
  it('pre-hooks may replace inputs, hooks may replace outputs, handles remove them; call() runs them, forward() does not', () => {
    const m = new Linear(2, 2);
    const seen: string[] = [];
    const pre = m.registerForwardPreHook((mod, [x]) => {
      seen.push(`pre ${mod.constructor.name}`);
      return [(x as Tensor).mul(0)];
    });
    const post = m.registerForwardHook((_mod, _inputs, out) => {
      seen.push('post');
      return (out as Tensor).add(1);
    });
    const x = ones([1, 2]);
    const y = m.call(x);
    expect(seen).toEqual(['pre Linear', 'post']);
    expectClose(y, m.bias!.add(1).unsqueeze(0));
    m.forward(x);
    expect(seen.length).toBe(2);
    pre.remove();
    post.remove();
    expectClose(m.call(x), m.forward(x));
    expect(seen.length).toBe(2);
  });
  it('fire on the children of a Sequential, in order, and a hook returning nothing changes nothing', () => {
    const net = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
    const acts: [string, number[]][] = [];
    for (const [name, layer] of net.namedChildren()) layer.registerForwardHook((_m, _i, out) => void acts.push([name, [...(out as Tensor).shape]]));
    const y = net.call(ones([5, 3]));
    expect(acts).toEqual([['0', [5, 4]], ['1', [5, 4]], ['2', [5, 1]]]);
    expect(y.shape).toEqual([5, 1]);
    expect(() => net.registerForwardHook(42 as never)).toThrow(/^registerForwardHook: hook must be a function/);
  });
});

describe('reprs', () => {
  it('print as PyTorch', () => {
    const mods: Record<string, ModuleT> = {
      SiLU: new SiLU(), Softplus: new Softplus(), Softplus2: new Softplus({ beta: 2, threshold: 10.5 }), ELU: new ELU(), ELU05: new ELU({ alpha: 0.5 }),
      ReLU6: new ReLU6(), Hardtanh: new Hardtanh(), Hardtanh23: new Hardtanh({ minVal: -2, maxVal: 3 }), Mish: new Mish(),
      SmoothL1Loss: new SmoothL1Loss({ beta: 0.5 }), HuberLoss: new HuberLoss({ delta: 2 }), KLDivLoss: new KLDivLoss({ reduction: 'batchmean' }),
      Adaptive5: new AdaptiveAvgPool2d(5), Adaptive57: new AdaptiveAvgPool2d([5, 7]), AdaptiveNone7: new AdaptiveAvgPool2d([null, 7]),
      Conv1d: new Conv1d(3, 8, 3), Conv1dAll: new Conv1d(3, 8, 3, { stride: 2, padding: 1, dilation: 2, bias: false }),
      Conv1dSame: new Conv1d(3, 8, 3, { padding: 'same' }),
    };
    for (const [key, m] of Object.entries(mods)) expect(m.toString(), key).toBe(golden.repr[key]);
  });
});
