import { add, allocate, indexSelect, mul, reshape, sub, Tensor, DlError } from '@dl/autograd';
import { fmt } from '../checks.js';
import { checks as C } from '@dl/autograd';

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** A row index (negative counts from the end) whose row gets no gradient, as PyTorch's `padding_idx`. */
  paddingIdx?: number | null;
}

/** @internal Checks `paddingIdx` against `n` rows and returns it non-negative (or null). */
export function normalizePaddingIdx(layer: string, paddingIdx: number | null | undefined, n: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -n || paddingIdx >= n) {
    throw new DlError(`${layer}: paddingIdx must be an integer in [${-n}, ${n - 1}], got ${String(paddingIdx)}`);
  }
  return paddingIdx < 0 ? paddingIdx + n : paddingIdx;
}

/** @internal `embedding` with errors naming `layer`. */
export function embeddingAs(layer: string, input: Tensor, weight: Tensor, paddingIdx: number | null): Tensor {
  if (!(input instanceof Tensor)) throw new DlError(`${layer}: input must be a tensor of indices`);
  if (weight.ndim !== 2) throw new DlError(`${layer}: weight must be 2-D [numEmbeddings, embeddingDim], got shape ${fmt(weight.shape)}`);
  const [n, dim] = weight.shape as [number, number];
  const idx = input.data;
  let padded = false;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      const where = input.ndim === 0 ? '' : ` at position ${i} (flat) of the input of shape ${fmt(input.shape)}`;
      throw new DlError(`${layer}: index ${v}${where} is ${Number.isInteger(v) ? 'out of range' : 'not an integer'}; indices must be integers in [0, ${n - 1}]`);
    }
    if (v === paddingIdx) padded = true;
  }
  const flat = reshape(input, [input.numel()]);
  let rows = indexSelect(weight, 0, flat);
  if (padded) {
    // The padding rows are read from a detached weight, so no gradient reaches that row.
    const mask = new Tensor(allocate(weight.dtype === 'float64' ? 'float64' : 'float32', idx.length), [idx.length, 1]);
    for (let i = 0; i < idx.length; i++) mask.data[i] = idx[i] === paddingIdx ? 0 : 1;
    rows = add(mul(rows, mask), mul(indexSelect(weight.detach(), 0, flat), sub(1, mask)));
  }
  return reshape(rows, [...input.shape, dim]);
}

/**
 * Looks up rows of `weight` [numEmbeddings, dim] by index, as PyTorch's `F.embedding`: `input` holds
 * integer indices (as float values) of any shape, and the result is [...input.shape, dim]. The row
 * at `paddingIdx` gets no gradient.
 * @example embedding(tensor([[1, 2], [0, 3]]), weight) // [2, 2, dim]
 */
export const embedding = C.api(C.sig('embedding', ['input', C.tensor], ['weight', C.tensor], ['options', C.options({ paddingIdx: C.any }, { positional: ['paddingIdx'] })]), function embedding(input: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const n = weight.ndim === 2 ? weight.shape[0]! : 0;
  return embeddingAs('embedding', input, weight, normalizePaddingIdx('embedding', options.paddingIdx, n));
});
