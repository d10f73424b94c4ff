// Rearranging ops composed on movement: flip, roll, repeat, tile, and the triangles triu/tril.
import { allocate } from '../dtype.js';
import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { defineOp, type PublicOp } from '../op.js';
import { stridedCopy as gpuStridedCopy } from '../kernels/webgpu/elementwise.js';
import { onGpu } from './webgpu.js';
import { k } from '../kernels/index.js';
import { fmt, normalizeDim, normalizeDims, stridesOf } from '../shape.js';
import { where } from './elementwise.js';
import { cat, expand, reshape, slice } from './movement.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';

/** A list of sizes or dims given as one array or as separate numbers (PyTorch takes both). */
export type IntList = number | readonly number[];

/** @internal The numbers of an `IntList`, or of a method's rest arguments. */
export function intList(op: string, name: string, args: readonly IntList[]): number[] {
  const list = args.length === 1 && typeof args[0] !== 'number' ? [...args[0]!] : (args as readonly number[]);
  for (const v of list) {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new DlError(`${op}: ${name} must be integers, got ${JSON.stringify(args)}`);
  }
  return [...list];
}

/** The view a flip copies: x's strides negated along `dims`, starting from the last position there. */
function flipView(shape: readonly number[], dims: readonly number[]): { strides: number[]; offset: number } {
  const strides = stridesOf(shape);
  let offset = 0;
  for (const d of dims) {
    offset += (shape[d]! - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  return { strides, offset };
}

/** Reverses the order of elements along each of `dims`. @example flip(x, [0, 1]) */
export const flip: PublicOp<{ dims: number[] }, [x: Tensor], [x: Tensor, dims: IntList]> = defineOp({
  name: 'flip',
  params: [['x', K.tensor], ['dims', { ...K.union(K.int(), K.ints), spread: true }]],
  call: (x: Tensor, dims: IntList) => {
    const list = intList('flip', 'dims', [dims]);
    return [[x], { dims: normalizeDims('flip', list, x.ndim).filter(() => x.ndim > 0) }];
  },
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dims }) => {
    const { strides, offset } = flipView(x.shape, dims);
    return { data: x.numel() === 0 ? x.data.slice() : k.stridedCopy(x.data, offset, x.shape, strides), shape: x.shape };
  },
  webgpu: ([x], { dims }, gpu) => {
    const { strides, offset } = flipView(x.shape, dims);
    return { data: x.numel() === 0 ? gpu.copy(onGpu(x)) : gpuStridedCopy(gpu, onGpu(x), strides, x.shape, offset), shape: x.shape };
  },
  backward: ({ grad, attrs }) => [flip.op([grad], attrs)],
});

/**
 * Rotates elements along `dims` by `shifts` (elements pushed off the end come back at the start);
 * without dims, the flattened tensor is rolled and its shape restored, as PyTorch's `roll`.
 * @example roll(x, 1, 0) // the last row comes first
 */
export const roll = api(sig('roll', ['x', K.tensor], ['shifts', K.union(K.int(), K.ints)], ['dims', K.optional(K.union(K.int(), K.ints))]), function roll(x: Tensor, shifts: IntList, dims?: IntList): Tensor {
  const s = intList('roll', 'shifts', [shifts]);
  if (dims === undefined) {
    if (s.length !== 1) throw new DlError(`roll: without dims, shifts must be one number, got [${s.join(',')}]`);
    return reshape(roll(reshape(x, [x.numel()]), s[0]!, 0), x.shape);
  }
  const d = intList('roll', 'dims', [dims]);
  if (d.length !== s.length) throw new DlError(`roll: shifts [${s.join(',')}] and dims [${d.join(',')}] must have the same length`);
  let out = x;
  d.forEach((dim, i) => {
    const nd = normalizeDim('roll', dim, x.ndim);
    if (x.ndim === 0) return;
    const n = x.shape[nd]!;
    const by = n === 0 ? 0 : ((s[i]! % n) + n) % n;
    if (by !== 0) out = cat([slice(out, nd, n - by), slice(out, nd, 0, n - by)], nd);
  });
  return out;
});

/**
 * Repeats the whole tensor `sizes[i]` times along each dim, as PyTorch's `Tensor.repeat` (not NumPy's
 * repeat); `sizes` may have more dims than x, which are added in front.
 * @example repeat(tensor([1, 2]), [2, 2]) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export const repeat = api(sig('repeat', ['x', K.tensor], ['sizes', { ...K.union(K.int(), K.ints), spread: true }]), function repeat(x: Tensor, sizes: IntList): Tensor {
  const reps = intList('repeat', 'sizes', [sizes]);
  if (reps.length < x.ndim) {
    throw new DlError(`repeat: the number of repeats (${reps.length}) cannot be smaller than the number of dims of shape ${fmt(x.shape)}`);
  }
  if (reps.some((r) => r < 0)) throw new DlError(`repeat: repeats must be non-negative, got [${reps.join(',')}]`);
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const interleaved = shape.flatMap((s) => [1, s]);
  const expanded = shape.flatMap((s, i) => [reps[i]!, s]);
  return reshape(expand(reshape(x, interleaved), expanded), shape.map((s, i) => s * reps[i]!));
});

/** Repeats x along each dim as NumPy's `tile`: `dims` shorter than x's rank is padded with 1s in front. */
export const tile = api(sig('tile', ['x', K.tensor], ['dims', { ...K.union(K.int(), K.ints), spread: true }]), function tile(x: Tensor, dims: IntList): Tensor {
  const reps = intList('tile', 'dims', [dims]);
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - reps.length)).fill(1), ...reps]);
});

function triangle(name: string, x: Tensor, diagonal: number, keep: (j: number, i: number) => boolean): Tensor {
  if (x.ndim < 2) throw new DlError(`${name}: expects a tensor of at least 2 dims, got shape ${fmt(x.shape)}`);
  if (!Number.isInteger(diagonal)) throw new DlError(`${name}: diagonal must be an integer, got ${String(diagonal)}`);
  const [rows, cols] = x.shape.slice(-2) as [number, number];
  const mask = allocate(x.dtype === 'float64' ? 'float64' : 'float32', rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask[i * cols + j] = keep(j - i, diagonal) ? 1 : 0;
  const m = new Tensor(mask, [rows, cols]).to(x.device);
  return where(m, x, 0);
}

/** The upper triangle of the last two dims: elements with j − i ≥ diagonal; the rest are 0. @example triu(scores, 1) */
export const triu = api(sig('triu', ['x', K.tensor], ['diagonal', K.optional(K.int())]), function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal, (d, k) => d >= k);
});
/** The lower triangle of the last two dims: elements with j − i ≤ diagonal; the rest are 0. */
export const tril = api(sig('tril', ['x', K.tensor], ['diagonal', K.optional(K.int())]), function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal, (d, k) => d <= k);
});
