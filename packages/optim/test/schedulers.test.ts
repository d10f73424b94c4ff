import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tensor } from '@dl/autograd';
import {
  CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, ReduceLROnPlateau, SGD, StepLR, type LRScheduler, type AnyOptimizer,
} from '@dl/optim';
import { param } from './build.js';

interface SchedulerSpec {
  kind: string;
  options: Record<string, unknown>;
}
interface SchedulerCase {
  name: string;
  schedulers: SchedulerSpec[];
  lrs: number[][];
  metrics: number[] | null;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/schedulers.json', import.meta.url), 'utf8')) as { torch: string; cases: SchedulerCase[] };

/** SGD over two one-element parameters in two groups, as the fixtures use. */
const twoGroups = (lrs: readonly [number, number] = [0.1, 0.05]) =>
  new SGD([{ params: [param([0])], lr: lrs[0] }, { params: [param([0])], lr: lrs[1] }], { lr: lrs[0] });

function makeScheduler(opt: AnyOptimizer, spec: SchedulerSpec): LRScheduler | ReduceLROnPlateau {
  const o = spec.options as never;
  switch (spec.kind) {
    case 'StepLR': return new StepLR(opt, o);
    case 'MultiStepLR': return new MultiStepLR(opt, o);
    case 'ExponentialLR': return new ExponentialLR(opt, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(opt, o);
    case 'LinearLR': return new LinearLR(opt, o);
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(opt, o);
    default: throw new Error(`unknown scheduler ${spec.kind}`);
  }
}

const lrsOf = (opt: AnyOptimizer) => opt.paramGroups.map((g) => g.lr);

function expectLrs(actual: number[], expected: number[], what: string): void {
  actual.forEach((a, i) => {
    if (!(Math.abs(a - expected[i]!) <= 1e-13 * Math.abs(expected[i]!) + 1e-300)) throw new Error(`${what}, group ${i}: lr ${a}, torch gives ${expected[i]}`);
  });
}

describe(`schedulers against torch ${fixture.torch}`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const opt = twoGroups();
    const scheds = c.schedulers.map((s) => makeScheduler(opt, s));
    expectLrs(lrsOf(opt), c.lrs[0]!, 'after construction');
    for (let e = 1; e < c.lrs.length; e++) {
      opt.step();
      for (const s of scheds) {
        if (s instanceof ReduceLROnPlateau) s.step(c.metrics![e - 1]!);
        else s.step();
      }
      expectLrs(lrsOf(opt), c.lrs[e]!, `epoch ${e}`);
      expect(scheds.at(-1)!.getLastLr()).toEqual(lrsOf(opt));
    }
  });
});

const epochs = fc.integer({ min: 1, max: 40 });
const factor = fc.integer({ min: 1, max: 99 }).map((k) => k / 100);

describe('closed forms (PyTorch documents each schedule by one)', () => {
  const run = (make: (o: AnyOptimizer) => LRScheduler, n: number) => {
    const opt = twoGroups();
    const sched = make(opt);
    const out = [lrsOf(opt)];
    for (let e = 1; e <= n; e++) {
      sched.step();
      out.push(lrsOf(opt));
    }
    return out;
  };
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.abs(b) + 1e-15;

  it('StepLR: base·γ^⌊e/stepSize⌋', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), factor, epochs, (stepSize, gamma, n) => {
      run((o) => new StepLR(o, { stepSize, gamma }), n).forEach((lrs, e) =>
        expect(close(lrs[0]!, 0.1 * gamma ** Math.floor(e / stepSize))).toBe(true));
    }), { numRuns: 30 });
  });

  it('MultiStepLR: base·γ^(number of milestones <= e)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 5 }), factor, epochs, (milestones, gamma, n) => {
      run((o) => new MultiStepLR(o, { milestones, gamma }), n).forEach((lrs, e) =>
        expect(close(lrs[1]!, 0.05 * gamma ** milestones.filter((m) => m <= e).length)).toBe(true));
    }), { numRuns: 30 });
  });

  it('ExponentialLR: base·γ^e', () => {
    fc.assert(fc.property(factor, epochs, (gamma, n) => {
      run((o) => new ExponentialLR(o, { gamma }), n).forEach((lrs, e) => expect(close(lrs[0]!, 0.1 * gamma ** e)).toBe(true));
    }), { numRuns: 30 });
  });

  it('CosineAnnealingLR: ηmin + (base − ηmin)(1 + cos(πe/T))/2, also past T', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }).map((k) => k / 1000), epochs, (tMax, etaMin, n) => {
      run((o) => new CosineAnnealingLR(o, { tMax, etaMin }), n).forEach((lrs, e) => {
        const expected = etaMin + ((0.1 - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2;
        expect(Math.abs(lrs[0]! - expected)).toBeLessThan(1e-12);
      });
    }), { numRuns: 30 });
  });

  it('LinearLR: base·(start + (end − start)·min(e, T)/T)', () => {
    fc.assert(fc.property(factor, fc.integer({ min: 0, max: 100 }).map((k) => k / 100), fc.integer({ min: 1, max: 10 }), epochs, (a, b, t, n) => {
      run((o) => new LinearLR(o, { startFactor: a, endFactor: b, totalIters: t }), n).forEach((lrs, e) =>
        expect(Math.abs(lrs[0]! - 0.1 * (a + ((b - a) * Math.min(e, t)) / t))).toBeLessThan(1e-14));
    }), { numRuns: 30 });
  });
});

describe('scheduler state', () => {
  it('sets initialLr once, so a second scheduler keeps the first base', () => {
    const opt = twoGroups();
    new LinearLR(opt, { startFactor: 0.5 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    const exp = new ExponentialLR(opt, { gamma: 0.5 });
    expect(exp.baseLrs).toEqual([0.1, 0.05]);
    expect(exp.lastEpoch).toBe(0);
  });

  it('resumes from optimizer and scheduler state dicts mid-schedule with identical learning rates and parameters', () => {
    const specs: SchedulerSpec[] = [
      { kind: 'StepLR', options: { stepSize: 2, gamma: 0.5 } },
      { kind: 'CosineAnnealingLR', options: { tMax: 6, etaMin: 0.001 } },
      { kind: 'LinearLR', options: { startFactor: 0.2, totalIters: 4 } },
      { kind: 'MultiStepLR', options: { milestones: [3, 5], gamma: 0.3 } },
    ];
    for (const spec of specs) {
      const train = (opt: SGD, sched: LRScheduler, from: number, to: number) => {
        const p = opt.paramGroups[0]!.params[0]!;
        for (let e = from; e < to; e++) {
          p.grad = tensor([Math.cos(e) + p.data[0]!], { dtype: 'float64' });
          opt.step();
          sched.step();
        }
      };
      const straightOpt = twoGroups();
      const straight = makeScheduler(straightOpt, spec) as LRScheduler;
      train(straightOpt, straight, 0, 10);

      const firstOpt = twoGroups();
      const first = makeScheduler(firstOpt, spec) as LRScheduler;
      train(firstOpt, first, 0, 4);
      const savedOpt = structuredClone(firstOpt.stateDict());
      const savedSched = structuredClone(first.stateDict());
      const p0 = firstOpt.paramGroups.map((g) => g.params[0]!.data[0]!);

      // As PyTorch advises: build the scheduler first, then load both state dicts.
      const resumedOpt = twoGroups();
      resumedOpt.paramGroups.forEach((g, i) => (g.params[0]!.data[0] = p0[i]!));
      const resumed = makeScheduler(resumedOpt, spec) as LRScheduler;
      resumedOpt.loadStateDict(savedOpt);
      resumed.loadStateDict(savedSched);
      train(resumedOpt, resumed, 4, 10);
      expect(lrsOf(resumedOpt), spec.kind).toEqual(lrsOf(straightOpt));
      expect(resumed.getLastLr()).toEqual(straight.getLastLr());
      expect(resumedOpt.paramGroups[0]!.params[0]!.data).toEqual(straightOpt.paramGroups[0]!.params[0]!.data);
    }
  });

  it('throws when groups were added after the scheduler', () => {
    const opt = twoGroups();
    const sched = new StepLR(opt, { stepSize: 1 });
    opt.addParamGroup({ params: [param([1])] });
    expect(() => sched.step()).toThrow(/StepLR\.step: the optimizer has 3 parameter groups but the scheduler was created for 2/);
  });

  it('rejects bad options with clear errors', () => {
    const opt = twoGroups();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/StepLR: invalid stepSize 0 \(expected an integer >= 1\)/);
    expect(() => new StepLR(opt, { stepSize: 1.5 })).toThrow(/StepLR: invalid stepSize 1.5/);
    expect(() => new MultiStepLR(opt, { milestones: [2, -1] })).toThrow(/MultiStepLR: invalid milestones\[1\] -1/);
    expect(() => new ExponentialLR(opt, { gamma: NaN })).toThrow(/ExponentialLR: invalid gamma NaN/);
    expect(() => new CosineAnnealingLR(opt, { tMax: 0 })).toThrow(/CosineAnnealingLR: invalid tMax 0/);
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow(/LinearLR: invalid startFactor 0 \(expected 0 < startFactor <= 1\)/);
    expect(() => new LinearLR(opt, { endFactor: 1.5 })).toThrow(/LinearLR: invalid endFactor 1.5/);
    expect(() => new StepLR({} as AnyOptimizer, { stepSize: 1 })).toThrow(/StepLR: expected an Optimizer, got object/);
    expect(() => new ReduceLROnPlateau(opt, { factor: 1 })).toThrow(/ReduceLROnPlateau: invalid factor 1 \(expected 0 <= factor < 1\)/);
    expect(() => new ReduceLROnPlateau(opt, { mode: 'up' as 'min' })).toThrow(/ReduceLROnPlateau: mode 'up' is unknown/);
    expect(() => new ReduceLROnPlateau(opt, { minLr: [0.1] })).toThrow(/ReduceLROnPlateau: expected 2 minLr values \(one per parameter group\), got 1/);
    expect(() => new ReduceLROnPlateau(opt).step(NaN)).toThrow(/ReduceLROnPlateau\.step: the metric is NaN/);
  });
});

describe('ReduceLROnPlateau', () => {
  it('never raises an lr, never goes below minLr, and reduces only after patience bad epochs', () => {
    const arb = fc.record({
      patience: fc.integer({ min: 0, max: 4 }),
      cooldown: fc.integer({ min: 0, max: 3 }),
      factor: fc.integer({ min: 1, max: 9 }).map((k) => k / 10),
      minLr: fc.integer({ min: 0, max: 30 }).map((k) => k / 1000),
      metrics: fc.array(fc.integer({ min: 0, max: 20 }).map((k) => k / 10), { minLength: 1, maxLength: 40 }),
    });
    fc.assert(fc.property(arb, ({ patience, cooldown, factor, minLr, metrics }) => {
      const opt = twoGroups();
      const sched = new ReduceLROnPlateau(opt, { patience, cooldown, factor, minLr });
      let best = Infinity;
      let sinceBest = 0;
      for (const m of metrics) {
        const before = lrsOf(opt);
        const isBetter = m < best * (1 - 1e-4);
        sched.step(m);
        const after = lrsOf(opt);
        after.forEach((lr, i) => {
          expect(lr).toBeLessThanOrEqual(before[i]!);
          expect(lr).toBeGreaterThanOrEqual(Math.min(minLr, before[i]!));
        });
        if (isBetter) {
          best = m;
          sinceBest = 0;
          expect(after).toEqual(before);
        } else sinceBest += 1;
        if (sinceBest <= patience) expect(after).toEqual(before);
      }
    }), { numRuns: 50 });
  });

  it('takes a one-element tensor as the metric and round-trips its state', () => {
    const opt = twoGroups();
    const sched = new ReduceLROnPlateau(opt, { patience: 0 });
    sched.step(tensor([1]));
    sched.step(tensor([2]));
    expect(sched.getLastLr()).toEqual([0.010000000000000002, 0.005000000000000001]);
    const other = new ReduceLROnPlateau(twoGroups(), { patience: 7 });
    other.loadStateDict(structuredClone(sched.stateDict()));
    expect(other.stateDict()).toEqual(sched.stateDict());
    expect(other.best).toBe(1);
  });
});
