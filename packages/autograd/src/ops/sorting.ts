// Sorting: the positions come from a kernel (a stable sort), and the values are gathered at them, so
// the values' gradient is gather's (a scatter back to where each value came from).
import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
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

/** The sorting positions along `dim` as an int32 index tensor (x seen as 1-D when 0-D). */
function positions(x: Tensor, dim: number, descending: boolean): Tensor {
  const s = x.shape;
  const idx = k.argsortAxis(x.data, numel(s.slice(0, dim)), s[dim]!, numel(s.slice(dim + 1)), descending);
  return indexTensor(idx, s);
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
  const values = gather(t, dim, indices);
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
  const values = gather(t, dim, indices);
  return x.ndim === 0 ? valuesIndices(reshape(values, []), reshape(indices, [])) : valuesIndices(values, indices);
});
