// Reading and writing by position: the general index expression (`index`, `indexPut`), and select, narrow,
// take, maskedFill, maskedSelect, scatter, scatterAdd. Two ops carry them all: `take` reads the values
// at flat positions, `put` writes (or adds) values at flat positions; each one's backward is the other.
import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { allocate } from '../dtype.js';
import { zeros } from '../creation.js';
import { defineOp, type Op } from '../op.js';
import { gather as gpuGather, segmentWrite as gpuSegmentWrite } from '../kernels/webgpu/indexing.js';
import { floatsOnGpu, onGpu } from './webgpu.js';
import { broadcastShapes, fmt, normalizeDim, numel, stridesOf } from '../shape.js';
import { markModified } from '../version.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';
import { withGradMode } from '../tape.js';
import { expand, slice } from './movement.js';
import { where } from './elementwise.js';
import { checkWritable } from './inplace.js';
import { resolveIndex, type IndexItem } from './indexExpr.js';

interface TakeAttrs {
  positions: Int32Array;
  shape: readonly number[];
  inputShape: readonly number[];
}
interface PutAttrs {
  positions: Int32Array;
  accumulate: boolean;
}

const takes = new Map<string, Op<TakeAttrs, [x: Tensor]>>();
const puts = new Map<string, Op<PutAttrs, [base: Tensor, values: Tensor]>>();

/** The op reading `x.flat[positions]` into `shape`, named `name` on the tape. */
function takeOp(name: string): Op<TakeAttrs, [x: Tensor]> {
  let op = takes.get(name);
  if (op === undefined) {
    op = defineOp<TakeAttrs, [x: Tensor]>({
      name,
      saves: 'none',
      dtypes: 'any',
      forward: ([x], { positions, shape }) => {
        const out = allocate(x.dtype, positions.length);
        for (let i = 0; i < positions.length; i++) out[i] = x.data[positions[i]!]!;
        return { data: out, shape };
      },
      webgpu: ([x], { positions, shape }, gpu) => ({ data: gpuGather(gpu, onGpu(x), gpu.upload(positions), 1, x.numel(), positions.length, 1), shape }),
      // The adjoint: the gradient added at the positions read (repeated positions add up).
      backward: ({ grad, attrs: { positions, inputShape } }) => [putOp(`${name}Backward`)([zerosOf(grad, inputShape), grad], { positions, accumulate: true })],
    });
    takes.set(name, op);
  }
  return op;
}

/** The op writing (or adding) `values` at `base.flat[positions]`, named `name` on the tape. */
function putOp(name: string): Op<PutAttrs, [base: Tensor, values: Tensor]> {
  let op = puts.get(name);
  if (op === undefined) {
    op = defineOp<PutAttrs, [base: Tensor, values: Tensor]>({
      name,
      saves: 'none',
      dtypes: 'any',
      forward: ([base, values], { positions, accumulate }) => {
        const out = base.data.slice();
        const v = values.data;
        if (accumulate) for (let i = 0; i < positions.length; i++) out[positions[i]!] = out[positions[i]!]! + v[i]!;
        else for (let i = 0; i < positions.length; i++) out[positions[i]!] = v[i]!;
        return { data: out, shape: base.shape };
      },
      webgpu: ([base, values], { positions, accumulate }, gpu) => {
        if (accumulate && base.dtype !== 'float32') floatsOnGpu(name, base);
        const out = gpu.copy(onGpu(base));
        gpuSegmentWrite(gpu, out, onGpu(values), positions, 1, base.numel(), 1, accumulate);
        return { data: out, shape: base.shape };
      },
      // The base keeps its gradient where it was not overwritten; the values get the gradient at their positions.
      backward: ({ grad, inputs: [, values], attrs: { positions, accumulate }, needsInputGrad: [gb, gv] }) => [
        gb ? (accumulate ? grad : putOp(name)([grad, zerosOf(grad, values.shape)], { positions, accumulate: false })) : null,
        gv ? takeOp(`${name}Backward`)([grad], { positions, shape: values.shape, inputShape: grad.shape }) : null,
      ],
    });
    puts.set(name, op);
  }
  return op;
}

function zerosOf(like: Tensor, shape: readonly number[]): Tensor {
  return zeros(shape, { dtype: like.dtype, device: like.device });
}

function checkPositions(op: string, x: Tensor): void {
  if (x.numel() > 2 ** 31 - 1) throw new DlError(op, `indexes at most 2^31 - 1 elements, got a tensor of shape ${fmt(x.shape)}`);
}

/** Reads `x` at the flat positions of an index expression: differentiable. */
function read(op: string, x: Tensor, items: readonly IndexItem[]): Tensor {
  checkPositions(op, x);
  const { positions, shape } = resolveIndex(op, x.shape, items);
  return takeOp(op)([x], { positions, shape, inputShape: x.shape });
}

/** `values` as a tensor of `x`'s dtype broadcast to `shape` (a number becomes a constant). */
function valuesFor(op: string, x: Tensor, values: Tensor | number, shape: readonly number[]): Tensor {
  if (typeof values === 'number') return new Tensor(allocate(x.dtype, numel(shape)).fill(values), shape).to(x.device);
  if (values.dtype !== x.dtype) {
    throw new DlError(op, `values are ${values.dtype} but the tensor is ${x.dtype}`, { arg: 'values', hint: `convert them with .to('${x.dtype}')` });
  }
  const lead = shape.length - values.ndim;
  if (lead < 0 || values.shape.some((s, i) => s !== 1 && s !== shape[lead + i])) {
    throw new DlError(op, `shape mismatch: value tensor of shape ${fmt(values.shape)} cannot be broadcast to indexing result of shape ${fmt(shape)}`, { arg: 'values' });
  }
  return values.shape.length === shape.length && values.shape.every((s, i) => s === shape[i]) ? values : expand(values, [...shape]);
}

/** Options of `indexPut`. */
export interface IndexPutOptions {
  /** Add the values at the positions (repeated positions add up) instead of writing them. */
  accumulate?: boolean;
}

const items = K.kind('indexItem', 'an index item (an integer, a slice string, null, a tensor, a bool mask, an array of integers or { mask })', () => true);
const itemList = K.list(items, { what: 'an array of index items' });

/**
 * PyTorch's `x[...]` in one call: `x.index(':', 0)` is `x[:, 0]`, `x.index('1:3', '::2')` is
 * `x[1:3, ::2]`, `x.index('...', -1)` is `x[..., -1]`, `x.index(':', null)` is `x[:, None]`,
 * `x.index(idx)` is `x[idx]`, `x.index(x.gt(0))` is `x[x > 0]` (see `IndexItem`). Differentiable; the
 * result is a copy (write with `indexPut_`).
 * @example x.index('...', 0) // the first column of every matrix in a batch
 */
export const index = api(sig('index', ['x', K.tensor], ['...items', items]), function index(x: Tensor, ...expr: IndexItem[]): Tensor {
  return read('index', x, expr);
});

/**
 * A copy of `x` with `values` written at an index expression (`x.index(...)`'s positions), broadcasting
 * them to the indexed shape, as PyTorch's `x.index_put(indices, values, accumulate)` and `x[expr] = v`.
 * With `accumulate` the values are added (repeated positions add up). Differentiable in `x` and `values`.
 * @example indexPut(x, [':', 0], 0) // x with its first column zeroed
 */
export const indexPut = api(
  sig('indexPut', ['x', K.tensor], ['indices', itemList], ['values', K.tensorLike], ['options', opts({ accumulate: K.bool })]),
  function indexPut(x: Tensor, indices: readonly IndexItem[], values: Tensor | number, options: IndexPutOptions = {}): Tensor {
    checkPositions('indexPut', x);
    const { positions, shape } = resolveIndex('indexPut', x.shape, indices);
    const v = valuesFor('indexPut', x, values, shape);
    return putOp('indexPut')([x, v], { positions, accumulate: options.accumulate ?? false });
  },
);

/**
 * `x[expr] = values` in place (PyTorch's `index_put_`, and assignment to an index): `x.indexPut_([':', 0], 0)`.
 * Under grad mode a leaf that requires grad is refused, as every in-place op (use `noGrad`, or the
 * out-of-place `indexPut` to keep the gradient).
 */
export const indexPut_ = api(
  sig('indexPut_', ['x', K.tensor], ['indices', itemList], ['values', K.tensorLike], ['options', opts({ accumulate: K.bool })]),
  function indexPut_(x: Tensor, indices: readonly IndexItem[], values: Tensor | number, options: IndexPutOptions = {}): Tensor {
    checkWritable('indexPut_', x, [values]);
    const v = typeof values === 'number' || values.dtype === x.dtype ? values : values.detach().to(x.dtype);
    const out = withGradMode(false, () => indexPut(x, indices, v, options));
    x.data.set(out.data);
    markModified(x);
    return x;
  },
);

/** The slice of `x` at position `index` along `dim`, without that dim (PyTorch's `select`). @example select(x, 1, -1) */
export const select = api(sig('select', ['x', K.tensor], ['dim', K.dim], ['index', K.int()]), function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new DlError('select', 'cannot be applied to a 0-dim tensor');
  const d = normalizeDim('select', dim, x.ndim);
  const n = x.shape[d]!;
  if (index < -n || index >= n) throw new DlError('select', `index ${index} out of range for tensor of size ${fmt(x.shape)} at dimension ${dim}`, { arg: 'index' });
  return read('select', x, [...new Array<IndexItem>(d).fill(':'), index]);
});

/** `length` positions of `x` from `start` along `dim` (PyTorch's `narrow`; `start` may be negative). */
export const narrow = api(sig('narrow', ['x', K.tensor], ['dim', K.dim], ['start', K.int()], ['length', K.int({ min: 0 })]), function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  if (x.ndim === 0) throw new DlError('narrow', 'cannot be applied to a 0-dim tensor');
  const d = normalizeDim('narrow', dim, x.ndim);
  const n = x.shape[d]!;
  if (start < -n || start > n) throw new DlError('narrow', `start ${start} out of range for dimension ${dim} of size ${n}`, { arg: 'start' });
  const s = start < 0 ? start + n : start;
  if (s + length > n) throw new DlError('narrow', `start (${s}) + length (${length}) exceeds dimension size (${n})`);
  return slice(x, d, s, s + length);
});

/**
 * The values of `x` at flat positions `index` (row-major, negative from the end), in `index`'s shape
 * (PyTorch's `take`). @example take(x, tensor([0, -1])) // the first and last values
 */
export const take = api(sig('take', ['x', K.tensor], ['index', K.union(K.tensor, K.list(K.number))]), function take(x: Tensor, index: Tensor | readonly number[]): Tensor {
  checkPositions('take', x);
  const values = index instanceof Tensor ? index.data : index;
  const n = x.numel();
  const positions = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v)) throw new DlError('take', `index must hold integers, got ${v}`, { arg: 'index' });
    if (v < -n || v >= n) throw new DlError('take', `out of range: tried to access index ${v} on a tensor of ${n} elements`, { arg: 'index' });
    positions[i] = v < 0 ? v + n : v;
  }
  return takeOp('take')([x], { positions, shape: index instanceof Tensor ? index.shape : [values.length], inputShape: x.shape });
});

function checkMask(op: string, mask: Tensor): void {
  if (mask.dtype === 'bool') return;
  if (mask.device !== 'cpu') {
    throw new DlError(op, `a mask on '${mask.device}' must be a bool tensor (the values of another dtype cannot be checked there)`, { arg: 'mask', hint: 'build one with a comparison, e.g. x.gt(0)' });
  }
  for (const v of mask.data) {
    if (v !== 0 && v !== 1) throw new DlError(op, `mask must hold only 0 and 1 (a bool tensor, or a float or int32 one of 0s and 1s), got ${v}`, { arg: 'mask', hint: 'build one with a comparison, e.g. x.gt(0)' });
  }
}

/**
 * `x` with `value` where `mask` is 1 (PyTorch's `masked_fill`); `mask` broadcasts to `x`'s shape.
 * Differentiable in `x` and in a 0-dim tensor `value`.
 * @example maskedFill(scores, causal.eq(0), -Infinity)
 */
export const maskedFill = api(sig('maskedFill', ['x', K.tensor], ['mask', K.tensor], ['value', K.tensorLike]), function maskedFill(x: Tensor, mask: Tensor, value: Tensor | number): Tensor {
  checkMask('maskedFill', mask);
  const lead = x.ndim - mask.ndim;
  if (lead < 0 || mask.shape.some((s, i) => s !== 1 && s !== x.shape[lead + i])) {
    throw new DlError('maskedFill', `mask of shape ${fmt(mask.shape)} cannot be broadcast to the tensor's shape ${fmt(x.shape)}`, { arg: 'mask' });
  }
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new DlError('maskedFill', `only supports a 0-dim value tensor, but got one with ${value.ndim} dims`, { arg: 'value' });
  }
  const v = value instanceof Tensor && value.dtype !== x.dtype ? value.to(x.dtype) : value;
  return where(mask, v, x);
});

/** The values of `x` where `mask` is 1, as a 1-D tensor (PyTorch's `masked_select`); `x` and `mask` broadcast. */
export const maskedSelect = api(sig('maskedSelect', ['x', K.tensor], ['mask', K.tensor]), function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  checkMask('maskedSelect', mask);
  const shape = broadcastShapes('maskedSelect', x.shape, mask.shape);
  const src = x.shape.length === shape.length && x.shape.every((s, i) => s === shape[i]) ? x : expand(x, shape);
  const m = mask.shape.length === shape.length && mask.shape.every((s, i) => s === shape[i]) ? mask : withGradMode(false, () => expand(mask.detach(), shape));
  checkPositions('maskedSelect', src);
  const hits: number[] = [];
  m.data.forEach((v, i) => void (v === 1 && hits.push(i)));
  return takeOp('maskedSelect')([src], { positions: Int32Array.from(hits), shape: [hits.length], inputShape: src.shape });
});

/** The flat positions in `x` (and in `src`) of every element of `index` for scatter along `dim`. */
function scatterPositions(op: string, x: Tensor, dim: number, index: Tensor, srcShape: readonly number[] | null): { into: Int32Array; from: Int32Array } {
  const d = normalizeDim(op, dim, x.ndim);
  if (index.ndim !== x.ndim) throw new DlError(op, `index of shape ${fmt(index.shape)} must have as many dims as the tensor of shape ${fmt(x.shape)}`, { arg: 'index' });
  for (let i = 0; i < x.ndim; i++) {
    if ((i !== d && index.shape[i]! > x.shape[i]!) || (srcShape !== null && index.shape[i]! > srcShape[i]!)) {
      throw new DlError(op, `expected index of shape ${fmt(index.shape)} to be no larger than self ${fmt(x.shape)} apart from dimension ${d} and to be no larger than src ${fmt(srcShape ?? [])}`, { arg: 'index' });
    }
  }
  checkPositions(op, x);
  const xs = stridesOf(x.shape);
  const ss = srcShape === null ? null : stridesOf(srcShape);
  const is = stridesOf(index.shape);
  const n = index.numel();
  const into = new Int32Array(n);
  const from = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    let p = 0;
    let q = 0;
    for (let i = 0; i < index.ndim; i++) {
      const c = Math.floor(e / is[i]!) % index.shape[i]!;
      if (ss !== null) q += c * ss[i]!;
      if (i === d) {
        const v = index.data[e]!;
        const size = x.shape[d]!;
        if (!Number.isInteger(v) || v < 0 || v >= size) throw new DlError(op, `index ${v} is out of bounds for dimension ${d} with size ${size}`, { arg: 'index' });
        p += v * xs[i]!;
      } else p += c * xs[i]!;
    }
    into[e] = p;
    from[e] = q;
  }
  return { into, from };
}

function scatterWith(op: string, x: Tensor, dim: number, index: Tensor, src: Tensor | number, accumulate: boolean): Tensor {
  if (src instanceof Tensor && src.dtype !== x.dtype) throw new DlError(op, `src is ${src.dtype} but the tensor is ${x.dtype}`, { arg: 'src', hint: `convert it with .to('${x.dtype}')` });
  if (src instanceof Tensor && src.ndim !== x.ndim) throw new DlError(op, `src of shape ${fmt(src.shape)} must have as many dims as the tensor of shape ${fmt(x.shape)}`, { arg: 'src' });
  const { into, from } = scatterPositions(op, x, dim, index, src instanceof Tensor ? src.shape : null);
  const values = src instanceof Tensor
    ? takeOp(op)([src], { positions: from, shape: index.shape, inputShape: src.shape })
    : new Tensor(allocate(x.dtype, index.numel()).fill(src), index.shape).to(x.device);
  return putOp(op)([x, values], { positions: into, accumulate });
}

/**
 * A copy of `x` with `src` written along `dim` at `index` (PyTorch's `scatter`): for dim 1,
 * out[i][index[i][j]] = src[i][j]. `src` may be a number; `index` may be smaller than `src` and than
 * `x` outside `dim`. Differentiable in `x` and `src` (positions written twice keep the last value).
 * @example scatter(zeros([2, 4]), 1, labels.unsqueeze(1), 1) // one-hot rows
 */
export const scatter = api(sig('scatter', ['x', K.tensor], ['dim', K.dim], ['index', K.tensor], ['src', K.tensorLike]), function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return scatterWith('scatter', x, dim, index, src, false);
});

/** A copy of `x` with `src` added along `dim` at `index`, repeated positions adding up (PyTorch's `scatter_add`). */
export const scatterAdd = api(sig('scatterAdd', ['x', K.tensor], ['dim', K.dim], ['index', K.tensor], ['src', K.tensor]), function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterWith('scatterAdd', x, dim, index, src, true);
});
