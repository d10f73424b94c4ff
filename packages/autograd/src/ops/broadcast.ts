import { DlError } from '../checks/error.js';
import { Tensor, trustedTensor, type TensorLike } from '../tensor.js';
import { allocate, defaultDType, isFloat, promoteTypes, type DType, type TypedArray } from '../dtype.js';
import { k } from '../kernels/index.js';
import { broadcastShapes, broadcastStrides, fmt, sameShape, type Shape } from '../shape.js';
import { BINARY, cast as gpuCast, map, type BinaryOp, type Strided } from '../kernels/webgpu/elementwise.js';
import { gpuContext } from '../device.js';
import type { GpuContext } from '../kernels/webgpu/context.js';
import { floatsOnGpu, onGpu } from './webgpu.js';

// The shape of a number's scalar, frozen once (the constructor copies and freezes any other array).
const scalarShape: Shape = Object.freeze([]);
// Numbers' scalars by dtype and value. Ops only read their inputs, so one tensor serves every call given that
// number; a chain of `add(y, 1)` then allocates (and keeps on its tape) no tensor per call. Bounded: a full
// map starts over. −0 is not kept (a Map's keys do not tell it from 0).
const scalarCache: Record<DType, Map<number, Tensor>> = { float32: new Map(), float64: new Map(), int32: new Map(), bool: new Map() };
const scalarCacheSize = 256;

/** The 0-dim tensor of `dtype` holding `x`, shared by every call given `x` (see `scalarCache`). */
function scalarOf(x: number, dtype: DType): Tensor {
  const cache = scalarCache[dtype];
  const negZero = Object.is(x, -0);
  let t = negZero ? undefined : cache.get(x);
  if (t !== undefined) return t;
  const data = allocate(dtype, 1);
  data[0] = x;
  t = trustedTensor(data, scalarShape);
  if (negZero) return t;
  if (cache.size >= scalarCacheSize) cache.clear();
  cache.set(x, t);
  return t;
}

/**
 * The operands of an elementwise op as tensors of one dtype, promoted as PyTorch does: bool < int32 <
 * float (float32 and float64 are not mixed: that names both); a number becomes a scalar of that dtype,
 * except that a fractional number (or NaN, ±Infinity) with integer or bool tensors makes the result
 * float32, and an integer with bool tensors makes it int32.
 */
export function operands<T extends TensorLike[]>(op: string, ...xs: T): { [K in keyof T]: Tensor } {
  // The common case first: tensors only, all of one dtype, pass as they are.
  const first = xs[0];
  if (first instanceof Tensor) {
    let same = true;
    for (let i = 1; i < xs.length && same; i++) {
      const x = xs[i];
      same = x instanceof Tensor && x.dtype === first.dtype;
    }
    if (same) return xs as { [K in keyof T]: Tensor };
  }
  let dtype: DType | undefined;
  for (const x of xs) {
    if (x instanceof Tensor) {
      const p: DType | null = dtype === undefined ? x.dtype : promoteTypes(dtype, x.dtype);
      if (p === null) throw new DlError(`${op}: dtypes ${dtype} and ${x.dtype} differ; convert one with .to('${dtype}') or .to('${x.dtype}')`);
      dtype = p;
    } else if (typeof x !== 'number') {
      throw new DlError(`${op}: expected a tensor or a number, got ${typeof x}`);
    }
  }
  dtype ??= defaultDType;
  if (!isFloat(dtype)) {
    for (const x of xs) {
      if (typeof x !== 'number') continue;
      if (!Number.isInteger(x)) dtype = defaultDType;
      else if (x < -(2 ** 31) || x >= 2 ** 31) {
        throw new DlError(op, `the number ${x} does not fit the int32 operand's dtype`, { hint: "convert the tensor first with .to('float64')" });
      } else if (dtype === 'bool') dtype = 'int32';
    }
  }
  const to = dtype;
  return xs.map((x) => {
    if (typeof x === 'number') return scalarOf(x, to);
    // Only int32 and bool tensors are converted here, and they never require grad.
    if (x.dtype === to) return x;
    if (x.device !== 'cpu') return trustedTensor(gpuCast(gpuContext(op), onGpu(x), to as 'float32' | 'int32'), x.shape);
    return trustedTensor(k.cast(x.data, to), x.shape);
  }) as { [K in keyof T]: Tensor };
}

/** The values of `x` broadcast to `shape` (no copy when the shapes already agree). */
export function broadcastData(x: Tensor, shape: Shape): TypedArray {
  if (sameShape(x.shape, shape)) return x.data;
  return k.stridedCopy(x.data, 0, shape, broadcastStrides(x.shape, shape));
}

/** The common shape of every input's; throws naming `op` when they do not broadcast. */
function commonShape(op: string, xs: readonly Tensor[]): number[] {
  let shape: number[] = [];
  for (const x of xs) {
    try {
      shape = broadcastShapes(op, shape, x.shape);
    } catch {
      throw new DlError(`${op}: shapes ${xs.map((t) => fmt(t.shape)).join(' and ')} cannot be broadcast together`);
    }
  }
  return shape;
}

/** Broadcasts every input to their common shape; throws naming `op` when they do not broadcast. */
export function broadcastAll(op: string, xs: readonly Tensor[]): { shape: number[]; data: TypedArray[] } {
  const shape = commonShape(op, xs);
  return { shape, data: xs.map((x) => broadcastData(x, shape)) };
}

/**
 * `broadcastAll` for a GPU kernel: the common shape, and each input's storage read through its broadcast
 * strides (no copy), as `map` takes its operands.
 */
export function broadcastOnGpu(op: string, xs: readonly Tensor[]): { shape: number[]; operands: Strided[] } {
  const shape = commonShape(op, xs);
  return { shape, operands: xs.map((x) => ({ a: onGpu(x), strides: broadcastStrides(x.shape, shape) })) };
}

/**
 * When `part` broadcast to `full` repeats one contiguous block of full's dims (a bias [O, 1] against
 * [N, O, L], or [F] against [B, F]), the sizes [outer, m, inner] of that view; else null.
 */
function rowsView(full: Shape, part: Shape): [number, number, number] | null {
  const lead = full.length - part.length;
  if (lead < 0) return null;
  let first = -1;
  let last = -1;
  for (let i = 0; i < part.length; i++) {
    if (part[i] === 1) continue;
    if (part[i] !== full[lead + i]) return null;
    if (first < 0) first = lead + i;
    last = lead + i;
  }
  if (first < 0) return null;
  for (let i = first; i <= last; i++) if (part[i - lead] !== full[i]) return null;
  let outer = 1;
  let m = 1;
  let inner = 1;
  full.forEach((s, i) => (i < first ? (outer *= s) : i <= last ? (m *= s) : (inner *= s)));
  return [outer, m, inner];
}

/** A kernel for one operand of the output's shape and one repeated over [outer, ·, inner] (see `rowsView`). */
export type RowsKernel = (full: TypedArray, part: TypedArray, outer: number, m: number, inner: number) => TypedArray;

/**
 * Runs a binary kernel on two inputs: a one-element operand with no more dims than the other goes to
 * the kernel as it is (the kernel loops over the scalar, no broadcast copy); other shapes are
 * broadcast to equal lengths first.
 */
export function binaryForward(
  op: string, kernel: (a: TypedArray, b: TypedArray) => TypedArray, a: Tensor, b: Tensor, commutedRows?: RowsKernel,
): { data: TypedArray; shape: readonly number[] } {
  // Output shapes that are an input's (frozen) shape are shared by the output tensor, not copied.
  if (b.data.length === 1 && b.ndim <= a.ndim) return { data: kernel(a.data, b.data), shape: a.shape };
  if (a.data.length === 1 && a.ndim <= b.ndim) return { data: kernel(a.data, b.data), shape: b.shape };
  if (sameShape(a.shape, b.shape)) return { data: kernel(a.data, b.data), shape: a.shape };
  if (commutedRows !== undefined) {
    // Only for a commutative kernel, which may take the operands either way round.
    for (const [full, part] of [[a, b], [b, a]] as const) {
      const view = rowsView(full.shape, part.shape);
      if (view !== null) return { data: commutedRows(full.data, part.data, ...view), shape: full.shape };
    }
  }
  const { shape, data } = broadcastAll(op, [a, b]);
  return { data: kernel(data[0]!, data[1]!), shape };
}

/**
 * The webgpu forward of a broadcasting binary op: one generated kernel reads both operands through
 * their broadcast strides. float32 operands, and (with `ints`) int32 and bool ones for the ops whose WGSL
 * means the same on integers.
 */
export function binaryOnGpu(op: BinaryOp, ints = false): (inputs: Tensor[], attrs: unknown, gpu: GpuContext) => { data: ReturnType<typeof map>; shape: number[] } {
  return ([a, b], _attrs, gpu) => {
    // int32 and bool (u32 0/1) operands keep their dtype where WGSL's arithmetic means the same on them.
    const integral = ints && (a!.dtype === 'int32' || a!.dtype === 'bool');
    if (!integral) floatsOnGpu(op, a!, b!);
    const { shape, operands: xs } = broadcastOnGpu(op, [a!, b!]);
    const expr = !integral ? BINARY[op] : op === 'maximum' ? 'select(y, x, x >= y)' : op === 'minimum' ? 'select(y, x, x <= y)' : BINARY[op];
    return { data: map(gpu, expr, xs, shape, integral ? (a!.dtype as 'int32' | 'bool') : 'float32'), shape };
  };
}
