import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { allocate } from '../dtype.js';
import { defineOp, type Op } from '../op.js';
import { k } from '../kernels/index.js';
import { broadcastShapes, broadcastStrides, fmt, numel, stridesOf } from '../shape.js';
import { batchedMatmul } from '../kernels/webgpu/matmul.js';
import { stridedCopy as gpuStridedCopy } from '../kernels/webgpu/elementwise.js';
import type { GpuArray } from '../kernels/webgpu/context.js';
import { floatsOnGpu } from './webgpu.js';
import { reshape, squeeze, unsqueeze } from './movement.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { checkNumel } from '../checks/limits.js';

/** Whether each operand is stored transposed in its last two dims (so backward needs no transpose copy). */
interface Transposes {
  ta: boolean;
  tb: boolean;
}

/** The sizes of op(A)·op(B) for operands of at least 2 dims: M, K, N and the batch dims (broadcast). */
function productSizes(a: Tensor, b: Tensor, { ta, tb }: Transposes) {
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const [M, K] = ta ? [ac, ar] : [ar, ac];
  const N = tb ? br : bc;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  return { M, K, N, aBatch, bBatch, batch: broadcastShapes('matmul', aBatch, bBatch) };
}

// Batched matrix product of tensors with at least 2 dims; batch dims broadcast.
const bmmOp: Op<Transposes, [a: Tensor, b: Tensor]> = defineOp<Transposes, [a: Tensor, b: Tensor]>({
  name: 'matmul',
  saves: 'inputs',
  forward: ([a, b], { ta, tb }) => {
    const { M, K, N, aBatch, bBatch, batch } = productSizes(a, b, { ta, tb });
    const out = allocate(a.dtype, numel(batch) * M * N);
    const aStr = stridesOf(aBatch);
    const bStr = stridesOf(bBatch);
    const idx = new Array<number>(batch.length).fill(0);
    for (let bi = 0; bi < numel(batch); bi++) {
      let aOff = 0;
      let bOff = 0;
      for (let d = 0; d < batch.length; d++) {
        const ad = d - (batch.length - aBatch.length);
        const bd = d - (batch.length - bBatch.length);
        if (ad >= 0 && aBatch[ad] !== 1) aOff += idx[d]! * aStr[ad]!;
        if (bd >= 0 && bBatch[bd] !== 1) bOff += idx[d]! * bStr[bd]!;
      }
      k.matmulTransposedInto(a.data, aOff * M * K, ta, b.data, bOff * K * N, tb, out, bi * M * N, M, K, N, true);
      for (let d = batch.length - 1; d >= 0 && ++idx[d]! === batch[d]; d--) idx[d] = 0;
    }
    return { data: out, shape: [...batch, M, N] };
  },
  webgpu: ([a, b], { ta, tb }, gpu) => {
    let [x, y] = floatsOnGpu('matmul', a, b);
    const { M, K, N, aBatch, bBatch, batch } = productSizes(a, b, { ta, tb });
    const count = numel(batch);
    // An operand whose batch is all ones is one matrix for every batch; any other broadcast batch is copied out first.
    const full = (t: Tensor, own: number[], g: GpuArray): GpuArray =>
      numel(own) === 1 || numel(own) === count ? g : gpuStridedCopy(gpu, g, broadcastStrides(t.shape, [...batch, ...t.shape.slice(-2)]), [...batch, ...t.shape.slice(-2)]);
    x = full(a, aBatch, x!);
    y = full(b, bBatch, y!);
    return { data: batchedMatmul(gpu, x, ta, y, tb, count, M, K, N, numel(aBatch) === 1 && count > 1, numel(bBatch) === 1 && count > 1), shape: [...batch, M, N] };
  },
  // C = op(A)·op(B): the gradient of a stored-transposed operand is the transpose of the usual one.
  backward: ({ grad, inputs: [a, b], attrs: { ta, tb }, needsInputGrad: [ga, gb] }) => [
    ga ? (ta ? bmmOp([b, grad], { ta: tb, tb: true }) : bmmOp([grad, b], { ta: false, tb: !tb })) : null,
    gb ? (tb ? bmmOp([grad, a], { ta: true, tb: ta }) : bmmOp([a, grad], { ta: !ta, tb: false })) : null,
  ],
});

/**
 * The matrix product, as PyTorch's `matmul`: 1-D·1-D is a dot product, 2-D·2-D a matrix product, a
 * 1-D operand is treated as a row (left) or column (right) vector, and leading batch dims broadcast.
 * @example matmul(x, transpose(w, 0, 1)) // [B, in] · [in, out]
 */
export const matmul = api(sig('matmul', ['a', K.tensor], ['b', K.tensor]), function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new DlError('matmul: expects two tensors');
  if (a.dtype !== b.dtype) throw new DlError(`matmul: dtypes ${a.dtype} and ${b.dtype} differ`);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new DlError(`matmul: both operands need at least 1 dim, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const K = a2.shape[a2.ndim - 1]!;
  if (b2.shape[b2.ndim - 2] !== K) {
    throw new DlError(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${K} vs ${b2.shape[b2.ndim - 2]})`);
  }
  try {
    broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  } catch {
    throw new DlError(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (batch dims do not broadcast)`);
  }
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  checkNumel('matmul', [...batch, a2.shape[a2.ndim - 2]!, b2.shape[b2.ndim - 1]!], 'output');
  let out = bmmOp([a2, b2], { ta: false, tb: false });
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, out.ndim === 1 && b.ndim === 1 ? 0 : -(b.ndim === 1 ? 1 : 2));
  return a.ndim === 1 && b.ndim === 1 ? reshape(out, []) : out;
});

/**
 * a · bᵀ over the last two dims (b's transpose is read in place, never copied), with the batch dims
 * broadcasting as `matmul`'s: what `Linear` computes, x [..., in] · W [out, in]ᵀ → [..., out].
 * The same as `matmul(a, transpose(b, -2, -1))`, with no transpose copy forward or backward.
 * @example matmulTransposed(x, weight) // [64, 784] · [10, 784]ᵀ → [64, 10]
 */
export const matmulTransposed = api(sig('matmulTransposed', ['a', K.tensor], ['b', K.tensor]), function matmulTransposed(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new DlError(`matmulTransposed: both operands need at least 2 dims, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const K = a.shape[a.ndim - 1]!;
  if (b.shape[b.ndim - 1] !== K) {
    throw new DlError(`matmulTransposed: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied as a · bᵀ (${K} vs ${b.shape[b.ndim - 1]})`);
  }
  if (a.dtype !== b.dtype) throw new DlError(`matmulTransposed: dtypes ${a.dtype} and ${b.dtype} differ`);
  let batch: number[];
  try {
    batch = broadcastShapes('matmulTransposed', a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new DlError(`matmulTransposed: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (batch dims do not broadcast)`);
  }
  checkNumel('matmulTransposed', [...batch, a.shape[a.ndim - 2]!, b.shape[b.ndim - 2]!], 'output');
  // Leading dims of a against a plain matrix b fold into one product: [B, T, in] · [out, in]ᵀ is one GEMM.
  if (b.ndim === 2 && a.ndim > 2) {
    const rows = reshape(a, [numel(a.shape.slice(0, -1)), K]);
    return reshape(bmmOp([rows, b], { ta: false, tb: true }), [...a.shape.slice(0, -1), b.shape[0]!]);
  }
  return bmmOp([a, b], { ta: false, tb: true });
});
