import type { Tensor } from './tensor.js';

// PyTorch's default print options.
const PRECISION = 4;
const EDGE = 3;
const THRESHOLD = 1000;
const LINEWIDTH = 80;

/** Whether `x` lies exactly halfway between two multiples of 10^p (x = (N + 1/2)·10^p). */
function isTie(x: number, p: number): boolean {
  x = Math.abs(x);
  if (p < 0) {
    // For a dyadic x this holds exactly when x·2^(1-p) is an odd integer.
    const y = x * 2 ** (1 - p);
    return Number.isInteger(y) && y % 2 === 1;
  }
  if (!Number.isInteger(p === 0 ? 2 * x : x)) return false;
  if (p === 0) return (2 * x) % 2 === 1;
  const unit = 10n ** BigInt(p);
  return BigInt(x) % unit === unit / 2n;
}

/** Lowers the last digit of a rounded mantissa by one: ties went up, Python takes the even neighbour. */
function toEven(s: string, digitsEnd: number): string {
  const d = s.charCodeAt(digitsEnd - 1) - 48;
  return d % 2 === 1 ? s.slice(0, digitsEnd - 1) + String(d - 1) + s.slice(digitsEnd) : s;
}

/** Python's `f'{x:.{d}f}'`: round half to even on the exact binary value (JS rounds ties up). */
function fixed(x: number, d: number): string {
  let s = x.toFixed(d);
  if (isTie(x, -d)) s = toEven(s, s.length);
  return Object.is(x, -0) ? `-${s}` : s;
}

/** Python's `f'{x:.{d}e}'`, e.g. `1.0000e-05`. */
function scientific(x: number, d: number): string {
  let [m, e] = x.toExponential(d).split('e') as [string, string];
  const exp = Number(e);
  // At a tie JS went up; when that carried into a new decade the last digit is 0, already even.
  if (x !== 0 && isTie(x, exp - d)) m = toEven(m, m.length);
  const sign = Object.is(x, -0) ? '-' : '';
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function special(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** How every element of one tensor is written (torch's `_Formatter`), chosen from `values`. */
interface Formatter {
  width: number;
  format(v: number): string;
}

/** Integers and bools as torch writes them: `str(value)` right-aligned to the widest. */
function integralFormatter(values: ArrayLike<number>, bool: boolean): Formatter {
  const text = (v: number): string => (bool ? (v ? 'True' : 'False') : String(v));
  let width = 1;
  for (let i = 0; i < values.length; i++) width = Math.max(width, text(values[i]!).length);
  return { width, format: (v) => text(v).padStart(width) };
}

function makeFormatter(values: ArrayLike<number>, dtype: string): Formatter {
  if (dtype === 'int32' || dtype === 'bool') return integralFormatter(values, dtype === 'bool');
  const nonzero: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && v !== 0) nonzero.push(v);
  }
  let mode: 'int' | 'fixed' | 'sci' = 'int';
  let width = 1;
  if (nonzero.length > 0) {
    let maxAbs = 0;
    let minAbs = Infinity;
    for (const v of nonzero) {
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
      if (a < minAbs) minAbs = a;
      if (!Number.isInteger(v)) mode = 'fixed';
    }
    const wide = maxAbs / minAbs > 1000 || maxAbs > 1e8;
    if (wide || (mode === 'fixed' && minAbs < 1e-4)) mode = 'sci';
    for (const v of nonzero) {
      const len = mode === 'sci' ? scientific(v, PRECISION).length : mode === 'int' ? fixed(v, 0).length + 1 : fixed(v, PRECISION).length;
      if (len > width) width = len;
    }
  }
  const body = (v: number): string => {
    if (mode === 'sci') return Number.isFinite(v) ? scientific(v, PRECISION) : special(v);
    if (mode === 'int') return Number.isFinite(v) ? `${fixed(v, 0)}.` : special(v);
    return Number.isFinite(v) ? fixed(v, PRECISION) : special(v);
  };
  return { width, format: (v) => body(v).padStart(width) };
}

/** The values the formatter is chosen from: only the printed edges once a tensor is summarised. */
function summarisedValues(t: Tensor, summarize: boolean): ArrayLike<number> {
  if (!summarize) return t.data;
  const out: number[] = [];
  const visit = (dim: number, offset: number, stride: number): void => {
    if (dim === t.ndim) {
      out.push(t.data[offset]!);
      return;
    }
    const n = t.shape[dim]!;
    const inner = stride / n;
    for (const i of edgeIndices(n, true)) if (i >= 0) visit(dim + 1, offset + i * inner, inner);
  };
  visit(0, 0, t.data.length);
  return out;
}

/** Indices printed along a dim of size n; -1 stands for the `...` of a summarised tensor. */
function edgeIndices(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

/** Appends `, suffix` entries, moving one to a new line when it would pass the line width (torch's `_add_suffixes`). */
function addSuffixes(text: string, suffixes: string[], indent: number): string {
  const parts = [text];
  // torch counts the last line this way (one more than its length); kept to wrap where torch does.
  let lastLine = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINEWIDTH) {
      parts.push(`,\n${' '.repeat(indent)}${s}`);
      lastLine = indent + s.length;
    } else {
      parts.push(`, ${s}`);
      lastLine += s.length + 2;
    }
  }
  return `${parts.join('')})`;
}

/**
 * Formats `t` as PyTorch prints it (default print options): `tensor([[1., 2.], [3., 4.]], requires_grad=True)`,
 * 4 decimals or scientific notation chosen from all values, lines wrapped at 80 columns, and more than
 * 1000 elements summarised with `...`; ints and bools (`True`/`False`) as torch writes them. Differences:
 * `dtype=float64` and `dtype=int32` (not `torch.float64`, `torch.int32`) and `grad_fn`
 * named after our op (`<MatmulBackward0>` where torch, picking a kernel, says `<MmBackward0>`).
 */
export function formatTensor(t: Tensor): string {
  // GPU values are read asynchronously, so the synchronous text gives what it knows, as PyTorch's device= does.
  if (t.device !== 'cpu') {
    const grad = t.gradFn !== null ? `, grad_fn=<${t.gradFn.op}>` : t.requiresGrad ? ', requires_grad=True' : '';
    return `tensor(<${t.numel()} values: await t.toArrayAsync()>, size=(${t.shape.join(', ')}), device='${t.device}', dtype=${t.dtype}${grad})`;
  }
  const prefix = 'tensor(';
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (t.numel() === 0) {
    if (t.ndim !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
    body = '[]';
  } else {
    const summarize = t.numel() > THRESHOLD;
    const f = makeFormatter(summarisedValues(t, summarize), t.dtype);
    const strides: number[] = [];
    for (let d = t.ndim - 1, s = 1; d >= 0; s *= t.shape[d]!, d--) strides[d] = s;
    const render = (dim: number, offset: number, ind: number): string => {
      const idx = edgeIndices(t.shape[dim]!, summarize);
      if (dim === t.ndim - 1) {
        const cells = idx.map((i) => (i < 0 ? ' ...' : f.format(t.data[offset + i]!)));
        const perLine = Math.max(1, Math.floor((LINEWIDTH - ind) / (f.width + 2)));
        const lines: string[] = [];
        for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
        return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
      }
      const rows = idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim]!, ind + 1)));
      return `[${rows.join(`,${'\n'.repeat(t.ndim - dim - 1)}${' '.repeat(ind + 1)}`)}]`;
    };
    body = t.ndim === 0 ? f.format(t.data[0]!) : render(0, 0, indent);
  }
  // As torch: the dtype is shown unless it is the default float or bool (empty bool tensors show it).
  if (t.dtype === 'float64' || t.dtype === 'int32' || (t.dtype === 'bool' && t.numel() === 0)) suffixes.push(`dtype=${t.dtype}`);
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.op[0]!.toUpperCase()}${t.gradFn.op.slice(1)}Backward0>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent);
}
