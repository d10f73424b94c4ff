import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { add, mul, sum, tensor } from '@dl/autograd';
import { clipGradNorm, clipGradNorm_, clipGradValue, clipGradValue_ } from '@dl/optim';
import { param, setGrad } from './build.js';

type ClipCase =
  | { kind: 'norm'; normType: number | 'Infinity'; maxNorm: number; grads: (number[] | null)[]; total: number; clipped: (number[] | null)[] }
  | { kind: 'value'; clipValue: number; grads: number[][]; clipped: number[][] };
const fixture = JSON.parse(readFileSync(new URL('./fixtures/clip.json', import.meta.url), 'utf8')) as { torch: string; cases: ClipCase[] };

function expectClose(a: ArrayLike<number>, e: readonly number[], what: string): void {
  expect(a.length).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i]! - e[i]!) <= 1e-13 * (1 + Math.abs(e[i]!)))) throw new Error(`${what}[${i}]: got ${a[i]}, torch gives ${e[i]}`);
  }
}

describe(`clipping against torch ${fixture.torch}`, () => {
  it.each(fixture.cases.map((c, i) => [`${c.kind} #${i}`, c] as const))('%s', (_, c) => {
    const params = c.grads.map((g, i) => {
      const p = param(new Array<number>(g?.length ?? 2).fill(0));
      setGrad(p, c.grads[i]!);
      return p;
    });
    if (c.kind === 'norm') {
      const normType = c.normType === 'Infinity' ? Infinity : c.normType;
      const total = clipGradNorm_(params, c.maxNorm, { normType });
      expect(Math.abs(total - c.total)).toBeLessThanOrEqual(1e-13 * c.total);
      params.forEach((p, i) => (c.clipped[i] === null ? expect(p.grad).toBeNull() : expectClose(p.grad!.data, c.clipped[i]!, `grad ${i}`)));
    } else {
      clipGradValue_(params, c.clipValue);
      params.forEach((p, i) => expectClose(p.grad!.data, c.clipped[i]!, `grad ${i}`));
    }
  });
});

const arbGrads = fc.array(fc.array(fc.integer({ min: -2000, max: 2000 }).map((k) => k / 100), { minLength: 1, maxLength: 5 }), {
  minLength: 1, maxLength: 4,
});
const norm = (gs: readonly ArrayLike<number>[], p: number) => {
  const all = gs.flatMap((g) => Array.from(g));
  return p === Infinity ? Math.max(0, ...all.map(Math.abs)) : all.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p);
};

describe('clipGradNorm_', () => {
  it('returns the total norm and scales every gradient by one factor to at most maxNorm', () => {
    const normTypes = fc.constantFrom(1, 2, 3, 0.5, Infinity);
    fc.assert(fc.property(arbGrads, normTypes, fc.integer({ min: 1, max: 400 }).map((k) => k / 10), (grads, p, maxNorm) => {
      const params = grads.map((g) => param(new Array<number>(g.length).fill(0)));
      params.forEach((q, i) => setGrad(q, grads[i]!));
      const total = clipGradNorm_(params, maxNorm, { normType: p });
      expect(Math.abs(total - norm(grads, p))).toBeLessThanOrEqual(1e-12 * (1 + total));
      const after = params.map((q) => q.grad!.data);
      const coef = maxNorm / (total + 1e-6);
      if (coef < 1) expect(Math.abs(norm(after, p) - total * coef)).toBeLessThanOrEqual(1e-12 * (1 + maxNorm));
      else after.forEach((g, i) => expect(Array.from(g)).toEqual(grads[i]));
      // the same factor for every element: the direction is kept
      grads.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(after[i]![j]! - v * Math.min(coef, 1))).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)))));
    }), { numRuns: 50 });
  });

  it('skips parameters without grad; with none it returns 0', () => {
    const a = param([3, 4]);
    const b = param([1]);
    setGrad(a, [3, 4]);
    expect(clipGradNorm_([a, b], 1)).toBeCloseTo(5, 14);
    expect(b.grad).toBeNull();
    expect(clipGradNorm_([b], 1)).toBe(0);
    expect(clipGradNorm_(a, 100)).toBeCloseTo(1, 5); // a single tensor is accepted too
  });

  it('clips gradients that share storage once each (after z = x + y autograd gives x and y one gradient array)', () => {
    const x = param([3, 0]);
    const y = param([0, 4]);
    sum(mul(add(x, y), tensor([3, 4], { dtype: 'float64' }))).backward();
    const total = clipGradNorm_([x, y], 1);
    expect(total).toBeCloseTo(Math.sqrt(50), 12);
    expect(norm([x.grad!.data, y.grad!.data], 2)).toBeCloseTo(1, 6);
    expect(Array.from(x.grad!.data)).toEqual(Array.from(y.grad!.data));
  });

  it('reports non-finite norms when asked, and rejects bad arguments', () => {
    const a = param([1, 2]);
    setGrad(a, [Infinity, 1]);
    expect(() => clipGradNorm_([a], 1, { errorIfNonfinite: true })).toThrow(/clipGradNorm_: the total norm of order 2 of the gradients is Infinity/);
    setGrad(a, [NaN, 1]);
    expect(() => clipGradNorm_([a], 1, { errorIfNonfinite: true })).toThrow(/is NaN/);
    expect(clipGradNorm_([a], 1)).toBeNaN();
    expect(() => clipGradNorm_([a], -1)).toThrow(/clipGradNorm_: invalid maxNorm -1/);
    expect(() => clipGradNorm_([a], 1, { normType: 0 })).toThrow(/clipGradNorm_: invalid normType 0/);
    expect(() => clipGradNorm_([a, 3 as never], 1)).toThrow(/clipGradNorm_: params must be tensors, but element 1 is number/);
    expect(clipGradNorm).toBe(clipGradNorm_);
  });
});

describe('clipGradValue_', () => {
  it('clamps every value into [-v, v] and leaves the rest', () => {
    fc.assert(fc.property(arbGrads, fc.integer({ min: 0, max: 300 }).map((k) => k / 100), (grads, v) => {
      const params = grads.map((g) => param(new Array<number>(g.length).fill(0)));
      params.forEach((q, i) => setGrad(q, grads[i]!));
      clipGradValue_(params, v);
      params.forEach((q, i) => expect(Array.from(q.grad!.data)).toEqual(grads[i]!.map((x) => Math.min(v, Math.max(-v, x)))));
    }), { numRuns: 40 });
  });

  it('rejects a negative clip value', () => {
    expect(() => clipGradValue_([param([1])], -0.5)).toThrow(/clipGradValue_: invalid clipValue -0.5/);
    expect(clipGradValue).toBe(clipGradValue_);
  });
});
