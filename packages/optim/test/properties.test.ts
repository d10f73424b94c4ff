// Properties over random parameters, gradients and hyper-parameters: every optimizer matches the scalar
// transcription of its documented rule step by step, and a state dict taken mid-training resumes exactly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Tensor } from '@dl/autograd';
import { kinds, makeOptimizer, param, setGrad } from './build.js';
import { newRefState, referenceStep, type Kind, type RefOptions } from './scalarReference.js';

// fc.double spreads over the binary representations, so most of its draws in [0, 1] are tiny (1e-200);
// draw on an even grid instead, so learning rates and gradients move things.
const real = (min: number, max: number) => fc.integer({ min: 0, max: 1_000_000 }).map((k) => min + ((max - min) * k) / 1_000_000);
const unit = (max = 0.99) => real(0, max);
const logReal = (minExp: number, maxExp: number) => real(minExp, maxExp).map((e) => 10 ** e);
const maybeZero = (arb: fc.Arbitrary<number>) => fc.oneof(fc.constant(0), arb);

/** Hyper-parameters of `kind`, every field present (the reference has no defaults). */
function arbOptions(kind: Kind): fc.Arbitrary<RefOptions> {
  const lr = real(0, 0.5);
  const weightDecay = maybeZero(unit(0.5));
  const maximize = fc.boolean();
  switch (kind) {
    case 'SGD':
      return fc
        .record({ lr, momentum: maybeZero(unit()), dampening: unit(), weightDecay, nesterov: fc.boolean(), maximize })
        .map((o) => (o.nesterov ? { ...o, momentum: Math.max(o.momentum, 0.1), dampening: 0 } : o));
    case 'Momentum':
      return fc.record({ lr, rho: unit(), weightDecay, maximize });
    case 'RMSProp':
      return fc.record({
        lr: real(0, 0.1), alpha: real(0.5, 0.999),
        eps: logReal(-8, -2), momentum: maybeZero(unit(0.9)), centered: fc.boolean(), weightDecay, maximize,
      });
    case 'Adam':
    case 'AdamW':
      return fc.record({
        lr, betas: fc.tuple(unit(0.999), unit(0.9999)), eps: logReal(-8, -3),
        weightDecay, amsgrad: fc.boolean(), maximize, ...(kind === 'Adam' ? { decoupledWeightDecay: fc.boolean() } : {}),
      });
    case 'Adagrad':
      return fc.record({
        lr, lrDecay: maybeZero(unit(1)), weightDecay, initialAccumulatorValue: maybeZero(unit(1)),
        eps: logReal(-10, -3), maximize,
      });
  }
}

interface Problem {
  groups: RefOptions[];
  init: number[][];
  /** grads[step][param], null where the parameter has no gradient that step. */
  grads: (number[] | null)[][];
}

const value = fc.oneof({ arbitrary: real(-5, 5), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 });

function arbProblem(kind: Kind): fc.Arbitrary<Problem> {
  return fc
    .record({
      groups: fc.array(arbOptions(kind), { minLength: 1, maxLength: 2 }),
      // Mostly small, sometimes past 8 elements (the plain SGD step runs eight at a time, then the rest).
      sizes: fc.array(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 3 }, { arbitrary: fc.integer({ min: 5, max: 19 }), weight: 1 }), { minLength: 2, maxLength: 4 }),
      steps: fc.integer({ min: 1, max: 6 }),
    })
    .chain(({ groups, sizes, steps }) =>
      fc.record({
        groups: fc.constant(groups),
        init: fc.tuple(...sizes.map((n) => fc.array(value, { minLength: n, maxLength: n }))),
        grads: fc.array(fc.tuple(...sizes.map((n) => fc.option(fc.array(value, { minLength: n, maxLength: n }), { freq: 6 }))), {
          minLength: steps, maxLength: steps,
        }),
      }),
    );
}

/** Which group each parameter belongs to: the first half in group 0, the rest in the last group. */
const groupOf = (i: number, nParams: number, nGroups: number) => (nGroups === 1 || i < Math.ceil(nParams / 2) ? 0 : 1);

function build(kind: Kind, pr: Problem, withOptions = true) {
  const params = pr.init.map((v) => param(v));
  const groups = pr.groups.map((o, g) => ({
    ...(withOptions ? o : {}),
    params: params.filter((_, i) => groupOf(i, params.length, pr.groups.length) === g),
  }));
  return { params, opt: makeOptimizer(kind, groups) };
}

function runSteps(opt: ReturnType<typeof makeOptimizer>, params: Tensor[], grads: Problem['grads']): void {
  for (const step of grads) {
    params.forEach((p, i) => setGrad(p, step[i]!));
    opt.step();
  }
}

function closeTo(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= 1e-10 * (1 + Math.abs(e)))) throw new Error(`${what}[${i}]: got ${a}, the reference gives ${e}`);
  }
}

describe.each(kinds)('%s', (kind) => {
  it('matches the scalar transcription of its documented update rule over several steps', () => {
    fc.assert(
      fc.property(arbProblem(kind), (pr) => {
        const { params, opt } = build(kind, pr);
        const theta = pr.init.map((v) => [...v]);
        const optsOf = (i: number) => pr.groups[groupOf(i, theta.length, pr.groups.length)]!;
        const ref = theta.map((v, i) => newRefState(v.length, optsOf(i), kind));
        pr.grads.forEach((step, t) => {
          params.forEach((p, i) => setGrad(p, step[i]!));
          opt.step();
          step.forEach((g, i) => {
            if (g !== null) referenceStep(kind, optsOf(i), ref[i]!, theta[i]!, g);
          });
          params.forEach((p, i) => closeTo(p.data, theta[i]!, `step ${t + 1}, param ${i}`));
        });
      }),
      { numRuns: 40 },
    );
  });

  it('resumes from a state dict taken mid-training on an identical trajectory', () => {
    fc.assert(
      fc.property(arbProblem(kind), fc.nat(), (pr, cut) => {
        const k = cut % (pr.grads.length + 1);
        const straight = build(kind, pr);
        runSteps(straight.opt, straight.params, pr.grads);

        const first = build(kind, pr);
        runSteps(first.opt, first.params, pr.grads.slice(0, k));
        const saved = structuredClone(first.opt.stateDict());
        // A fresh optimizer built with the defaults only: the group options come back from the state dict.
        const resumed = build(kind, { ...pr, init: first.params.map((p) => [...p.data]) }, false);
        resumed.opt.loadStateDict(saved);
        expect(resumed.opt.paramGroups.map(({ params: _, ...o }) => o)).toEqual(first.opt.paramGroups.map(({ params: _, ...o }) => o));
        runSteps(resumed.opt, resumed.params, pr.grads.slice(k));
        resumed.params.forEach((p, i) => expect(p.data).toEqual(straight.params[i]!.data));
      }),
      { numRuns: 30 },
    );
  });
});
