// Sorting: the positions come from a kernel (a stable sort), and the values are gathered at them, so
// the values' gradient is gather's (a scatter back to where each value came from).
import { DlError } from '../checks/error.js';
import { trustedTensor, type Tensor } from '../tensor.js';
import { gpuContext } from '../device.js';
import { argsortAxis as gpuArgsortAxis } from '../kernels/webgpu/reduce.js';
import { positionOps } from './gpuPositions.js';
import type { GpuArray } from '../kernels/webgpu/context.js';
import { floatsOnGpu } from './webgpu.js';
import { k } from '../kernels/index.js';
import { fmt, normalizeDim, numel } from '../shape.js';
import { gather } from './indexing.js';
import { reshape, slice } from './movement.js';
import { indexTensor } from './indices.js';
import type { ValuesIndices } from './reduce.js';
import { valuesIndices } from './valuesIndices.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** Options of `sort` and `argsort`. */
export interface SortOptions {
  /** The dim to sort along (-1, the last). */
  dim?: number;
  /** Largest first (false). */
  descending?: boolean;
  /** Keep equal values in their order; our sort always does, so true and false both give a stable sort. */
  stable?: boolean;
}

/** The sorting positions along `dim` as an int32 index tensor (x seen as 1-D when 0-D), on x's device. */
function positions(x: Tensor, dim: number, descending: boolean): Tensor {
  const s = x.shape;
  const sizes = [numel(s.slice(0, dim)), s[dim]!, numel(s.slice(dim + 1))] as const;
  if (x.device !== 'cpu') {
    const gpu = gpuContext('sort');
    const [a] = floatsOnGpu('sort', x);
    return trustedTensor(gpuArgsortAxis(gpu, a!, ...sizes, descending), s);
  }
  return indexTensor(k.argsortAxis(x.data, ...sizes, descending), s);
}

// sort and topk on the GPU: the values gathered at the positions the sort kernel produced there.
const sortPositions = positionOps('sortGather', 'sortGatherBackward');

/** x's values at `indices` along `dim`: gather on the CPU, the GPU pick (positions on the GPU) there. */
function valuesAt(x: Tensor, dim: number, indices: Tensor): Tensor {
  if (x.device === 'cpu') return gather(x, dim, indices);
  return sortPositions.pick([x], { dim, index: indices.storage as GpuArray, indexShape: indices.shape, inputShape: x.shape });
}

function resolve(op: string, x: Tensor, options: SortOptions): [Tensor, number] {
  const dim = normalizeDim(op, options.dim ?? -1, x.ndim);
  return x.ndim === 0 ? [reshape(x, [1]), 0] : [x, dim];
}

/**
 * The values along `dim` in order (ascending unless `descending`), and the positions they came from;
 * stable, NaN sorted as the largest, as PyTorch's `sort`. The values are differentiable.
 * @example const { values, indices } = sort(x, { dim: 1, descending: true });
 */
export const sort = api(sig('sort', ['x', K.tensor], ['options', opts({ dim: K.dim, descending: K.bool, stable: K.bool }, { positional: ['dim', 'descending'] })]), function sort(x: Tensor, options: SortOptions = {}): ValuesIndices {
  const [t, dim] = resolve('sort', x, options);
  const indices = positions(t.detach(), dim, options.descending ?? false);
  const values = valuesAt(t, dim, indices);
  return valuesIndices(reshape(values, x.shape), reshape(indices, x.shape));
});

/** The positions that sort x along `dim` (stable); an int32 index tensor, without gradient. */
export const argsort = api(sig('argsort', ['x', K.tensor], ['options', opts({ dim: K.dim, descending: K.bool, stable: K.bool }, { positional: ['dim', 'descending'] })]), function argsort(x: Tensor, options: SortOptions = {}): Tensor {
  const [t, dim] = resolve('argsort', x, options);
  return reshape(positions(t.detach(), dim, options.descending ?? false), x.shape);
});

/** Options of `topk`. */
export interface TopkOptions {
  /** The dim to pick along (-1, the last). */
  dim?: number;
  /** The k largest (true) or the k smallest (false). */
  largest?: boolean;
  /** Whether the k are returned in order; they always are here (largest or smallest first). */
  sorted?: boolean;
}

/**
 * The `k` largest (or smallest) values along `dim`, in order, and their positions, as PyTorch's
 * `topk`; the values are differentiable.
 * @example const { values, indices } = topk(logits, 5, { dim: 1 });
 */
export const topk = api(sig('topk', ['x', K.tensor], ['k', K.int({ min: 0 })], ['options', opts({ dim: K.dim, largest: K.bool, sorted: K.bool }, { positional: ['dim', 'largest', 'sorted'] })]), function topk(x: Tensor, kk: number, options: TopkOptions = {}): ValuesIndices {
  const [t, dim] = resolve('topk', x, options);
  const n = t.shape[dim]!;
  if (!Number.isInteger(kk) || kk < 0 || kk > n) {
    throw new DlError(`topk: k must be an integer in [0, ${n}] for dim ${options.dim ?? -1} of shape ${fmt(x.shape)}, got ${String(kk)}`);
  }
  const indices = slice(positions(t.detach(), dim, options.largest ?? true), dim, 0, kk);
  const values = valuesAt(t, dim, indices);
  return x.ndim === 0 ? valuesIndices(reshape(values, []), reshape(indices, [])) : valuesIndices(values, indices);
});
