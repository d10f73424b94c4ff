import { DlError } from './checks/error.js';
/** A tensor's shape: one non-negative integer size per dimension. */
export type Shape = readonly number[];

/** Formats a shape as PyTorch-like text for error messages: `[2,3]`. */
export function fmt(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** The number of elements of a shape (1 for a scalar). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Whether two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks every size is a non-negative integer, else throws naming `op`. */
export function checkShape(op: string, shape: Shape): number[] {
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new DlError(`${op}: invalid shape ${fmt(shape)}: sizes must be non-negative integers`);
    }
  }
  return [...shape];
}

/**
 * The strides that read a contiguous tensor of `shape` as if broadcast to `to` (which it must broadcast
 * to): its own row-major strides, 0 along the dimensions it lacks or has as 1.
 */
export function broadcastStrides(shape: Shape, to: Shape): number[] {
  const lead = to.length - shape.length;
  const own = stridesOf(shape);
  return to.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]!));
}

/** The NumPy/PyTorch broadcast of two shapes; throws naming `op` when they are incompatible. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new DlError(`${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative `dim` against `ndim`, else throws naming `op`. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new DlError(`${op}: dim ${dim} is out of range for a tensor of ${ndim} dimension(s) (expected ${lo} to ${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Resolves a dim argument (one, several or all) to a sorted list of distinct dims. */
export function normalizeDims(op: string, dim: number | readonly number[] | undefined, ndim: number): number[] {
  // An empty list means every dim, as in PyTorch's sum(x, dim=[]).
  if (dim === undefined || (typeof dim !== 'number' && dim.length === 0)) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const dims = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(dims).size !== dims.length) throw new DlError(`${op}: dims [${list.join(',')}] repeat a dimension`);
  return dims.sort((x, y) => x - y);
}

/**
 * The dims over which a gradient of shape `from` must be summed to reach `to`
 * (leading dims that broadcasting added, and dims where `to` had size 1).
 */
export function sumToShapeDims(from: Shape, to: Shape): number[] {
  const lead = from.length - to.length;
  const dims: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) dims.push(i);
  }
  return dims;
}
