// Golden trajectories from real torch.optim (fixtures/generate.py): the same gradients fed step by step
// must give PyTorch's parameters after every step and PyTorch's state at the end.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DType } from '@dl/autograd';
import { makeOptimizer, param, setGrad } from './build.js';
import type { Kind } from './scalarReference.js';

interface OptimizerCase {
  name: string;
  optimizer: Kind;
  dtype: DType;
  shapes: number[][];
  defaults: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[];
  initial: number[][];
  trajectory: { grads: (number[] | null)[]; params: number[][] }[];
  state: Record<string, Record<string, number | number[]>>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/optimizers.json', import.meta.url), 'utf8')) as { torch: string; cases: OptimizerCase[] };

/** float64 agrees to rounding; float32 to float32 rounding accumulated over the steps. */
const tolerance = (dtype: DType) => (dtype === 'float64' ? 1e-12 : 2e-6);

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) throw new Error(`${what}[${i}]: got ${a}, torch ${fixture.torch} gives ${e}`);
  }
}

describe(`golden trajectories from torch ${fixture.torch}`, () => {
  it('covers every optimizer', () => {
    expect(new Set(fixture.cases.map((c) => c.optimizer))).toEqual(new Set(['SGD', 'Momentum', 'RMSProp', 'Adam', 'AdamW', 'Adagrad']));
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const params = c.initial.map((v, i) => param(v, c.shapes[i], c.dtype));
    const opt = makeOptimizer(c.optimizer, c.groups.map((g) => ({ ...g.options, params: g.params.map((i) => params[i]!) })), c.defaults);
    const tol = tolerance(c.dtype);
    c.trajectory.forEach((step, t) => {
      params.forEach((p, i) => setGrad(p, step.grads[i]!));
      opt.step();
      params.forEach((p, i) => expectClose(p.data, step.params[i]!, tol, `${c.name}: step ${t + 1}, param ${i}`));
    });
    params.forEach((p, i) => {
      // torch keeps no state for a parameter that never stepped, nor for SGD without momentum; we keep {} for the latter.
      const expected = c.state[String(i)] ?? {};
      const actual = opt.state.get(p) ?? {};
      const everStepped = c.trajectory.some((s) => s.grads[i] !== null);
      expect(opt.state.has(p), `${c.name}: state of param ${i} exists iff it stepped`).toBe(everStepped);
      expect(Object.keys(actual).filter((k) => actual[k] !== undefined).sort()).toEqual(Object.keys(expected).sort());
      for (const [k, v] of Object.entries(expected)) {
        if (typeof v === 'number') expect(actual[k], `${c.name}: state ${k} of param ${i}`).toBe(v);
        else {
          const buf = actual[k] as Float32Array | Float64Array;
          expect(buf.constructor, `${c.name}: state ${k} has the param's dtype`).toBe(p.data.constructor);
          expectClose(buf, v, tol, `${c.name}: state ${k} of param ${i}`);
        }
      }
    });
  });
});
