// Issue 9: a table-driven walk of every public export of every package (from the signatures they carry,
// the fuzz suite's table): wrong positional arguments, too many arguments, unknown and snake_case option
// keys are each a DlError naming the function or constructor called.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DlError, checks, noGrad } from '@dl/autograd';
import { entriesOf, packages, validOf, type Entry } from './fuzz/table.js';

const entries: Entry[] = (Object.keys(packages) as (keyof typeof packages)[]).flatMap((p) => entriesOf(p).entries);

function errorOf(e: Entry, args: unknown[]): DlError {
  try {
    noGrad(() => e.call(args));
  } catch (err) {
    if (err instanceof DlError) return err;
    throw new Error(`${e.name}: threw ${String(err)}`);
  }
  throw new Error(`${e.name}(${args.map((a) => checks.describe(a)).join(', ')}) did not throw`);
}

/** A value each of the first `n` kinds accepts, or null when one cannot be drawn for sure. */
function validPrefix(e: Entry, n: number): unknown[] | null {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const k = e.kinds[i]!;
    const v = fc.sample(validOf(k), { seed: i + 1, numRuns: 30 }).find((c) => {
      try {
        k.check(e.name, 'probe', c);
        return true;
      } catch {
        return false;
      }
    });
    if (v === undefined && !k.optional) return null;
    out.push(v);
  }
  return out;
}

describe('every public export refuses wrong arguments with a DlError naming it', () => {
  it(`covers the exports (${entries.length} entry points)`, () => {
    expect(entries.length).toBeGreaterThan(250);
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s: a wrong value in the first checked position', (_, e) => {
    const i = e.kinds.findIndex((k) => k.tag !== 'any');
    const prefix = i < 0 ? null : validPrefix(e, i);
    const args = i < 0 ? [Symbol('wrong'), Symbol('wrong')] : [...(prefix ?? []), Symbol('wrong')];
    const err = errorOf(e, i < 0 || prefix !== null ? args : [Symbol('wrong')]);
    expect(err.fn).toBe(e.name);
  });

  it.each(entries.filter((e) => !e.rest).map((e) => [e.name, e] as const))('%s: too many arguments', (_, e) => {
    const args = [...(validPrefix(e, e.kinds.length) ?? e.kinds.map(() => undefined)), 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    const err = errorOf(e, args);
    expect(err.fn).toBe(e.name);
  });

  const withOptions = entries.flatMap((e) => {
    const i = e.kinds.findIndex((k) => k.tag === 'options');
    return i < 0 || e.rest ? [] : [[e.name, e, i] as const];
  });
  it.each(withOptions)('%s: an unknown option key, and a snake_case one', (_, e, i) => {
    const prefix = validPrefix(e, i);
    if (prefix === null) return; // no value of an earlier parameter's kind could be drawn; covered above
    const err = errorOf(e, [...prefix, { notAnOption: 1 }]);
    expect(err.fn).toBe(e.name);
    if (prefix !== null) expect(err.message).toMatch(/unknown option 'notAnOption'; the valid options are/);
    const camel = Object.keys(e.kinds[i]!.keys ?? {}).find((k) => /[A-Z]/.test(k));
    if (camel !== undefined && prefix !== null) {
      const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      const s = errorOf(e, [...prefix, { [snake]: 1 }]);
      expect(s.fn).toBe(e.name);
      expect(s.hint).toContain(`did you mean '${camel}'?`);
    }
  });
});
