// PyTorch's index expressions (`x[:, 0]`, `x[1:3, ::2]`, `x[..., -1]`, `x[:, None]`, `x[idx]`, `x[mask]`)
// resolved to the flat positions they address in a tensor of a given shape: pure index arithmetic, no
// tensors made. Reading (`index`) takes those positions; writing (`indexPut`) puts values at them.
import { DlError } from '../checks/error.js';
import { describe } from '../checks/describe.js';
import { Tensor } from '../tensor.js';
import { broadcastShapes, fmt, numel, stridesOf } from '../shape.js';

/** A 0/1 mask in an index expression: a bool tensor is one by itself; `{ mask }` reads a float or int32 0/1 tensor as one. */
export interface MaskIndex {
  readonly mask: Tensor;
}

/**
 * One item of an index expression, PyTorch's `x[a, b, ...]` written `x.index(a, b, ...)`:
 * - an integer (negative counts from the end) picks one position and drops the dim: `0`, `-1`;
 * - a slice string `'start:stop:step'` with any part left out: `':'`, `'1:3'`, `'::2'`, `'-2:'`;
 * - `'...'` stands for as many `':'` as needed (Python's Ellipsis), at most once;
 * - `null` inserts a dim of size 1 (Python's `None` / `np.newaxis`);
 * - an int32 tensor (or a float one holding integers) or an array of integers is an advanced index: the
 *   positions it holds along that dim, with its shape in the result; several broadcast together, as in PyTorch;
 * - a bool tensor (a comparison's result) selects where it is true over as many dims as it has, as
 *   PyTorch's `x[mask]`; `{ mask }` reads a float or int32 0/1 tensor the same way.
 */
export type IndexItem = number | string | null | Tensor | readonly number[] | MaskIndex;

/** What an expression addresses: the flat position in the source of every result element, and the result's shape. */
export interface ResolvedIndex {
  positions: Int32Array;
  shape: number[];
}

type Axis = { adv: false; offsets: number[]; size: number } | { adv: true; shape: number[]; values: ArrayLike<number>; stride: number; dim: number; size: number };

const SLICE = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function isMask(v: unknown): v is MaskIndex {
  return typeof v === 'object' && v !== null && !(v instanceof Tensor) && !Array.isArray(v) && (v as MaskIndex).mask instanceof Tensor;
}

/** The number of source dims an item consumes. */
function consumes(op: string, item: IndexItem, k: number): number {
  if (item === null || item === '...') return 0;
  if (isMask(item)) return Math.max(item.mask.ndim, 0);
  if (typeof item === 'number') {
    if (!Number.isInteger(item)) throw new DlError(op, `index ${item} at position ${k} is not an integer`, { arg: `index[${k}]` });
    return 1;
  }
  if (typeof item === 'string') {
    if (!SLICE.test(item)) {
      const hint = /^\s*-?\d+\s*$/.test(item) ? `pass the number ${item.trim()}, not a string` : "slices are written 'start:stop:step', e.g. ':', '1:3', '::2', and Ellipsis '...'";
      throw new DlError(op, `cannot read index ${describe(item)} at position ${k}`, { arg: `index[${k}]`, hint });
    }
    return 1;
  }
  if (item instanceof Tensor) return 1;
  if (Array.isArray(item) && item.every((v) => typeof v === 'number')) return 1;
  throw new DlError(op, `index at position ${k} must be an integer, a slice string, '...', null, a tensor, an array of integers or { mask }, got ${describe(item)}`, {
    arg: `index[${k}]`,
  });
}

function wrap(op: string, v: number, size: number, dim: number): number {
  if (!Number.isInteger(v)) {
    throw new DlError(op, `index tensors must hold integers (int32, or float tensors holding integers), got ${v}`);
  }
  if (v < -size || v >= size) throw new DlError(op, `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
  return v < 0 ? v + size : v;
}

/**
 * Resolves an index expression against `shape`, with errors naming `op`, the item and the shapes.
 * Integers are applied first as PyTorch does (they select, dropping the dim); the advanced indices'
 * broadcast shape takes the place of the first of them when they are adjacent, else it comes first.
 */
export function resolveIndex(op: string, shape: readonly number[], given: readonly IndexItem[]): ResolvedIndex {
  // A bool tensor is a mask, as in PyTorch (`x[x > 0]`); other tensors hold positions.
  const items = given.map((item) => (item instanceof Tensor && item.dtype === 'bool' ? { mask: item } : item));
  const ndim = shape.length;
  let used = 0;
  let ellipses = 0;
  items.forEach((item, k) => {
    used += consumes(op, item, k);
    if (item === '...') ellipses++;
  });
  if (ellipses > 1) throw new DlError(op, "an index can only have a single ellipsis ('...')");
  if (used > ndim) throw new DlError(op, `too many indices for tensor of dimension ${ndim} (got ${used}, shape ${fmt(shape)})`);
  const full: IndexItem[] = [];
  for (const item of items) {
    if (item === '...') for (let i = 0; i < ndim - used; i++) full.push(':');
    else full.push(item);
  }
  if (ellipses === 0) for (let i = used; i < ndim; i++) full.push(':');

  const strides = stridesOf(shape);
  let base = 0;
  let d = 0;
  const axes: Axis[] = [];
  full.forEach((item) => {
    if (item === null) {
      axes.push({ adv: false, offsets: [0], size: 1 });
    } else if (typeof item === 'number') {
      base += wrap(op, item, shape[d]!, d) * strides[d]!;
      d++;
    } else if (typeof item === 'string') {
      const m = SLICE.exec(item)!;
      const n = shape[d]!;
      const step = m[3] === undefined ? 1 : Number(m[3]);
      if (step <= 0) throw new DlError(op, `slice '${item}': step must be greater than zero (got ${step})`, { hint: 'reverse with flip()' });
      const clampTo = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
      const start = m[1] === undefined ? 0 : clampTo(Number(m[1]));
      const stop = m[2] === undefined ? n : clampTo(Number(m[2]));
      const offsets: number[] = [];
      for (let i = start; i < stop; i += step) offsets.push(i * strides[d]!);
      axes.push({ adv: false, offsets, size: offsets.length });
      d++;
    } else if (isMask(item)) {
      const m = item.mask;
      if (m.ndim === 0) throw new DlError(op, 'a mask index needs at least one dim', { hint: 'use where() or an if for a 0-dim condition' });
      const region = shape.slice(d, d + m.ndim);
      if (m.shape.some((s, i) => s !== region[i])) {
        throw new DlError(op, `the shape of the mask ${fmt(m.shape)} does not match the shape ${fmt(region)} of the dims it indexes (from dim ${d} of ${fmt(shape)})`);
      }
      const hits: number[] = [];
      m.data.forEach((v, i) => {
        if (v !== 0 && v !== 1) throw new DlError(op, `a mask must hold only 0 and 1, got ${v}`, { hint: 'build one with a comparison, e.g. x.gt(0)' });
        if (v === 1) hits.push(i);
      });
      const ms = stridesOf(m.shape);
      for (let j = 0; j < m.ndim; j++) {
        const values = hits.map((h) => Math.floor(h / ms[j]!) % m.shape[j]!);
        axes.push({ adv: true, shape: [hits.length], values, stride: strides[d + j]!, dim: d + j, size: shape[d + j]! });
      }
      d += m.ndim;
    } else {
      const t = item instanceof Tensor ? item : null;
      const values = t ? t.data : (item as readonly number[]);
      const ishape = t ? [...t.shape] : [values.length];
      axes.push({ adv: true, shape: ishape, values, stride: strides[d]!, dim: d, size: shape[d]! });
      d++;
    }
  });

  // The advanced indices: broadcast, bounds-checked, summed into one offset per element of their shape.
  const adv = axes.map((a, i) => [a, i] as const).filter(([a]) => a.adv);
  let out: { offsets: number[]; dims: number[] }[];
  if (adv.length === 0) {
    out = axes.map((a) => ({ offsets: (a as { offsets: number[] }).offsets, dims: [a.size] }));
  } else {
    let b: number[];
    try {
      b = adv.map(([a]) => (a as { shape: number[] }).shape).reduce((acc, sh) => broadcastShapes(op, acc, sh), [] as number[]);
    } catch {
      throw new DlError(op, `shape mismatch: indexing tensors could not be broadcast together with shapes ${adv.map(([a]) => fmt((a as { shape: number[] }).shape)).join(', ')}`);
    }
    const m = numel(b);
    const combined = new Array<number>(m).fill(0);
    const bs = stridesOf(b);
    for (const [a] of adv) {
      const ax = a as Extract<Axis, { adv: true }>;
      const lead = b.length - ax.shape.length;
      const as = stridesOf(ax.shape);
      for (let e = 0; e < m; e++) {
        let src = 0;
        for (let j = 0; j < ax.shape.length; j++) if (ax.shape[j] !== 1) src += (Math.floor(e / bs[lead + j]!) % b[lead + j]!) * as[j]!;
        combined[e] = combined[e]! + wrap(op, ax.values[src]!, ax.size, ax.dim) * ax.stride;
      }
    }
    const idx = adv.map(([, i]) => i);
    const adjacent = idx.every((v, j) => j === 0 || v === idx[j - 1]! + 1);
    const basic = (a: Axis) => ({ offsets: (a as { offsets: number[] }).offsets, dims: [a.size] });
    const block = { offsets: combined, dims: b };
    if (adjacent) {
      out = [];
      axes.forEach((a, i) => {
        if (!a.adv) out.push(basic(a));
        else if (i === idx[0]) out.push(block);
      });
    } else {
      out = [block, ...axes.filter((a) => !a.adv).map(basic)];
    }
  }
  const resultShape = out.flatMap((o) => o.dims);
  let positions = [base];
  for (const o of out) {
    const next = new Array<number>(positions.length * o.offsets.length);
    let k = 0;
    for (const p of positions) for (const c of o.offsets) next[k++] = p + c;
    positions = next;
  }
  return { positions: Int32Array.from(positions), shape: resultShape };
}
