// Option checks shared by the optimizers and schedulers; each error names the class and the value.

/** Throws unless `value` is a finite number >= 0 (NaN fails too). */
export function checkNonNegative(owner: string, what: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new Error(`${owner}: invalid ${what} ${value} (expected a finite number >= 0)`);
  }
}

/** Throws unless `lo <= value < hi` (or `<= hi` when `closed`). */
export function checkInRange(owner: string, what: string, value: number, lo: number, hi: number, closed = false): void {
  const ok = value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) throw new Error(`${owner}: invalid ${what} ${value} (expected ${lo} <= ${what} ${closed ? '<=' : '<'} ${hi})`);
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(owner: string, what: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${owner}: invalid ${what} ${value} (expected an integer >= ${min})`);
  }
}
