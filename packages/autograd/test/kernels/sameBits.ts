import { expect } from 'vitest';

/** A value as a message shows it, −0 included (a template string writes it as 0). */
const show = (v: number | undefined): string => (Object.is(v, -0) ? '-0' : String(v));

/**
 * Expects the same values element by element, as Object.is compares them: −0 is not 0, and a NaN
 * matches any NaN (whatever its payload). The first difference names its element.
 */
export function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect(`element ${i}: ${show(got[i])}`).toBe(`element ${i}: ${show(want[i])}`);
  }
}
