// LambdaLR, OneCycleLR, CosineAnnealingWarmRestarts against torch.optim.lr_scheduler trajectories
// (fixtures/lrSchedules.py), and RMSprop as PyTorch's spelling of RMSProp.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Adam, CosineAnnealingWarmRestarts, LambdaLR, OneCycleLR, RMSProp, RMSprop, SGD, type AnyOptimizer, type LRScheduler,
} from '@dl/optim';
import { param } from './build.js';

interface Case {
  name: string;
  kind: 'LambdaLR' | 'OneCycleLR' | 'CosineAnnealingWarmRestarts';
  optimizer: 'SGD' | 'SGD0' | 'Adam';
  options: Record<string, unknown>;
  epochs: number[] | null;
  lrs: number[][];
  momenta: number[][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/lrSchedules.json', import.meta.url), 'utf8')) as { cases: Case[] };

function makeOptimizer(kind: Case['optimizer']): AnyOptimizer {
  const groups = [{ params: [param([0])], lr: 0.1 }, { params: [param([0])], lr: 0.05 }];
  if (kind === 'Adam') return new Adam(groups, { lr: 0.1 }) as unknown as AnyOptimizer;
  return new SGD(groups, { lr: 0.1, momentum: kind === 'SGD' ? 0.9 : 0 }) as unknown as AnyOptimizer;
}
const LAMBDAS: Record<string, ((e: number) => number) | ((e: number) => number)[]> = {
  exp: (e) => 0.95 ** e,
  perGroup: [(e) => 1 / (e + 1), (e) => (e > 3 ? 0.5 : 1)],
};
function makeScheduler(opt: AnyOptimizer, c: Case): LRScheduler<object> {
  switch (c.kind) {
    case 'LambdaLR': return new LambdaLR(opt, LAMBDAS[c.options.lambda as string]!);
    case 'OneCycleLR': return new OneCycleLR(opt, c.options as never);
    case 'CosineAnnealingWarmRestarts': return new CosineAnnealingWarmRestarts(opt, c.options as never);
  }
}
const momentaOf = (opt: AnyOptimizer) =>
  opt.paramGroups.map((g) => {
    const o = g as unknown as { betas?: readonly number[]; momentum?: number };
    return o.betas !== undefined ? o.betas[0]! : o.momentum!;
  });
const close = (a: readonly number[], b: readonly number[], what: string) =>
  a.forEach((v, i) => expect(Math.abs(v - b[i]!), `${what}: ${v} vs ${b[i]}`).toBeLessThanOrEqual(1e-15 + 1e-12 * Math.abs(b[i]!)));

describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('matches the PyTorch trajectory (lr, and momentum or beta1), step by step', () => {
    const opt = makeOptimizer(c.optimizer);
    const sched = makeScheduler(opt, c) as LRScheduler<object> & { step(epoch?: number): void };
    close(opt.paramGroups.map((g) => g.lr), c.lrs[0]!, 'after construction');
    close(momentaOf(opt), c.momenta[0]!, 'momentum after construction');
    for (let e = 1; e < c.lrs.length; e++) {
      opt.step();
      if (c.epochs === null) sched.step();
      else sched.step(c.epochs[e - 1]);
      close(opt.paramGroups.map((g) => g.lr), c.lrs[e]!, `lr at step ${e}`);
      close(momentaOf(opt), c.momenta[e]!, `momentum at step ${e}`);
    }
    expect(sched.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
  });
});

describe('schedulers: state and errors', () => {
  const sgd = () => makeOptimizer('SGD');
  it('OneCycleLR refuses a step past totalSteps, and an optimizer without momentum or betas when cycling', () => {
    const s = new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 2 });
    s.step();
    s.step();
    expect(() => s.step()).toThrow(/^OneCycleLR.step: tried to step 3 times; the specified number of total steps is 2/);
    expect(() => new OneCycleLR(sgd(), { maxLr: 1 })).toThrow(/^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch/);
    expect(() => new OneCycleLR(sgd(), { maxLr: [1, 2, 3], totalSteps: 5 })).toThrow(/^OneCycleLR: expected 2 maxLr values/);
  });
  it('CosineAnnealingWarmRestarts resumes from its state dict', () => {
    const a = new CosineAnnealingWarmRestarts(sgd(), { T0: 3, TMult: 2 });
    for (let i = 0; i < 5; i++) a.step();
    const optB = sgd();
    const b = new CosineAnnealingWarmRestarts(optB, { T0: 3, TMult: 2 });
    b.loadStateDict(a.stateDict());
    a.step();
    b.step();
    expect(b.getLastLr()).toEqual(a.getLastLr());
    expect(() => new CosineAnnealingWarmRestarts(sgd(), { T0: 0 })).toThrow(/^CosineAnnealingWarmRestarts: invalid T0 0/);
  });
  it('LambdaLR keeps each instance its own functions, saves no functions, and checks them', () => {
    const a = new LambdaLR(sgd(), (e) => 2 ** -e);
    const b = new LambdaLR(sgd(), () => 3);
    a.step();
    b.step();
    expect(a.getLastLr()).toEqual([0.05, 0.025]);
    expect(b.getLastLr()).toEqual([0.30000000000000004, 0.15000000000000002]);
    expect(JSON.stringify(a.stateDict())).not.toContain('=>');
    expect(() => new LambdaLR(sgd(), [() => 1])).toThrow(/^LambdaLR: expected 2 lrLambda functions/);
    expect(() => new LambdaLR(sgd(), 5 as never)).toThrow(/^LambdaLR: lrLambda must be a function/);
  });
  it('RMSprop is RMSProp', () => {
    expect(RMSprop).toBe(RMSProp);
  });
});
