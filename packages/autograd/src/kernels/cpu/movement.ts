import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';

/**
 * Copies the strided view (offset, shape, strides) of `x` into a new contiguous array. One kernel
 * serves permute (permuted strides), expand (zero strides) and slice (offset and stepped strides).
 */
export function stridedCopy(x: TypedArray, offset: number, shape: readonly number[], strides: readonly number[]): TypedArray {
  let total = 1;
  for (const s of shape) total *= s;
  const out = like(x, total);
  if (total === 0) return out;
  const nd = shape.length;
  if (nd === 0) {
    out[0] = x[offset]!;
    return out;
  }
  // One value everywhere (a scalar expanded, as a sum's gradient): a single fill.
  if (strides.every((st) => st === 0)) return out.fill(x[offset]!);
  const last = nd - 1;
  const n = shape[last]!;
  const s = strides[last]!;
  const idx = new Int32Array(nd);
  let base = offset;
  let o = 0;
  for (;;) {
    // Runs of one repeated value are filled and contiguous runs copied whole; other strides element by element.
    if (s === 0) {
      out.fill(x[base]!, o, o + n);
      o += n;
    } else if (s === 1 && n >= 16) {
      out.set(x.subarray(base, base + n), o);
      o += n;
    } else {
      for (let j = 0, p = base; j < n; j++, p += s) out[o++] = x[p]!;
    }
    let d = last - 1;
    for (; d >= 0; d--) {
      base += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
    if (d < 0) return out;
  }
}

/**
 * Writes contiguous `src` into the strided view (offset, shape, strides) of `target`, in place:
 * added to what is there when `accumulate`, else overwriting it.
 */
export function stridedWriteInto(
  target: TypedArray, offset: number, shape: readonly number[], strides: readonly number[], src: TypedArray, accumulate: boolean,
): void {
  if (src.length === 0) return;
  const nd = shape.length;
  if (nd === 0) {
    target[offset] = (accumulate ? target[offset]! : 0) + src[0]!;
    return;
  }
  const last = nd - 1;
  const n = shape[last]!;
  const s = strides[last]!;
  const idx = new Int32Array(nd);
  let base = offset;
  let o = 0;
  for (;;) {
    if (accumulate) for (let j = 0, p = base; j < n; j++, p += s) target[p] = target[p]! + src[o++]!;
    else for (let j = 0, p = base; j < n; j++, p += s) target[p] = src[o++]!;
    let d = last - 1;
    for (; d >= 0; d--) {
      base += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** out[a, j, i] = x[a, index[a, j, i], i] over [outer, n, inner] → [outer, m, inner]. */
export function gather(x: TypedArray, index: ArrayLike<number>, outer: number, n: number, m: number, inner: number): TypedArray {
  const out = like(x, outer * m * inner);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < m; j++) {
      const ob = (a * m + j) * inner;
      for (let i = 0; i < inner; i++) out[ob + i] = x[(a * n + index[ob + i]!) * inner + i]!;
    }
  }
  return out;
}

/** target[a, index[a, j, i], i] += src[a, j, i], in place: the adjoint of `gather`. */
export function scatterAddInto(
  target: TypedArray, index: ArrayLike<number>, src: TypedArray, outer: number, n: number, m: number, inner: number,
): void {
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < m; j++) {
      const sb = (a * m + j) * inner;
      for (let i = 0; i < inner; i++) target[(a * n + index[sb + i]!) * inner + i] = target[(a * n + index[sb + i]!) * inner + i]! + src[sb + i]!;
    }
  }
}

/** out[a, j, :] = x[a, index[j], :]: whole slices picked along the middle axis. */
export function indexSelect(x: TypedArray, index: ArrayLike<number>, outer: number, n: number, inner: number): TypedArray {
  const m = index.length;
  const out = like(x, outer * m * inner);
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < m; j++) {
      const src = (a * n + index[j]!) * inner;
      out.set(x.subarray(src, src + inner), (a * m + j) * inner);
    }
  }
  return out;
}

/** target[a, index[j], :] += src[a, j, :], in place: the adjoint of `indexSelect`. */
export function indexAddInto(target: TypedArray, index: ArrayLike<number>, src: TypedArray, outer: number, n: number, inner: number): void {
  const m = index.length;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < m; j++) {
      const t = (a * n + index[j]!) * inner;
      const s = (a * m + j) * inner;
      for (let i = 0; i < inner; i++) target[t + i] = target[t + i]! + src[s + i]!;
    }
  }
}
