import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli.js';
import { loadFramework } from '../src/frameworks/index.js';
import { conv2dData, convData, isUnsupported, lstmData, matmulData, opsData, type Framework, type LocalProduct, type LocalTrainer } from '../src/workloads.js';
import { conv2dGradients, conv2dReference, expectWithinBounds } from './conv2dReference.js';
import { firstLosses } from './firstLosses.js';

// The bench compares speed only if every framework does the same work: these check that each one,
// given the same inputs and initial weights, computes the same product and the same training losses.

const frameworks = new Map<string, Framework>();
beforeAll(async () => {
  for (const name of ['dl', 'dl-js', 'tfjs-cpu', 'tfjs-wasm', 'js-pytorch']) {
    const fw = await loadFramework(name);
    if (isUnsupported(fw)) throw new Error(`${name}: ${fw.unsupported}`);
    frameworks.set(name, fw);
  }
}, 60_000);

const losses = (name: string, kind: 'mlp' | 'conv', steps: number) => firstLosses(frameworks.get(name)!, kind, steps);

describe('bench workloads', () => {
  it('every framework computes the same 37x37 product as dl', async () => {
    const d = matmulData(37);
    const want = (frameworks.get('dl')!.matmul(d) as LocalProduct).result();
    for (const [name, fw] of frameworks) {
      await fw.activate?.();
      const p = await fw.matmul(d);
      if (isUnsupported(p)) throw new Error(`${name}: ${p.unsupported}`);
      const got = await p.result();
      p.dispose?.();
      expect(got.length).toBe(want.length);
      // Entries of 37 products of values in [-1, 1): float32 sums differ by a few ulps of ~37.
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${name} [${i}]`).toBeLessThan(37 * 2 ** -24 * 37));
    }
  });

  it.each(['dl-js', 'tfjs-cpu', 'tfjs-wasm', 'js-pytorch'])('%s trains the MLP through the same losses as dl', async (name) => {
    const ref = await losses('dl', 'mlp', 3);
    const got = await losses(name, 'mlp', 3);
    expect(ref[2]).toBeLessThan(ref[0]!);
    // float32 rounding differs between frameworks (js-pytorch computes in float64, and its ReLU
    // passes 1e-3 of negative inputs), which moves the loss by about 1e-5 of its value.
    got.forEach((l, i) => expect(Math.abs(l - ref[i]!), `step ${i}: ${l} vs ${ref[i]}`).toBeLessThan(1e-4 * ref[i]!));
  }, 30_000);

  it.each(['dl-js', 'tfjs-cpu'])('%s trains the conv net through the same losses as dl', async (name) => {
    const ref = await losses('dl', 'conv', 3);
    const got = await losses(name, 'conv', 3);
    expect(ref[2]).toBeLessThan(ref[0]!);
    got.forEach((l, i) => expect(Math.abs(l - ref[i]!), `step ${i}: ${l} vs ${ref[i]}`).toBeLessThan(1e-5 * ref[i]!));
  }, 30_000);

  it('says why a framework cannot run the conv step instead of producing a figure', async () => {
    const conv = await frameworks.get('js-pytorch')!.conv(convData(2));
    expect(isUnsupported(conv) && conv.unsupported).toMatch(/no convolution/);
    expect(await loadFramework('torch.js')).toEqual({ unsupported: "unknown framework 'torch.js'" });
  });
});

describe('bench LSTM workload', () => {
  it.each(['dl-js', 'tfjs-cpu', 'tfjs-wasm'])('%s trains the LSTM through the same losses as dl', async (name) => {
    const run = async (fw: Framework) => {
      await fw.activate?.();
      const tr = (await fw.lstm(lstmData(4, 6, 5, 8, 3))) as LocalTrainer;
      const out = [tr.step(), tr.step(), tr.step()];
      tr.dispose?.();
      return out;
    };
    const ref = await run(frameworks.get('dl')!);
    const got = await run(frameworks.get(name)!);
    expect(ref[2]).toBeLessThan(ref[0]!);
    got.forEach((l, i) => expect(Math.abs(l - ref[i]!), `step ${i}: ${l} vs ${ref[i]}`).toBeLessThan(1e-5 * ref[i]!));
  }, 30_000);
});

describe('bench op-chain workload', () => {
  it.each(['dl', 'dl-js', 'tfjs-cpu', 'tfjs-wasm', 'js-pytorch'])('%s records the chain and gives dy/dx = length + 1, pass after pass', async (name) => {
    const fw = frameworks.get(name)!;
    await fw.activate?.();
    const chain = (await fw.ops(opsData(50))) as LocalTrainer;
    // A second pass gives the same gradient: it is replaced, not accumulated.
    expect([chain.step(), chain.step()]).toEqual([51, 51]);
    chain.dispose?.();
  });
});

describe('bench conv2d workload', () => {
  // The shape family at a small size: x [2, 3, 6, 6], weight [4, 3, 3, 3], bias [4], padding 1.
  const d = conv2dData(2, 3, 4, 6);
  const ref = conv2dReference(d);

  it('has a float64 reference whose float32 error bounds are tight enough to tell a wrong gradient', () => {
    // Each bound is γ_n·Σ|terms| with n ≤ 72 here (γ_72 ≈ 4.3e-6) and Σ|terms| a few times the entry:
    // about 1e-5 of the largest entry, far below what an indexing or layout mistake (an O(1) change in
    // an entry) would move it by.
    for (const key of ['x', 'weight', 'bias'] as const) {
      const { value, bound } = ref[key];
      const biggest = Math.max(...value.map(Math.abs));
      expect(biggest).toBeGreaterThan(0.5);
      expect(Math.max(...bound) / biggest, key).toBeLessThan(1e-4);
    }
  });

  it.each(['dl', 'dl-js', 'tfjs-cpu'])('%s computes the loss and the gradients of x, weight and bias within float32 rounding', async (name) => {
    const got = await conv2dGradients(frameworks.get(name)!, d);
    expectWithinBounds(name, got, ref);
    // So two frameworks agree within the sum of their bounds: dl's own figures are the bench's reference.
    const dl = await conv2dGradients(frameworks.get('dl')!, d);
    for (const key of ['x', 'weight', 'bias'] as const) {
      got[key].forEach((v, i) => expect(Math.abs(v - dl[key][i]!), `${name} d${key}[${i}] vs dl`).toBeLessThanOrEqual(2 * ref[key].bound[i]! + 2 ** -23 * Math.abs(dl[key][i]!)));
    }
  }, 30_000);

  it('replaces the gradients on every pass instead of accumulating them', async () => {
    const fw = frameworks.get('dl')!;
    await fw.activate?.();
    const pass = fw.conv2d(d) as import('../src/workloads.js').LocalGradientStep;
    const first = pass.gradients();
    pass.step();
    pass.step();
    expect(pass.gradients()).toEqual(first);
  });

  it('says why js-pytorch and tfjs-wasm cannot run it instead of producing a figure', async () => {
    const js = await frameworks.get('js-pytorch')!.conv2d(d);
    expect(isUnsupported(js) && js.unsupported).toMatch(/no convolution/);
    const wasm = frameworks.get('tfjs-wasm')!;
    await wasm.activate?.();
    const built = await wasm.conv2d(d);
    expect(isUnsupported(built) && built.unsupported).toMatch(/no Conv2DBackpropFilter kernel/);
  });
});

describe('parseArgs', () => {
  it('defaults to every size, framework and workload, timed by the wall clock', () => {
    const o = parseArgs([]);
    expect(o.sizes).toEqual([64, 128, 256, 512, 1024]);
    expect(o.frameworks).toEqual(['dl', 'dl-js', 'tfjs-cpu', 'tfjs-wasm', 'js-pytorch', 'pytorch', 'dl-mt', 'pytorch-mt']);
    expect(o.workloads).toEqual(['matmul', 'mlp', 'conv', 'lstm', 'conv2d', 'ops']);
    expect(o.timing.clock).toBe('wall');
  });

  it('reads --quick, --sizes, --only, --workloads, --min-time, --rounds and --clock in either form', () => {
    const o = parseArgs(['--rounds=2', '--sizes', '32,48', '--only=dl,tfjs-wasm', '--workloads=mlp', '--min-time=50', '--clock=cpu', '--quick']);
    expect(o.sizes).toEqual([32, 48]);
    expect(o.frameworks).toEqual(['dl', 'tfjs-wasm']);
    expect(o.workloads).toEqual(['mlp']);
    // --quick supplies defaults; options given explicitly win wherever --quick appears.
    expect(o.timing).toMatchObject({ minTimeMs: 50, clock: 'cpu', minSamples: 3, rounds: 2 });
    expect(parseArgs(['--quick']).sizes).toEqual([64, 256]);
    expect(parseArgs(['--quick']).timing.rounds).toBe(1);
    expect(parseArgs(['--workloads=conv2d,mlp']).workloads).toEqual(['conv2d', 'mlp']);
  });

  it('rejects bad arguments with a message naming them', () => {
    expect(() => parseArgs(['--sizes=64,x'])).toThrow(/--sizes must be positive integers, got '64,x'/);
    expect(() => parseArgs(['--only=dl,torch'])).toThrow(/unknown framework\(s\) torch/);
    expect(() => parseArgs(['--workloads=rnn'])).toThrow(/unknown workload\(s\) rnn/);
    expect(() => parseArgs(['--clock=gpu'])).toThrow(/--clock must be 'wall' or 'cpu'/);
    expect(() => parseArgs(['--rounds=0'])).toThrow(/--rounds must be a positive integer, got '0'/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument '--fast'/);
    expect(() => parseArgs(['--frobnicate=1'])).toThrow(/unknown option '--frobnicate'/);
  });
});
