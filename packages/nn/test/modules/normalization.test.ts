import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, gradgradcheck, ones, randn, Tensor, zeros } from '@dl/autograd';
import {
  BatchNorm1d, BatchNorm2d, Dropout2d, F, GroupNorm, LayerNorm, Module, Sequential, Linear,
  type BatchNormModuleOptions,
} from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, goldenFile, stateFromJSON, type TensorJSON } from '../support/golden.js';

const golden = goldenFile('normalization');
const f64 = { dtype: 'float64' } as const;

/** Whether each group of flat indices has a (biased) variance above 0.05. */
function spread(values: ArrayLike<number>, groups: number[][]): boolean {
  return groups.every((idx) => {
    const m = idx.reduce((a, i) => a + values[i]!, 0) / idx.length;
    return idx.reduce((a, i) => a + (values[i]! - m) ** 2, 0) / idx.length > 0.05;
  });
}
/** The flat indices of each channel of an [N, C, L] layout. */
function channelIndices(n: number, c: number, l: number): number[][] {
  return Array.from({ length: c }, (_, ch) => Array.from({ length: n * l }, (_, k) => (Math.floor(k / l) * c + ch) * l + (k % l)));
}
/** The flat indices of each block of `size` consecutive values. */
function blocks(total: number, size: number): number[][] {
  return Array.from({ length: total / size }, (_, b) => Array.from({ length: size }, (_, k) => b * size + k));
}
function fillNormal(t: Tensor, g: Generator, positive = false): void {
  for (let i = 0; i < t.data.length; i++) t.data[i] = positive ? 0.5 + Math.abs(g.normal()) : g.normal();
}
const dim = (max: number) => fc.integer({ min: 1, max });

describe('gradcheck (float64): input and every parameter, over random shapes', () => {
  // Well-spread groups only: a group of nearly equal values makes 1/σ huge, and central differences then
  // need a smaller step than the tolerance allows. That is the input to avoid, not a tolerance to loosen.
  it('BatchNorm1d and BatchNorm2d in train and eval mode, 2-D, 3-D and 4-D input', () => {
    const cases = fc
      .record({ n: fc.integer({ min: 2, max: 4 }), c: dim(3), rest: fc.array(dim(3), { maxLength: 2 }), eval: fc.boolean(), momentum: fc.constantFrom(0.1, null), seed: fc.nat() })
      .chain((s) => fc.tuple(fc.constant(s), arbT([s.n, s.c, ...s.rest])));
    fc.assert(
      fc.property(cases, ([s, x]) => {
        const l = s.rest.reduce((a, b) => a * b, 1);
        fc.pre(s.eval || spread(x.data, channelIndices(s.n, s.c, l)));
        const options: BatchNormModuleOptions = { dtype: 'float64', momentum: s.momentum };
        const m = s.rest.length === 2 ? new BatchNorm2d(s.c, options) : new BatchNorm1d(s.c, options);
        const g = new Generator(s.seed);
        fillNormal(m.weight!, g);
        fillNormal(m.bias!, g);
        fillNormal(m.runningMean!, g);
        fillNormal(m.runningVar!, g, true);
        if (s.eval) m.eval();
        return moduleGradcheck(m, [x], { seed: s.seed });
      }),
      { numRuns: 25 },
    );
  });

  it('LayerNorm over one or two trailing dims (train and eval are the same)', () => {
    const cases = fc
      .record({ lead: fc.array(dim(3), { maxLength: 2 }), norm: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 2 }), eval: fc.boolean(), seed: fc.nat() })
      .chain((s) => fc.tuple(fc.constant(s), arbT([...s.lead, ...s.norm])));
    fc.assert(
      fc.property(cases, ([s, x]) => {
        const d = s.norm.reduce((a, b) => a * b, 1);
        fc.pre(spread(x.data, blocks(x.numel(), d)));
        const m = new LayerNorm(s.norm, f64);
        const g = new Generator(s.seed);
        fillNormal(m.weight!, g);
        fillNormal(m.bias!, g);
        if (s.eval) m.eval();
        return moduleGradcheck(m, [x], { seed: s.seed });
      }),
      { numRuns: 25 },
    );
  });

  it('GroupNorm over random groups and spatial dims', () => {
    const cases = fc
      .record({ n: dim(2), groups: dim(3), per: dim(2), rest: fc.array(dim(3), { maxLength: 2 }), eval: fc.boolean(), seed: fc.nat() })
      .chain((s) => fc.tuple(fc.constant(s), arbT([s.n, s.groups * s.per, ...s.rest])));
    fc.assert(
      fc.property(cases, ([s, x]) => {
        const size = x.numel() / (s.n * s.groups);
        fc.pre(size > 1 && spread(x.data, blocks(x.numel(), size)));
        const m = new GroupNorm(s.groups, s.groups * s.per, f64);
        const g = new Generator(s.seed);
        fillNormal(m.weight!, g);
        fillNormal(m.bias!, g);
        if (s.eval) m.eval();
        return moduleGradcheck(m, [x], { seed: s.seed });
      }),
      { numRuns: 25 },
    );
  });

  it('Dropout2d with a fixed mask (re-seeded each call) in train and eval mode', () => {
    class SeededDropout2d extends Module {
      constructor(readonly p: number, readonly seed: number) {
        super();
      }
      forward(x: Tensor): Tensor {
        return new Dropout2d(this.p, { generator: new Generator(this.seed) }).train(this.training).forward(x);
      }
    }
    const cases = fc
      .record({ lead: fc.array(dim(3), { minLength: 1, maxLength: 2 }), h: dim(3), w: dim(3), p: fc.double({ min: 0, max: 0.9, noNaN: true }), eval: fc.boolean(), seed: fc.nat() })
      .chain((s) => fc.tuple(fc.constant(s), arbT([...s.lead, s.h, s.w])));
    fc.assert(
      fc.property(cases, ([s, x]) => {
        const m = new SeededDropout2d(s.p, s.seed);
        if (s.eval) m.eval();
        return moduleGradcheck(m, [x], { seed: s.seed });
      }),
      { numRuns: 25 },
    );
  });

  it('second derivatives come from the composed ops (batchNorm, layerNorm, groupNorm)', () => {
    const g = new Generator(3);
    const x = randn([3, 2, 2], { ...f64, generator: g });
    const w = randn([2], { ...f64, generator: g });
    const b = randn([2], { ...f64, generator: g });
    gradgradcheck((xi, wi, bi) => F.batchNorm(xi!, null, null, { weight: wi, bias: bi, training: true }), [x, w, b]);
    gradgradcheck((xi, wi) => F.layerNorm(xi!, [2], { weight: wi }), [x, w]);
    gradgradcheck((xi, wi) => F.groupNorm(xi!, 1, { weight: wi }), [x, w]);
  });
});

function makeBatchNorm(kind: string, c: number, options: BatchNormModuleOptions): BatchNorm1d | BatchNorm2d {
  return kind === 'BatchNorm2d' ? new BatchNorm2d(c, { ...options, dtype: 'float64' }) : new BatchNorm1d(c, { ...options, dtype: 'float64' });
}

interface StepJSON {
  x: TensorJSON;
  g: TensorJSON;
  y: TensorJSON;
  dx: TensorJSON;
  grads: Record<string, TensorJSON>;
  state: Record<string, TensorJSON>;
}

/** Runs one step of `m` and compares output, input gradient, parameter gradients and the state dict after it. */
function expectStep(m: Module, s: StepJSON): void {
  const x = new Tensor(Float64Array.from(s.x.data), s.x.shape, { requiresGrad: true });
  m.zeroGrad();
  const y: Tensor = m.forward(x);
  expectClose(y, s.y);
  y.backward(fromJSON(s.g));
  expectClose(x.grad!, s.dx);
  const params = Object.fromEntries(m.namedParameters());
  expect(Object.keys(params)).toEqual(Object.keys(s.grads));
  for (const [name, g] of Object.entries(s.grads)) expectClose(params[name]!.grad!, g);
  const sd = m.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(s.state));
  for (const [k, v] of Object.entries(s.state)) expectClose(sd[k]!, v);
}

interface BatchNormCase {
  kind: string;
  numFeatures: number;
  options: BatchNormModuleOptions;
  state: Record<string, TensorJSON>;
  train: StepJSON[];
  eval: StepJSON;
}
type SingleCase<A> = StepJSON & { args: A; options: object; state: Record<string, TensorJSON> };
const batchNormCases = golden.batchNorm as BatchNormCase[];
const layerNormCases = golden.layerNorm as SingleCase<[number[]]>[];
const groupNormCases = golden.groupNorm as SingleCase<[number, number]>[];
const named = <C extends { args?: unknown; options: object }>(cs: C[], name: (c: C) => string) => cs.map((c) => [name(c), c] as const);

describe('PyTorch golden values (float64)', () => {
  it.each(named(batchNormCases, (c) => `${c.kind} ${JSON.stringify(c.options)}`))('%s: three train steps (outputs, gradients, running stats) then eval', (_n, c) => {
    const m = makeBatchNorm(c.kind, c.numFeatures, c.options);
    m.loadStateDict(stateFromJSON(c.state));
    for (const s of c.train) expectStep(m, s);
    m.eval();
    expectStep(m, c.eval);
  });

  it('F.batchNorm in training mode updates the running stats in place (unbiased variance)', () => {
    const c = golden.batchNormF;
    const rm = fromJSON(c.runningMean);
    const rv = fromJSON(c.runningVar);
    const y = F.batchNorm(fromJSON(c.x), rm, rv, { weight: fromJSON(c.weight), bias: fromJSON(c.bias), training: true, momentum: c.momentum, eps: c.eps });
    expectClose(y, c.y);
    expectClose(rm, c.runningMeanAfter);
    expectClose(rv, c.runningVarAfter);
  });

  it.each(named(layerNormCases, (c) => `${JSON.stringify(c.args)} ${JSON.stringify(c.options)}`))('LayerNorm %s', (_n, c) => {
    const m = new LayerNorm(c.args[0], { ...c.options, dtype: 'float64' });
    m.loadStateDict(stateFromJSON(c.state));
    expectStep(m, c);
    expectClose(F.layerNorm(fromJSON(c.x), c.args[0], { weight: m.weight, bias: m.bias, eps: m.eps }), c.y);
  });

  it.each(named(groupNormCases, (c) => `${JSON.stringify(c.args)} ${JSON.stringify(c.options)}`))('GroupNorm %s', (_n, c) => {
    const m = new GroupNorm(c.args[0], c.args[1], { ...c.options, dtype: 'float64' });
    m.loadStateDict(stateFromJSON(c.state));
    expectStep(m, c);
    expectClose(F.groupNorm(fromJSON(c.x), c.args[0], { weight: m.weight, bias: m.bias, eps: m.eps }), c.y);
  });
});

function construct(kind: string, args: unknown[], options: object): Module {
  switch (kind) {
    case 'BatchNorm1d': return new BatchNorm1d(args[0] as number, options);
    case 'BatchNorm2d': return new BatchNorm2d(args[0] as number, options);
    case 'LayerNorm': return new LayerNorm(args[0] as number | number[], options);
    case 'GroupNorm': return new GroupNorm(args[0] as number, args[1] as number, options);
    case 'Dropout2d': return new Dropout2d(...(args as number[]));
    default: throw new Error(`unknown ${kind}`);
  }
}

describe('printing and state-dict keys match PyTorch', () => {
  const reprCases = golden.repr as { kind: string; args: unknown[]; options: object; repr: string; keys: string[] }[];
  it.each(reprCases.map((r) => [r.repr, r] as const))('%s', (_repr, r) => {
    const m = construct(r.kind, r.args, r.options);
    expect(m.toString()).toBe(r.repr);
    expect(Object.keys(m.stateDict())).toEqual(r.keys);
  });

  it('prints inside a container', () => {
    const net = new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Dropout2d(0.1));
    expect(net.toString()).toBe(
      'Sequential(\n  (0): Linear(in_features=3, out_features=4, bias=True)\n'
        + '  (1): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n'
        + '  (2): Dropout2d(p=0.1, inplace=False)\n)',
    );
    expect(Object.keys(net.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
  });
});

describe('BatchNorm behaviour', () => {
  it('starts with weight 1, bias 0, running mean 0, var 1 and no batches; camelCase getters share the buffers', () => {
    const m = new BatchNorm1d(3);
    expect(Array.from(m.weight!.data)).toEqual([1, 1, 1]);
    expect(Array.from(m.bias!.data)).toEqual([0, 0, 0]);
    expect(m.runningMean).toBe(m.namedBuffers().find(([n]) => n === 'running_mean')![1]);
    expect(Array.from(m.runningVar!.data)).toEqual([1, 1, 1]);
    expect(m.numBatchesTracked!.shape).toEqual([]);
    expect(m.numBatchesTracked!.item()).toBe(0);
    expect(m.parameters()).toHaveLength(2);
  });

  it('counts batches and normalises with batch stats in train mode, running stats in eval mode', () => {
    const m = new BatchNorm1d(2, f64);
    const x = new Tensor(Float64Array.from([1, 10, 3, 20]), [2, 2]);
    expect(Array.from(m.forward(x).data).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([-1, -1, 1, 1]);
    expect(m.numBatchesTracked!.item()).toBe(1);
    expect(Array.from(m.runningMean!.data)).toEqual([0.2, 1.5]);
    m.eval();
    const y = m.forward(x);
    expect(m.numBatchesTracked!.item()).toBe(1); // eval does not count
    expect(y.data[0]).toBeCloseTo((1 - 0.2) / Math.sqrt(m.runningVar!.data[0]! + 1e-5), 12);
  });

  it('without trackRunningStats uses batch stats in eval mode too, and has no buffers', () => {
    const m = new BatchNorm1d(2, { ...f64, trackRunningStats: false });
    const x = new Tensor(Float64Array.from([1, 10, 3, 20]), [2, 2]);
    const train = Array.from(m.forward(x).data);
    m.eval();
    expect(Array.from(m.forward(x).data)).toEqual(train);
    expect(m.runningMean).toBeNull();
    expect(m.buffers()).toEqual([]);
  });

  it('converts buffers with double() and resets them with resetRunningStats()', () => {
    const m = new BatchNorm2d(2);
    m.forward(randn([2, 2, 2, 2]));
    m.double();
    expect(m.runningMean!.dtype).toBe('float64');
    expect(m.numBatchesTracked!.dtype).toBe('float64');
    expect(m.numBatchesTracked!.item()).toBe(1);
    m.resetRunningStats();
    expect(m.numBatchesTracked!.item()).toBe(0);
    expect(Array.from(m.runningVar!.data)).toEqual([1, 1]);
  });
});

describe('Dropout2d', () => {
  it('zeroes whole channels and scales the kept ones by 1/(1 − p), for [N, C, H, W] and [C, H, W]', () => {
    for (const shape of [[4, 8, 3, 2], [16, 3, 3]]) {
      const y = new Dropout2d(0.5, { generator: new Generator(1) }).forward(ones(shape));
      const per = shape.at(-1)! * shape.at(-2)!;
      const values = new Set<number>();
      for (let ch = 0; ch < y.numel() / per; ch++) {
        const block = Array.from(y.data.subarray(ch * per, (ch + 1) * per));
        expect(new Set(block).size).toBe(1);
        values.add(block[0]!);
      }
      expect([...values].sort()).toEqual([0, 2]);
    }
  });

  it('drops about p of the channels; is the identity in eval mode and for p = 0; zeroes all for p = 1', () => {
    const y = new Dropout2d(0.3, { generator: new Generator(2) }).forward(ones([100, 50, 1, 1]));
    const dropped = Array.from(y.data).filter((v) => v === 0).length / 5000;
    expect(Math.abs(dropped - 0.3)).toBeLessThan(0.03); // sd of the fraction is 0.0065
    const x = randn([2, 3, 2, 2]);
    expect(new Dropout2d(0.5).eval().forward(x)).toBe(x);
    expect(new Dropout2d(0).forward(x)).toBe(x);
    expect(Array.from(new Dropout2d(1).forward(x).data).every((v) => v === 0)).toBe(true);
    expect(F.dropout2d(x, { training: false })).toBe(x);
  });
});

describe('errors name the layer and the shapes', () => {
  it('BatchNorm', () => {
    expect(() => new BatchNorm1d(4).forward(zeros([2, 3, 4, 5]))).toThrow(/^BatchNorm1d: expected a 2-D or 3-D input \[N, C\] or \[N, C, L\], got shape \[2,3,4,5\]$/);
    expect(() => new BatchNorm2d(4).forward(zeros([2, 3, 4, 5]))).toThrow(/^BatchNorm2d: input has 3 channels, expected numFeatures 4 \(input shape \[2,3,4,5\]\)$/);
    expect(() => new BatchNorm2d(4).forward(zeros([2, 4, 5]))).toThrow(/^BatchNorm2d: expected a 4-D input \[N, C, H, W\], got shape \[2,4,5\]$/);
    const bn = new BatchNorm1d(4);
    expect(() => bn.forward(zeros([1, 4]))).toThrow(/^BatchNorm1d: expected more than 1 value per channel when training, got input shape \[1,4\]$/);
    expect(bn.numBatchesTracked!.item()).toBe(0); // nothing changed
    expect(() => new BatchNorm1d(4).eval().forward(zeros([1, 4]))).not.toThrow();
    expect(() => new BatchNorm1d(4, { trackRunningStats: false }).eval().forward(zeros([1, 4]))).toThrow(/more than 1 value per channel/);
    expect(() => new BatchNorm1d(0)).toThrow(/^BatchNorm1d: numFeatures must be a positive integer, got 0$/);
    expect(() => new BatchNorm2d(3, { momentum: 1.5 })).toThrow(/^BatchNorm2d: momentum must be in \[0, 1\], got 1.5$/);
    expect(() => F.batchNorm(zeros([2, 3]), null, null)).toThrow(/^batchNorm: runningMean and runningVar must be given in evaluation mode$/);
    expect(() => F.batchNorm(zeros([2, 3]), zeros([2]), ones([2]))).toThrow(/^batchNorm: runningMean must have shape \[3\], got \[2\]$/);
    expect(() => F.batchNorm(zeros([2, 3]), null, null, { training: true, weight: ones([4]) })).toThrow(/^batchNorm: weight must have shape \[3\], got \[4\]$/);
  });

  it('LayerNorm, GroupNorm and Dropout2d', () => {
    expect(() => new LayerNorm(8).forward(zeros([2, 4]))).toThrow(/^LayerNorm: expected input with shape \[\*, 8\], got shape \[2,4\]$/);
    expect(() => new LayerNorm([3, 4]).forward(zeros([4, 3]))).toThrow(/^LayerNorm: expected input with shape \[\*, 3, 4\], got shape \[4,3\]$/);
    expect(() => new LayerNorm([])).toThrow(/^LayerNorm: normalizedShape must have at least one dim, got \[\]$/);
    expect(() => new GroupNorm(4, 6)).toThrow(/^GroupNorm: numChannels 6 is not divisible by numGroups 4$/);
    expect(() => new GroupNorm(2, 4).forward(zeros([2, 6, 3]))).toThrow(/^GroupNorm: expected input \[N, 4, \*\], got shape \[2,6,3\]$/);
    expect(() => new GroupNorm(4, 4).forward(zeros([1, 4]))).toThrow(/^GroupNorm: expected more than 1 value per group, got input shape \[1,4\]$/);
    expect(() => F.groupNorm(zeros([2, 6]), 4)).toThrow(/^groupNorm: input has 6 channels, which is not divisible by numGroups 4 \(input shape \[2,6\]\)$/);
    expect(() => new Dropout2d(1.5)).toThrow(/^Dropout2d: p must be in \[0, 1\], got 1.5$/);
    expect(() => new Dropout2d().forward(zeros([2, 3]))).toThrow(/^Dropout2d: expected a 3-D or 4-D input \[C, H, W\] or \[N, C, H, W\], got shape \[2,3\]$/);
  });
});
