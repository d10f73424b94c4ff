import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { allocate, checkDType, type DType } from '../dtype.js';
import { defineOp, type Op, type PublicOp } from '../op.js';
import { k } from '../kernels/index.js';
import { broadcastStrides, fmt, normalizeDim, numel, stridesOf, type Shape } from '../shape.js';
import { broadcastData } from './broadcast.js';
import { api, sig, type Checked } from '../checks/guard.js';
import { checkNumel, checkPieces } from '../checks/limits.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';
import { cast as gpuCast, fill as gpuFill, stridedCopy as gpuStridedCopy, stridedWrite as gpuStridedWrite } from '../kernels/webgpu/elementwise.js';
import type { GpuDType } from '../kernels/webgpu/context.js';
import { deviceKind, gpuContext, type Device } from '../device.js';
import { onGpu } from './webgpu.js';

/**
 * The same values in a new shape; one size may be -1 to be inferred. Shares `data` with `x`.
 * @example reshape(x, [-1, 784])
 */
export const reshape: PublicOp<{ shape: number[] }, [x: Tensor], [x: Tensor, shape: readonly number[]]> = defineOp({
  name: 'reshape',
  params: [['x', K.tensor], ['shape', K.list(K.number)]],
  call: (x: Tensor, shape: readonly number[]) => {
    const out = [...shape];
    const infer = out.indexOf(-1);
    if (out.some((s, i) => !Number.isInteger(s) || s < -1 || (s === -1 && i !== infer))) {
      throw new DlError(`reshape: invalid shape ${fmt(shape)} (sizes must be non-negative integers, with at most one -1)`);
    }
    if (infer >= 0) {
      const rest = numel(out.filter((_, i) => i !== infer));
      if (rest === 0 || x.numel() % rest !== 0) {
        throw new DlError(`reshape: shape ${fmt(shape)} is invalid for input of shape ${fmt(x.shape)} (${x.numel()} elements)`);
      }
      out[infer] = x.numel() / rest;
    }
    if (numel(out) !== x.numel()) {
      throw new DlError(`reshape: shape ${fmt(shape)} is invalid for input of shape ${fmt(x.shape)} (${x.numel()} elements)`);
    }
    return [[x], { shape: out }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { shape }) => ({ data: x.data, shape }),
  webgpu: ([x], { shape }) => ({ data: x.storage, shape }),
  backward: ({ grad, inputs: [x] }) => [reshape(grad, x.shape)],
});

/** PyTorch's `view`: the same as `reshape` here, since tensors are always contiguous. */
export const view = reshape;

/** The permuted shape, and the input's strides in that order (the view a permute copies). */
function permuteView(shape: Shape, dims: readonly number[]): { shape: number[]; strides: number[] } {
  const strides = stridesOf(shape);
  return { shape: dims.map((d) => shape[d]!), strides: dims.map((d) => strides[d]!) };
}

/** Reorders the dims: output dim i is input dim `dims[i]`. @example permute(x, [0, 2, 3, 1]) */
export const permute: PublicOp<{ dims: number[] }, [x: Tensor], [x: Tensor, dims: readonly number[]]> = defineOp({
  name: 'permute',
  params: [['x', K.tensor], ['dims', K.list(K.number)]],
  call: (x: Tensor, dims: readonly number[]) => {
    if (dims.length !== x.ndim) {
      throw new DlError(`permute: dims [${dims.join(',')}] do not match a tensor of shape ${fmt(x.shape)}`);
    }
    const norm = dims.map((d) => normalizeDim('permute', d, x.ndim));
    if (new Set(norm).size !== norm.length) throw new DlError(`permute: dims [${dims.join(',')}] repeat a dimension`);
    return [[x], { dims: norm }];
  },
  // A view in PyTorch: in-place changes to x count against saved copies of the output.
  view: true,
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dims }) => {
    const v = permuteView(x.shape, dims);
    return { data: k.stridedCopy(x.data, 0, v.shape, v.strides), shape: v.shape };
  },
  webgpu: ([x], { dims }, gpu) => {
    const v = permuteView(x.shape, dims);
    return { data: gpuStridedCopy(gpu, onGpu(x), v.strides, v.shape), shape: v.shape };
  },
  backward: ({ grad, attrs: { dims } }) => {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [permute(grad, inverse)];
  },
});

/** Swaps two dims. @example transpose(x, -2, -1) */
export const transpose = api(sig('transpose', ['x', K.tensor], ['dim0', K.dim], ['dim1', K.dim]), function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  if (x.ndim < 2) return x;
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
});

/** The transpose of a matrix (tensors of 0 or 1 dims are returned as they are). */
export const t = api(sig('t', ['x', K.tensor]), function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new DlError(`t: expects a tensor of at most 2 dims, got shape ${fmt(x.shape)}; use transpose`);
  return x.ndim < 2 ? x : transpose(x, 0, 1);
});

/** Removes `dim` if its size is 1 (every size-1 dim when `dim` is omitted). */
export const squeeze = api(sig('squeeze', ['x', K.tensor], ['dim', K.optional(K.dim)]), function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normalizeDim('squeeze', dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
});

/** Inserts a dim of size 1 at `dim` (negative counts from the end of the result). */
export const unsqueeze = api(sig('unsqueeze', ['x', K.tensor], ['dim', K.dim]), function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
});

/** Options of `flatten`. */
export interface FlattenOptions {
  startDim?: number;
  endDim?: number;
}
/** `flatten`'s calling forms: options, or PyTorch's positional `(startDim, endDim?)`. */
export type FlattenArgs = [options?: FlattenOptions] | [startDim: number, endDim?: number];

/** Merges dims `startDim..endDim` (0 and -1 by default) into one. @example flatten(x, { startDim: 1 }) */
export const flatten = api(sig('flatten', ['x', K.tensor], ['options', opts({ startDim: K.dim, endDim: K.dim }, { positional: ['startDim', 'endDim'] })]), function flatten(x: Tensor, options: FlattenOptions = {}): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', options.startDim ?? 0, x.ndim);
  const e = normalizeDim('flatten', options.endDim ?? -1, x.ndim);
  if (s > e) throw new DlError(`flatten: startDim ${options.startDim} comes after endDim ${options.endDim} for shape ${fmt(x.shape)}`);
  return reshape(x, [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}) as Checked<(x: Tensor, ...args: FlattenArgs) => Tensor>;

/** Broadcasts `x` to `shape` (-1 keeps a size; new dims go in front). @example expand(bias, [64, 10]) */
export const expand = defineOp({
  name: 'expand',
  params: [['x', K.tensor], ['shape', K.list(K.number)]],
  call: (x: Tensor, shape: readonly number[]) => {
    const lead = shape.length - x.ndim;
    const bad = () => new DlError(`expand: shape ${fmt(x.shape)} cannot be expanded to ${fmt(shape)}`);
    if (lead < 0) throw bad();
    const out = shape.map((s, i) => {
      const own = i >= lead ? x.shape[i - lead]! : undefined;
      if (s === -1) {
        if (own === undefined) throw bad();
        return own;
      }
      if (!Number.isInteger(s) || s < 0 || (own !== undefined && own !== s && own !== 1)) throw bad();
      return s;
    });
    checkNumel('expand', out);
    return [[x], { shape: out }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { shape }) => ({ data: broadcastData(x, shape), shape }),
  webgpu: ([x], { shape }, gpu) => ({ data: gpuStridedCopy(gpu, onGpu(x), broadcastStrides(x.shape, shape), shape), shape }),
  // The tape sums the gradient back down to the input's shape.
  backward: ({ grad }) => [grad],
});

interface SliceAttrs {
  dim: number;
  start: number;
  step: number;
  length: number;
  inputShape: readonly number[];
}
function sliceView(shape: Shape, a: SliceAttrs) {
  const strides = stridesOf(shape);
  const viewShape = [...shape];
  viewShape[a.dim] = a.length;
  const viewStrides = [...strides];
  viewStrides[a.dim] = strides[a.dim]! * a.step;
  return { offset: a.start * strides[a.dim]!, viewShape, viewStrides };
}
// Places a slice's gradient back in a zero tensor of the input's shape; its own gradient is the slice.
const unsliceOp: Op<SliceAttrs, [g: Tensor]> = defineOp<SliceAttrs, [g: Tensor]>({
  name: 'sliceBackward',
  saves: 'none',
  forward: ([g], a) => {
    const out = allocate(g.dtype, numel(a.inputShape));
    const { offset, viewShape, viewStrides } = sliceView(a.inputShape, a);
    k.stridedWriteInto(out, offset, viewShape, viewStrides, g.data, false);
    return { data: out, shape: a.inputShape };
  },
  webgpu: ([g], a, gpu) => {
    // GPU buffers start zeroed: only the slice's positions are written.
    const out = gpu.alloc(numel(a.inputShape), onGpu(g).dtype);
    const { offset, viewShape, viewStrides } = sliceView(a.inputShape, a);
    gpuStridedWrite(gpu, out, offset, viewShape, viewStrides, onGpu(g));
    return { data: out, shape: a.inputShape };
  },
  backward: ({ grad, attrs }) => [slice.op([grad], attrs)],
});

/**
 * Elements `start, start+step, …` before `end` along `dim`, as Python's `x[start:end:step]`
 * (negative indices count from the end; out-of-range bounds are clamped).
 * @example slice(x, 1, 0, 3) // x[:, 0:3]
 */
export const slice: PublicOp<SliceAttrs, [x: Tensor], [x: Tensor, dim: number, start?: number, end?: number, step?: number]> = defineOp({
  name: 'slice',
  params: [['x', K.tensor], ['dim', K.dim], ['start', K.optional(K.number)], ['end', K.optional(K.number)], ['step', K.optional(K.number)]],
  call: (x: Tensor, dim: number, start: number = 0, end: number = Infinity, step: number = 1) => {
    const d = normalizeDim('slice', dim, x.ndim);
    if (!Number.isInteger(step) || step <= 0) throw new DlError(`slice: step must be a positive integer, got ${step}`);
    if (!Number.isInteger(start) || (end !== Infinity && !Number.isInteger(end))) {
      throw new DlError(`slice: start ${start} and end ${end} must be integers`);
    }
    const n = x.shape[d]!;
    const clampIndex = (i: number) => Math.min(n, Math.max(0, i < 0 ? i + n : i));
    const s = clampIndex(start);
    const e = clampIndex(end);
    const length = e > s ? Math.ceil((e - s) / step) : 0;
    return [[x], { dim: d, start: s, step, length, inputShape: x.shape }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], a) => {
    const { offset, viewShape, viewStrides } = sliceView(x.shape, a);
    return { data: k.stridedCopy(x.data, offset, viewShape, viewStrides), shape: viewShape };
  },
  webgpu: ([x], a, gpu) => {
    const { offset, viewShape, viewStrides } = sliceView(x.shape, a);
    return { data: gpuStridedCopy(gpu, onGpu(x), viewStrides, viewShape, offset), shape: viewShape };
  },
  backward: ({ grad, attrs }) => [unsliceOp([grad], attrs)],
});

/** Splits `dim` into pieces of `splitSize` (the last may be smaller) or of the listed sizes. */
export const split = api(sig('split', ['x', K.tensor], ['splitSize', K.kind('splitSize', 'an integer or an array of integers', (v) => typeof v === 'number' || (Array.isArray(v) && v.every((s) => typeof s === 'number')))], ['dim', K.optional(K.dim)]), function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === 'number') {
    if (!Number.isInteger(splitSize) || splitSize <= 0) throw new DlError(`split: splitSize must be a positive integer, got ${splitSize}`);
    checkPieces('split', n === 0 ? 1 : Math.ceil(n / splitSize), 'splitSize');
    sizes = [];
    for (let i = 0; i < n; i += splitSize) sizes.push(Math.min(splitSize, n - i));
    if (n === 0) sizes.push(0);
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || total !== n) {
      throw new DlError(`split: sizes [${sizes.join(',')}] do not add up to ${n}, the size of dim ${dim} of shape ${fmt(x.shape)}`);
    }
  }
  let at = 0;
  return sizes.map((s) => slice(x, d, at, (at += s)));
});

/** Splits `dim` into `chunks` pieces of size ⌈n / chunks⌉ (fewer if they run out), as PyTorch. */
export const chunk = api(sig('chunk', ['x', K.tensor], ['chunks', K.number], ['dim', K.optional(K.dim)]), function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new DlError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim('chunk', dim, x.ndim);
  // An empty dim gives `chunks` empty pieces in PyTorch, where split would give one.
  if (x.shape[d] === 0) {
    checkPieces('chunk', chunks, 'chunks');
    return split(x, new Array<number>(chunks).fill(0), d);
  }
  return split(x, Math.ceil(x.shape[d]! / chunks), d);
});

/** The shape of `xs` joined along `dim`. */
function catShape(xs: readonly Tensor[], dim: number): number[] {
  const shape = [...xs[0]!.shape];
  shape[dim] = xs.reduce((n, x) => n + x.shape[dim]!, 0);
  return shape;
}

/** Joins tensors along an existing `dim`; all other sizes must agree. @example cat([a, b], 1) */
export const cat = defineOp({
  name: 'cat',
  params: [['tensors', K.list(K.tensor)], ['dim', K.optional(K.dim)]],
  call: (tensors: readonly Tensor[], dim: number = 0) => {
    if (tensors.length === 0) throw new DlError('cat: expects a non-empty list of tensors');
    const first = tensors[0]!;
    const d = normalizeDim('cat', dim, first.ndim);
    for (const x of tensors) {
      if (x.dtype !== first.dtype) throw new DlError(`cat: dtypes ${first.dtype} and ${x.dtype} differ`);
      if (x.ndim !== first.ndim || x.shape.some((s, i) => i !== d && s !== first.shape[i])) {
        throw new DlError(`cat: shapes ${tensors.map((t) => fmt(t.shape)).join(', ')} differ outside dim ${dim}`);
      }
    }
    if (first.ndim === 0) throw new DlError('cat: zero-dimensional tensors cannot be concatenated; use stack');
    return [[...tensors], { dim: d }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: (xs, { dim }) => {
    const shape = catShape(xs, dim);
    const out = allocate(xs[0]!.dtype, numel(shape));
    const outer = numel(shape.slice(0, dim));
    const rowOut = numel(shape.slice(dim));
    let at = 0;
    for (const x of xs) {
      const row = numel(x.shape.slice(dim));
      for (let o = 0; o < outer; o++) out.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + at);
      at += row;
    }
    return { data: out, shape };
  },
  webgpu: (xs, { dim }, gpu) => {
    const shape = catShape(xs, dim);
    const out = gpu.alloc(numel(shape), onGpu(xs[0]!).dtype);
    const strides = stridesOf(shape);
    let at = 0;
    for (const x of xs) {
      gpuStridedWrite(gpu, out, at * strides[dim]!, x.shape, strides, onGpu(x));
      at += x.shape[dim]!;
    }
    return { data: out, shape };
  },
  backward: ({ grad, inputs, attrs: { dim }, needsInputGrad }) => {
    let at = 0;
    return inputs.map((x, i) => {
      const s = at;
      at += x.shape[dim]!;
      return needsInputGrad[i] ? slice(grad, dim, s, at) : null;
    });
  },
});

/** Joins same-shaped tensors along a new `dim`. @example stack([a, b]) // shape [2, ...a.shape] */
export const stack = api(sig('stack', ['tensors', K.list(K.tensor)], ['dim', K.optional(K.dim)]), function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new DlError('stack: expects a non-empty list of tensors');
  const first = tensors[0]!;
  for (const x of tensors) {
    if (x.shape.join() !== first.shape.join()) throw new DlError(`stack: shapes ${tensors.map((t) => fmt(t.shape)).join(', ')} differ`);
  }
  const d = normalizeDim('stack', dim, first.ndim + 1);
  return cat(tensors.map((x) => unsqueeze(x, d)), d);
});

/** Options of `pad`. */
export interface PadOptions {
  /** The fill value (0 by default; `-Infinity` for max pooling). */
  value?: number;
}
/** The padded shape, its strides, and where x's first value lands in it (pads: a before/after pair per dim). */
function padLayout(xShape: Shape, pads: readonly number[]): { shape: number[]; strides: number[]; offset: number } {
  const shape = xShape.map((s, i) => s + pads[2 * i]! + pads[2 * i + 1]!);
  const strides = stridesOf(shape);
  return { shape, strides, offset: xShape.reduce((o, _, i) => o + pads[2 * i]! * strides[i]!, 0) };
}

/**
 * Pads with a constant, as PyTorch's `F.pad`: `pads` lists (before, after) pairs starting from the
 * last dim. @example pad(x, [1, 1, 2, 2]) // last dim by 1 on each side, the one before by 2
 */
export const pad = defineOp({
  name: 'pad',
  params: [['x', K.tensor], ['pads', K.list(K.number)], ['options', opts({ value: K.number })]],
  call: (x: Tensor, pads: readonly number[], options: PadOptions = {}) => {
    if (pads.length % 2 !== 0 || pads.length / 2 > x.ndim) {
      throw new DlError(`pad: pads [${pads.join(',')}] must come in pairs, at most one pair per dim of shape ${fmt(x.shape)}`);
    }
    if (pads.some((p) => !Number.isInteger(p) || p < 0)) throw new DlError(`pad: pads [${pads.join(',')}] must be non-negative integers`);
    const perDim = new Array<number>(2 * x.ndim).fill(0);
    for (let j = 0; j < pads.length / 2; j++) {
      const d = x.ndim - 1 - j;
      perDim[2 * d] = pads[2 * j]!;
      perDim[2 * d + 1] = pads[2 * j + 1]!;
    }
    checkNumel('pad', x.shape.map((s, i) => s + perDim[2 * i]! + perDim[2 * i + 1]!), 'pads');
    return [[x], { pads: perDim, value: options.value ?? 0 }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { pads, value }) => {
    const { shape, strides, offset } = padLayout(x.shape, pads);
    const out = allocate(x.dtype, numel(shape)).fill(value);
    k.stridedWriteInto(out, offset, x.shape, strides, x.data, false);
    return { data: out, shape };
  },
  webgpu: ([x], { pads, value }, gpu) => {
    const { shape, strides, offset } = padLayout(x.shape, pads);
    const src = onGpu(x);
    // GPU buffers start zeroed; another value is filled in first.
    const out = value === 0 ? gpu.alloc(numel(shape), src.dtype) : gpuFill(gpu, gpu.scalar(allocate(x.dtype, 1).fill(value) as Float32Array | Int32Array | Uint8Array), numel(shape));
    gpuStridedWrite(gpu, out, offset, x.shape, strides, src);
    return { data: out, shape };
  },
  backward: ({ grad, inputs: [x], attrs: { pads } }) => {
    let g = grad;
    x.shape.forEach((s, i) => {
      if (pads[2 * i]! !== 0 || pads[2 * i + 1]! !== 0) g = slice(g, i, pads[2 * i]!, pads[2 * i]! + s);
    });
    return [g];
  },
});

/** A copy of `x` with its own values; the gradient flows through. */
export const clone = defineOp({
  name: 'clone',
  params: [['x', K.tensor]],
  call: (x: Tensor) => {
    return [[x], undefined];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x]) => ({ data: x.data.slice(), shape: x.shape }),
  webgpu: ([x], _, gpu) => ({ data: gpu.copy(onGpu(x)), shape: x.shape }),
  backward: ({ grad }) => [grad],
});

const toDTypeOp = defineOp<{ dtype: DType }, [x: Tensor]>({
  name: 'to',
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dtype }) => ({ data: k.cast(x.data, dtype), shape: x.shape }),
  webgpu: ([x], { dtype }, gpu) => ({ data: gpuCast(gpu, onGpu(x), gpuDType('to', dtype)), shape: x.shape }),
  backward: ({ grad, inputs: [x] }) => [toDType(grad, x.dtype)],
});

/** `dtype` when the GPU holds it; float64 is an error naming `op`. */
function gpuDType(op: string, dtype: DType): GpuDType {
  if (dtype === 'float64') {
    throw new DlError(op, "'webgpu' holds float32, int32 and bool values, not float64", { hint: 'convert with .float() first; float64 stays on the CPU' });
  }
  return dtype;
}

// The GPU's reads are asynchronous, so the tape cannot send a gradient back to a CPU tensor: a CPU
// tensor that requires grad is refused (create parameters on the GPU, or move the module).
const uploadOp = defineOp<undefined, [x: Tensor]>({
  name: 'to',
  dtypes: 'any',
  saves: 'none',
  forward: ([x]) => {
    const gpu = gpuContext('to');
    gpuDType('to', x.dtype);
    return { data: gpu.upload(x.data as Float32Array | Int32Array | Uint8Array), shape: x.shape };
  },
});

/**
 * `x` on `device` (differentiable on the GPU side): `'webgpu'` uploads a CPU tensor after
 * `await initWebGpu()`; the way back is `await x.cpuAsync()`, since reading the GPU is asynchronous.
 * A CPU tensor that requires grad is refused: create it on the GPU instead (`tensor(v, { device:
 * 'webgpu', requiresGrad: true })`, `model.to('webgpu')`), since no gradient can be read back synchronously.
 */
export const toDevice = api(sig('to', ['x', K.tensor], ['device', deviceKind]), function toDevice(x: Tensor, device: Device): Tensor {
  if (x.device === device) return x;
  if (device === 'cpu') {
    throw new DlError('to', `the tensor (shape ${fmt(x.shape)}) is on '${x.device}', and reading GPU memory is asynchronous`, { hint: 'use await x.cpuAsync()' });
  }
  if (x.requiresGrad) {
    throw new DlError('to', `cannot move a CPU tensor that requires grad (shape ${fmt(x.shape)}) to '${device}': its gradient could not be read back synchronously`, {
      hint: "create it there (tensor(values, { device: 'webgpu', requiresGrad: true })), move a module with model.to('webgpu'), or detach() it first",
    });
  }
  return uploadOp([x], undefined);
});

/** `x` converted to `dtype` (differentiable); `x` itself when it already has it. */
export const toDType = api(sig('to', ['x', K.tensor], ['dtype', K.dtype]), function toDType(x: Tensor, dtype: DType): Tensor {
  checkDType('to', dtype);
  return x.dtype === dtype ? x : toDTypeOp([x], { dtype });
});
