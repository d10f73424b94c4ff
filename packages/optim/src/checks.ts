import { DlError, checks as C } from '@dl/autograd';
// Option checks shared by the optimizers and schedulers; each error names the class and the value.

/** Throws unless `value` is a finite number >= 0 (NaN fails too). */
export function checkNonNegative(owner: string, what: string, value: number): void {
  checkNumber(owner, what, value);
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new DlError(`${owner}: invalid ${what} ${value} (expected a finite number >= 0)`);
  }
}

/** Throws unless `lo <= value < hi` (or `<= hi` when `closed`). */
export function checkInRange(owner: string, what: string, value: number, lo: number, hi: number, closed = false): void {
  checkNumber(owner, what, value);
  const ok = value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) throw new DlError(`${owner}: invalid ${what} ${value} (expected ${lo} <= ${what} ${closed ? '<=' : '<'} ${hi})`);
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(owner: string, what: string, value: number, min: number): void {
  checkNumber(owner, what, value);
  if (!Number.isInteger(value) || value < min) {
    throw new DlError(`${owner}: invalid ${what} ${value} (expected an integer >= ${min})`);
  }
}

/** Throws unless `value` is a number at all: `lr: '0.1'` is named as the string it is, not read as 0.1. */
export function checkNumber(owner: string, what: string, value: unknown): void {
  if (typeof value !== 'number') throw new DlError(owner, `${what} must be a number, got ${C.describe(value)}`, { arg: what });
}
