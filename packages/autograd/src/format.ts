import type { Tensor } from './tensor.js';

const EDGE = 3;
const SUMMARIZE_OVER = 1000;

/** How every element of one tensor is written, chosen from all its values as PyTorch does. */
function elementFormatter(values: ArrayLike<number>): (v: number) => string {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite.push(Math.abs(values[i]!));
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (finite.every((v) => Number.isInteger(v))) {
    return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  }
  const nonzero = finite.filter((v) => v !== 0);
  const maxAbs = Math.max(0, ...nonzero);
  const minAbs = nonzero.length > 0 ? Math.min(...nonzero) : 0;
  const sci = maxAbs / Math.max(minAbs, Number.MIN_VALUE) > 1000 || maxAbs > 1e8 || (minAbs > 0 && minAbs < 1e-4);
  if (sci) {
    return (v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = v.toExponential(4).split('e') as [string, string];
      const exp = Number(e);
      return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
    };
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

/** Formats `t` as PyTorch prints it: `tensor([[1., 2.], [3., 4.]], requires_grad=True)`. */
export function formatTensor(t: Tensor): string {
  const summarize = t.numel() > SUMMARIZE_OVER;
  const f = elementFormatter(t.data);
  const width = Math.max(1, ...Array.from(t.data, (v) => f(v).length));
  const cell = (i: number) => f(t.data[i]!).padStart(width);
  const strides: number[] = [];
  let s = 1;
  for (let d = t.ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= t.shape[d]!;
  }
  const indent = 'tensor('.length;
  const render = (dim: number, offset: number): string => {
    if (dim === t.ndim) return cell(offset);
    const n = t.shape[dim]!;
    const idx = summarize && n > 2 * EDGE ? [...range(EDGE), -1, ...range(EDGE).map((i) => n - EDGE + i)] : range(n);
    const parts = idx.map((i) => (i < 0 ? '...' : render(dim + 1, offset + i * strides[dim]!)));
    if (dim === t.ndim - 1) return `[${parts.join(', ')}]`;
    const sep = ',' + '\n'.repeat(t.ndim - dim - 1) + ' '.repeat(indent + dim + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = t.ndim === 0 ? cell(0) : t.numel() === 0 ? '[]' : render(0, 0);
  const extras: string[] = [];
  if (t.numel() === 0 && t.ndim > 1) extras.push(`size=(${t.shape.join(', ')})`);
  if (t.dtype === 'float64') extras.push('dtype=float64');
  if (t.gradFn !== null) extras.push(`grad_fn=<${t.gradFn.op[0]!.toUpperCase()}${t.gradFn.op.slice(1)}Backward>`);
  else if (t.requiresGrad) extras.push('requires_grad=True');
  return `tensor(${[body, ...extras].join(', ')})`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
