import { DlError } from '../checks/error.js';
import { Tensor, trustedTensor } from '../tensor.js';
import type { TypedArray } from '../dtype.js';
import { defineOp, defineOpWithAux } from '../op.js';
import { k } from '../kernels/index.js';
import { fmt, normalizeDim, normalizeDims, numel, sumToShapeDims, type Shape } from '../shape.js';
import { add, div, exp, log, mul, sqrt, sub, where } from './elementwise.js';
import { isfinite } from './rounding.js';
import { eq, ne } from './compare.js';
import { expand, reshape, squeeze, unsqueeze } from './movement.js';
import { counted } from './counting.js';
import { scatterInto } from './indexing.js';
import { valuesIndices } from './valuesIndices.js';
import { extremeAxis as gpuExtremeAxis, reduce as gpuReduce } from '../kernels/webgpu/reduce.js';
import { positionOps } from './gpuPositions.js';
import type { GpuArray } from '../kernels/webgpu/context.js';
import { cast as gpuCast } from '../kernels/webgpu/elementwise.js';
import { floatsOnGpu, onGpu } from './webgpu.js';
import { gpuContext } from '../device.js';
import { api, sig, type Checked } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** Which dims a reduction runs over (all when omitted), and whether they are kept with size 1. */
export interface ReduceOptions {
  dim?: number | readonly number[];
  keepdim?: boolean;
}
/** One dim to reduce over (all when omitted), and whether it is kept with size 1. */
export interface DimOptions {
  dim?: number;
  keepdim?: boolean;
}
/**
 * The values and their positions along `dim`, as PyTorch's `max(dim)` returns: read `.values` and
 * `.indices`, or destructure it as PyTorch's tuple: `const [values, indices] = x.max(1)` (a pair, so
 * both are tensors even under `noUncheckedIndexedAccess`).
 */
export interface ValuesIndices extends Iterable<Tensor> {
  readonly values: Tensor;
  readonly indices: Tensor;
  readonly 0: Tensor;
  readonly 1: Tensor;
  readonly length: 2;
}

/** The dim of `max`/`min`: a tensor there means the elementwise maximum, which has its own name. */
function extremeDim(name: string): K.Kind {
  return {
    ...K.dim,
    check(fn, arg, v) {
      if (v instanceof Tensor) {
        const other = name === 'max' ? 'maximum' : 'minimum';
        throw new DlError(fn, `${arg} must be an integer dim, got ${v.dtype} Tensor of shape [${v.shape.join(',')}]`, { arg, hint: `for the elementwise ${other} of two tensors, call ${other}(a, b) or a.${other}(b)` });
      }
      K.dim.check(fn, arg, v);
    },
  };
}
/** `ReduceOptions` plus Bessel's `correction` (1 by default: the unbiased estimate). */
export interface VarOptions extends ReduceOptions {
  correction?: number;
}

/** A reduction's calling forms: options, or PyTorch's positional `(dim, keepdim?)` with options last. */
export type ReduceArgs = [options?: ReduceOptions] | [dim: number | readonly number[], options?: ReduceOptions] | [dim: number | readonly number[], keepdim: boolean, options?: ReduceOptions];
/** `max`/`min`/`argmax`/`argmin` along one dim: options, or `(dim, keepdim?)`. */
export type DimArgs = [options: DimOptions] | [dim: number, options?: DimOptions] | [dim: number, keepdim: boolean, options?: DimOptions];
/** `var`/`std`: options, or `(dim, options?)`. */
export type VarArgs = [options?: VarOptions] | [dim: number | readonly number[], options?: VarOptions];

/** The [outer, n, inner] view of `shape` around `dim`. */
function around(shape: Shape, dim: number): [number, number, number] {
  return [numel(shape.slice(0, dim)), shape[dim]!, numel(shape.slice(dim + 1))];
}

// Sets, not includes: a reduction over 50,000 dims stays linear.
function keptShape(shape: Shape, dims: readonly number[]): number[] {
  const set = new Set(dims);
  return shape.map((s, i) => (set.has(i) ? 1 : s));
}

function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const set = new Set(dims);
  return keepdim ? keptShape(shape, dims) : shape.filter((_, i) => !set.has(i));
}

/** The dims to reduce, checked; a 0-D tensor accepts dim 0 or -1, as in PyTorch, but has none to reduce. */
function reduceDims(op: string, dim: number | readonly number[] | undefined, x: Tensor): number[] {
  const dims = normalizeDims(op, dim, x.ndim);
  return x.ndim === 0 ? [] : dims;
}

/** Expands a reduced gradient back over the reduced dims. */
function unreduce(grad: Tensor, inputShape: Shape, dims: readonly number[]): Tensor {
  return expand(reshape(grad, keptShape(inputShape, dims)), inputShape);
}

/**
 * The sum over `dim` (all dims when omitted).
 * @example sum(x, { dim: 1, keepdim: true })
 */
export const sum = defineOp({
  name: 'sum',
  params: [['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]],
  call: (x: Tensor, options: ReduceOptions = {}) => {
    const dims = reduceDims('sum', options.dim, x);
    return [[counted(x)], { dims, keepdim: options.keepdim ?? false }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dims, keepdim }) => {
    let data: TypedArray = x.data;
    const shape = [...x.shape];
    // Adjacent dims (dims is sorted) are summed as one: [N, O, H, W] over 2 and 3 is one pass of rows
    // of H·W. Summing a dim of size 1 changes nothing; skipping those keeps many-dim sums linear.
    for (let j = dims.length - 1; j >= 0; j--) {
      let first = j;
      while (first > 0 && dims[first - 1] === dims[first]! - 1) first--;
      const [lo, hi] = [dims[first]!, dims[j]!];
      const n = numel(shape.slice(lo, hi + 1));
      j = first;
      if (n === 1) continue;
      data = k.sumAxis(data, numel(shape.slice(0, lo)), n, numel(shape.slice(hi + 1)));
      for (let d = lo; d <= hi; d++) shape[d] = 1;
    }
    return { data: data === x.data ? data.slice() : data, shape: reducedShape(x.shape, dims, keepdim) };
  },
  webgpu: ([x], { dims, keepdim }, gpu) => {
    // int32 values are summed in f32 (exact while every partial sum stays below 2^24) and come back as int32.
    const ints = x.dtype === 'int32';
    let [data] = ints ? [gpuCast(gpu, onGpu(x), 'float32')] : floatsOnGpu('sum', x);
    const shape = [...x.shape];
    for (let j = dims.length - 1; j >= 0; j--) {
      if (shape[dims[j]!] === 1) continue;
      data = gpuReduce(gpu, 'sum', data!, shape, dims[j]!).out;
      shape[dims[j]!] = 1;
    }
    const shape2 = reducedShape(x.shape, dims, keepdim);
    if (ints) return { data: gpuCast(gpu, data!, 'int32'), shape: shape2 };
    return { data: data === x.storage ? gpu.copy(data!) : data!, shape: shape2 };
  },
  backward: ({ grad, inputs: [x], attrs: { dims } }) => [unreduce(grad, x.shape, dims)],
}) as Checked<(x: Tensor, ...args: ReduceArgs) => Tensor>;

/** The mean over `dim` (all dims when omitted). */
export const mean = api(sig('mean', ['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const dims = reduceDims('mean', options.dim, x);
  const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
  if (count === 0) throw new DlError(`mean: cannot average over an empty dimension of shape ${fmt(x.shape)}`);
  return div(sum(x, { dim: dims, keepdim: options.keepdim }), count);
}) as Checked<(x: Tensor, ...args: ReduceArgs) => Tensor>;

/** Sums `x` down to `shape`, over the dims that broadcasting expanded: how the tape un-broadcasts gradients. */
export const sumToShape = api(sig('sumToShape', ['x', K.tensor], ['shape', K.shape]), function sumToShape(x: Tensor, shape: Shape): Tensor {
  const dims = sumToShapeDims(x.shape, shape);
  if (numel(x.shape) !== numel(shape) || dims.length > 0) {
    const s = dims.length > 0 ? sum(x, { dim: dims, keepdim: true }) : x;
    if (numel(s.shape) !== numel(shape)) {
      throw new DlError(`sumToShape: shape ${fmt(x.shape)} cannot be summed to ${fmt(shape)}`);
    }
    return reshape(s, shape);
  }
  return reshape(x, shape);
});

// max and min over a dim on the GPU: their gradient placed at the positions the forward picked.
const maxPositions = positionOps('maxPick', 'maxBackward');

function extremeOp(name: 'max' | 'min', sign: 1 | -1) {
  // Two outputs: the values (differentiable) and the positions picked (aux, on the CPU or the GPU).
  const values = defineOpWithAux<{ dim: number; keepdim: boolean }, [x: Tensor], Int32Array | GpuArray>({
    name,
    saves: 'none',
    dtypes: 'any',
    forward: ([x], { dim, keepdim }) => {
      const [outer, n, inner] = around(x.shape, dim);
      if (n === 0) throw new DlError(`${name}: cannot reduce dim ${dim} of size 0 in shape ${fmt(x.shape)}`);
      const r = k.extremeAxis(x.data, outer, n, inner, sign);
      return { data: r.values, shape: reducedShape(x.shape, [dim], keepdim), aux: r.indices };
    },
    webgpu: ([x], { dim, keepdim }, gpu) => {
      const [outer, n, inner] = around(x.shape, dim);
      if (n === 0) throw new DlError(`${name}: cannot reduce dim ${dim} of size 0 in shape ${fmt(x.shape)}`);
      if (x.dtype === 'bool') floatsOnGpu(name, x);
      const r = gpuExtremeAxis(gpu, onGpu(x), outer, n, inner, sign);
      return { data: r.values, shape: reducedShape(x.shape, [dim], keepdim), aux: r.indices };
    },
    // The gradient goes to the position that was picked, as in PyTorch's max(dim).
    backward: ({ grad, inputs: [x], attrs: { dim, keepdim }, aux: indices }) => {
      if (!(indices instanceof Int32Array)) {
        const indexShape = reducedShape(x.shape, [dim], true);
        return [maxPositions.place([reshape(grad, indexShape)], { dim, index: indices, indexShape, inputShape: x.shape })];
      }
      const g = keepdim ? grad : unsqueeze(grad, dim);
      return [scatterInto(g, x.shape, dim, new Tensor(indices, g.shape))];
    },
  });
  const all = defineOp<void, [x: Tensor]>({
    name,
    dtypes: 'any',
    forward: ([x]) => {
      if (x.data.length === 0) throw new DlError(`${name}: cannot reduce an empty tensor of shape ${fmt(x.shape)}`);
      return { data: k.extremeAxis(x.data, 1, x.data.length, 1, sign).values, shape: [] };
    },
    webgpu: ([x], _, gpu) => {
      if (x.numel() === 0) throw new DlError(`${name}: cannot reduce an empty tensor of shape ${fmt(x.shape)}`);
      if (x.dtype === 'bool') floatsOnGpu(name, x);
      return { data: gpuExtremeAxis(gpu, onGpu(x), 1, x.numel(), 1, sign).values, shape: [] };
    },
    // Ties share the gradient evenly, as PyTorch's full max() does (NaNs share it when NaN won). Written
    // without reading the output's value, so it runs on the GPU as it is.
    backward: ({ grad, inputs: [x], output }) => {
      const mask = where(ne(output, output), ne(x, x).to(grad.dtype), eq(x, output).to(grad.dtype));
      return [mul(div(mask, sum(mask)), grad)];
    },
  });
  function reduce(x: Tensor): Tensor;
  function reduce(x: Tensor, options: DimOptions): ValuesIndices;
  function reduce(x: Tensor, options?: DimOptions): Tensor | ValuesIndices {
    if (options?.dim === undefined) {
      if (options !== undefined) throw new DlError(`${name}: give a dim to get values and indices, or call ${name}(x) for the overall ${name}`);
      return all([x], undefined);
    }
    const dim = normalizeDim(name, options.dim, x.ndim);
    // A 0-D tensor reduces as one element along dim 0 and stays 0-D, as in PyTorch.
    const keepdim = x.ndim > 0 && (options.keepdim ?? false);
    if (x.ndim === 0) x = reshape(x, [1]);
    const { output: v, aux: picked } = values([x], { dim, keepdim });
    // The caller's indices are a copy (on the CPU or the GPU): writing into them must not move the gradient.
    const idx = picked instanceof Int32Array ? new Tensor(picked.slice(), v.shape) : trustedTensor(gpuContext(name).copy(picked), v.shape);
    return valuesIndices(v, idx);
  }
  return api(sig(name, ['x', K.tensor], ['options', opts({ dim: extremeDim(name), keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), reduce);
}

/**
 * The largest value; with `dim`, the largest values along it and their indices.
 * @example const { values, indices } = max(x, { dim: 1 });
 */
export const max = extremeOp('max', 1) as Checked<((x: Tensor) => Tensor) & ((x: Tensor, ...args: DimArgs) => ValuesIndices)>;
/** The smallest value; with `dim`, the smallest values along it and their indices. */
export const min = extremeOp('min', -1) as Checked<((x: Tensor) => Tensor) & ((x: Tensor, ...args: DimArgs) => ValuesIndices)>;

function argExtreme(name: string, fn: typeof max): (x: Tensor, options?: DimOptions) => Tensor {
  return api(sig(name, ['x', K.tensor], ['options', opts({ dim: K.dim, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), (x: Tensor, options: DimOptions = {}) => {
    if (x.numel() === 0) throw new DlError(`${name}: cannot take the ${name} of an empty tensor of shape ${fmt(x.shape)}`);
    if (options.dim === undefined) {
      const flat = reshape(x.detach(), [x.numel()]);
      const r = fn(flat, { dim: 0, keepdim: false }).indices;
      return options.keepdim ? reshape(r, x.shape.map(() => 1)) : r;
    }
    normalizeDim(name, options.dim, x.ndim);
    return fn(x.detach(), { dim: options.dim, keepdim: options.keepdim ?? false }).indices;
  });
}

/** The index of the largest value (of the flattened tensor, or along `dim`); no gradient. */
export const argmax = argExtreme('argmax', max) as unknown as Checked<(x: Tensor, ...args: [] | DimArgs) => Tensor>;
/** The index of the smallest value (of the flattened tensor, or along `dim`); no gradient. */
export const argmin = argExtreme('argmin', min) as unknown as Checked<(x: Tensor, ...args: [] | DimArgs) => Tensor>;

/** The variance over `dim`, with Bessel's correction (`correction: 1`) by default, as PyTorch. */
export const variance = api(sig('var', ['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool, correction: K.finite({ min: 0 }) }, { positional: ['dim'] })]), function variance(x: Tensor, options: VarOptions = {}): Tensor {
  return varianceAs('var', x, options);
}) as Checked<(x: Tensor, ...args: VarArgs) => Tensor>;

function varianceAs(op: string, x: Tensor, options: VarOptions): Tensor {
  const dims = reduceDims(op, options.dim, x);
  const count = dims.reduce((n, d) => n * x.shape[d]!, 1);
  const correction = options.correction ?? 1;
  const centered = sub(x, mean(x, { dim: dims, keepdim: true }));
  return div(sum(mul(centered, centered), { dim: dims, keepdim: options.keepdim ?? false }), Math.max(0, count - correction));
}

/** The standard deviation over `dim` (the square root of `variance`). */
export const std = api(sig('std', ['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool, correction: K.finite({ min: 0 }) }, { positional: ['dim'] })]), function std(x: Tensor, options: VarOptions = {}): Tensor {
  return sqrt(varianceAs('std', x, options));
}) as Checked<(x: Tensor, ...args: VarArgs) => Tensor>;

/** log Σ exp(x) over `dim`, computed stably by shifting by the max. */
export const logsumexp = api(sig('logsumexp', ['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), function logsumexp(x: Tensor, options: ReduceOptions = {}): Tensor {
  const dims = reduceDims('logsumexp', options.dim, x);
  let m = x.detach();
  for (const d of dims) m = max(m, { dim: d, keepdim: true }).values;
  // The max, or 0 where it is infinite or NaN, written in ops so that it runs on any device.
  const shift = where(isfinite(m), m, 0);
  const s = log(sum(exp(sub(x, shift)), { dim: dims, keepdim: true }));
  const out = add(s, shift);
  return options.keepdim ? out : squeezeDims(out, dims);
}) as Checked<(x: Tensor, ...args: ReduceArgs) => Tensor>;

function squeezeDims(x: Tensor, dims: readonly number[]): Tensor {
  let out = x;
  for (let j = dims.length - 1; j >= 0; j--) out = squeeze(out, dims[j]);
  return out;
}
