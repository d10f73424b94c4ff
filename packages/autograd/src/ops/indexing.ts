import { DlError } from '../checks/error.js';
// Indexing ops: gather and its adjoint scatterAdd, indexSelect and its adjoint indexAdd.
import { Tensor } from '../tensor.js';
import { allocate } from '../dtype.js';
import { defineOp, type Op, type PublicOp } from '../op.js';
import { k } from '../kernels/index.js';
import { fmt, normalizeDim, numel, type Shape } from '../shape.js';
import { slice } from './movement.js';
import { gather as gpuGather, indexSelect as gpuIndexSelect, scatterAdd as gpuScatterAdd, segmentWrite as gpuSegmentWrite } from '../kernels/webgpu/indexing.js';
import { floatsOnGpu, onGpu } from './webgpu.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';

/** Checks that `index` holds integers in [0, n) (negative ones are errors, as in PyTorch) and returns them as an Int32Array. */
function indexValues(op: string, index: ArrayLike<number>, n: number, dim: number): Int32Array {
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const v = index[i]!;
    if (!Number.isInteger(v)) {
      throw new DlError(op, `index must hold integers, got ${v} at position ${i}`, { arg: 'index', hint: 'round the positions first (x.round(), or Math.round for an array)' });
    }
    if (v < 0 || v >= n) {
      throw new DlError(`${op}: index ${v} is out of bounds for dim ${dim} of size ${n}`);
    }
    out[i] = v;
  }
  return out;
}

interface GatherAttrs {
  dim: number;
  index: Int32Array;
  indexShape: readonly number[];
  inputShape: readonly number[];
}
const scatterOp: Op<GatherAttrs, [src: Tensor]> = defineOp<GatherAttrs, [src: Tensor]>({
  name: 'scatterAdd',
  dtypes: 'any',
  saves: 'none',
  forward: ([src], { dim, index, indexShape, inputShape }) => {
    const out = allocate(src.dtype, numel(inputShape));
    const [outer, m, inner] = [numel(indexShape.slice(0, dim)), indexShape[dim]!, numel(indexShape.slice(dim + 1))];
    k.scatterAddInto(out, index, src.data, outer, inputShape[dim]!, m, inner);
    return { data: out, shape: inputShape };
  },
  webgpu: ([src], { dim, index, indexShape, inputShape }, gpu) => {
    const [g] = floatsOnGpu('scatterAdd', src);
    const [outer, m, inner] = [numel(indexShape.slice(0, dim)), indexShape[dim]!, numel(indexShape.slice(dim + 1))];
    return { data: gpuScatterAdd(gpu, g!, gpu.upload(index), outer, inputShape[dim]!, m, inner), shape: inputShape };
  },
  backward: ({ grad, attrs }) => [gather.op([grad], attrs)],
});

function gatherAttrs(op: string, shape: Shape, dim: number, index: Tensor): GatherAttrs {
  if (index.device !== 'cpu') {
    throw new DlError(op, `the index is read on the CPU (each position is checked against dim ${dim}'s size), but it is on '${index.device}'`, { arg: 'index', hint: 'keep index tensors on the CPU; the input may be on the GPU' });
  }
  const d = normalizeDim(op, dim, shape.length);
  if (index.ndim !== shape.length || index.shape.some((s, i) => i !== d && s !== shape[i])) {
    throw new DlError(`${op}: index of shape ${fmt(index.shape)} does not match shape ${fmt(shape)} outside dim ${dim}`);
  }
  return { dim: d, index: indexValues(op, index.data, shape[d]!, dim), indexShape: index.shape, inputShape: shape };
}

/**
 * out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (likewise for other dims). `index` holds integer
 * values in [0, x.shape[dim]), has as many dims as `x`, and is no larger than `x` outside `dim`.
 * @example gather(logProbs, 1, unsqueeze(labels, 1)) // each row's entry at its label
 */
export const gather: PublicOp<GatherAttrs, [x: Tensor], [x: Tensor, dim: number, index: Tensor]> = defineOp({
  name: 'gather',
  params: [['x', K.tensor], ['dim', K.dim], ['index', K.tensor]],
  call: (x: Tensor, dim: number, index: Tensor) => {
    const d = normalizeDim('gather', dim, x.ndim);
    if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s > x.shape[i]!)) {
      throw new DlError(`gather: index of shape ${fmt(index.shape)} must have the dims of shape ${fmt(x.shape)} and be no larger outside dim ${dim}`);
    }
    // PyTorch lets the index be smaller than x outside `dim`: only x's leading part of those dims is read.
    let src = x;
    index.shape.forEach((s, i) => {
      if (i !== d && s < x.shape[i]!) src = slice(src, i, 0, s);
    });
    return [[src], gatherAttrs('gather', src.shape, dim, index)];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dim, index, indexShape }) => {
    const [outer, m, inner] = [numel(indexShape.slice(0, dim)), indexShape[dim]!, numel(indexShape.slice(dim + 1))];
    return { data: k.gather(x.data, index, outer, x.shape[dim]!, m, inner), shape: indexShape };
  },
  webgpu: ([x], { dim, index, indexShape }, gpu) => {
    const [outer, m, inner] = [numel(indexShape.slice(0, dim)), indexShape[dim]!, numel(indexShape.slice(dim + 1))];
    return { data: gpuGather(gpu, onGpu(x), gpu.upload(index), outer, x.shape[dim]!, m, inner), shape: indexShape };
  },
  backward: ({ grad, attrs }) => [scatterOp([grad], attrs)],
});

/** A zero tensor of `shape` with `src` added at `index` along `dim`: the adjoint of `gather`. */
export const scatterInto = api(sig('scatterInto', ['src', K.tensor], ['shape', K.shape], ['dim', K.dim], ['index', K.tensor]), function scatterInto(src: Tensor, shape: Shape, dim: number, index: Tensor): Tensor {
  if (index.shape.join() !== src.shape.join()) {
    throw new DlError(`scatterAdd: index of shape ${fmt(index.shape)} and src of shape ${fmt(src.shape)} differ`);
  }
  return scatterOp([src], gatherAttrs('scatterAdd', shape, dim, index));
});

interface IndexAttrs {
  dim: number;
  index: Int32Array;
  inputShape: readonly number[];
}
const indexAddOp: Op<IndexAttrs, [g: Tensor]> = defineOp<IndexAttrs, [g: Tensor]>({
  name: 'indexAdd',
  dtypes: 'any',
  saves: 'none',
  forward: ([g], { dim, index, inputShape }) => {
    const out = allocate(g.dtype, numel(inputShape));
    k.indexAddInto(out, index, g.data, numel(inputShape.slice(0, dim)), inputShape[dim]!, numel(inputShape.slice(dim + 1)));
    return { data: out, shape: inputShape };
  },
  webgpu: ([g], { dim, index, inputShape }, gpu) => {
    const [src] = floatsOnGpu('indexAdd', g);
    const out = gpu.alloc(numel(inputShape));
    gpuSegmentWrite(gpu, out, src!, index, numel(inputShape.slice(0, dim)), inputShape[dim]!, numel(inputShape.slice(dim + 1)), true);
    return { data: out, shape: inputShape };
  },
  backward: ({ grad, attrs }) => [indexSelect.op([grad], attrs)],
});

/** The slices of `x` at the given positions along `dim`. @example indexSelect(embeddings, 0, [3, 1, 3]) */
export const indexSelect: PublicOp<IndexAttrs, [x: Tensor], [x: Tensor, dim: number, index: Tensor | readonly number[]]> = defineOp({
  name: 'indexSelect',
  params: [['x', K.tensor], ['dim', K.dim], ['index', K.union(K.tensor, K.list(K.number))]],
  call: (x: Tensor, dim: number, index: Tensor | readonly number[]) => {
    const d = normalizeDim('indexSelect', dim, x.ndim);
    if (index instanceof Tensor && index.device !== 'cpu') {
      throw new DlError('indexSelect', `the index is read on the CPU (each position is checked against dim ${dim}'s size), but it is on '${index.device}'`, { arg: 'index', hint: 'keep index tensors on the CPU; the input may be on the GPU' });
    }
    const values = index instanceof Tensor ? index.data : index;
    if (index instanceof Tensor && index.ndim > 1) throw new DlError(`indexSelect: index must be 1-D, got shape ${fmt(index.shape)}`);
    return [[x], { dim: d, index: indexValues('indexSelect', values, x.shape[d]!, dim), inputShape: x.shape }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dim, index }) => {
    const shape = [...x.shape];
    shape[dim] = index.length;
    const data = k.indexSelect(x.data, index, numel(x.shape.slice(0, dim)), x.shape[dim]!, numel(x.shape.slice(dim + 1)));
    return { data, shape };
  },
  webgpu: ([x], { dim, index }, gpu) => {
    const shape = [...x.shape];
    shape[dim] = index.length;
    return { data: gpuIndexSelect(gpu, onGpu(x), gpu.upload(index), numel(x.shape.slice(0, dim)), x.shape[dim]!, numel(x.shape.slice(dim + 1))), shape };
  },
  backward: ({ grad, attrs }) => [indexAddOp([grad], attrs)],
});
