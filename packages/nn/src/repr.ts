// Helpers that print settings the way PyTorch's extra_repr does, so toString matches torch's printing.
import type { Size2 } from './checks.js';

/** An int-or-pair argument as Python prints it: `2` or `(3, 3)`. */
export function reprPair(value: Size2): string {
  return typeof value === 'number' ? String(value) : `(${value[0]}, ${value[1]})`;
}

/** A float as Python's `repr` prints it: `0.01`, `1.0`, `1e-05`. */
export function reprFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 16) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/** A boolean as Python prints it. */
export function reprBool(b: boolean): string {
  return b ? 'True' : 'False';
}
