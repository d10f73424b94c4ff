import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';

/** Geometry of a sliding 2-D window over NCHW images. */
export interface Window2d {
  N: number; C: number; H: number; W: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  oh: number; ow: number;
}

/**
 * For each kernel column kj: the window positions ox whose input column ix = ox·sw − pw + kj·dw lies
 * inside the image, as [first, end) pairs, so the inner loops need no bounds test.
 */
function validColumns(g: Window2d): Int32Array {
  const { W, kw, sw, pw, dw, ow } = g;
  const ranges = new Int32Array(2 * kw);
  for (let kj = 0; kj < kw; kj++) {
    const off = kj * dw - pw;
    const first = Math.min(ow, Math.max(0, Math.ceil(-off / sw)));
    ranges[2 * kj] = first;
    ranges[2 * kj + 1] = Math.max(first, Math.min(ow, Math.ceil((W - off) / sw)));
  }
  return ranges;
}

/**
 * Where the column block of image n, kernel row r (= (c·kh + ki)·kw + kj) starts: [N, C·kh·kw, L]
 * (image-major, PyTorch's unfold) or, with `channelMajor`, [C·kh·kw, N, L], whose rows hold every image's
 * windows side by side, so a convolution of the whole batch is one product W [O, C·kh·kw] · cols.
 */
function blockStart(n: number, r: number, rows: number, N: number, L: number, channelMajor: boolean): number {
  return (channelMajor ? r * N + n : n * rows + r) * L;
}

/**
 * x [N, C, H, W] → cols [N, C·kh·kw, oh·ow] (or [C·kh·kw, N, oh·ow] with `channelMajor`), zero
 * outside the image; one pass over the output.
 */
export function im2col(x: TypedArray, g: Window2d, channelMajor = false): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(x, N * C * kh * kw * oh * ow);
  const cols = validColumns(g);
  if (sh === 1 && sw === 1 && ow === W) {
    im2colRowsInto(out, x, g, cols, channelMajor);
    return out;
  }
  const rows = C * kh * kw;
  const L = oh * ow;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const first = cols[2 * kj]!;
          const end = cols[2 * kj + 1]!;
          const off = kj * dw - pw;
          let o = blockStart(n, (c * kh + ki) * kw + kj, rows, N, L, channelMajor);
          for (let oy = 0; oy < oh; oy++, o += ow) {
            const iy = oy * sh - ph + ki * dh;
            if (iy < 0 || iy >= H) continue;
            const src = plane + iy * W + off;
            for (let ox = first; ox < end; ox++) out[o + ox] = x[src + ox * sw]!;
          }
        }
      }
    }
  }
  return out;
}

/**
 * im2col for stride 1 and windows as wide as the image (`same` padding): for each kernel offset, the
 * block of valid rows is one contiguous run of x, so it is copied with one `set`, and the few columns
 * that wrapped around from the neighbouring row are zeroed after. About 2x faster than row by row.
 */
function im2colRowsInto(out: TypedArray, x: TypedArray, g: Window2d, cols: Int32Array, channelMajor: boolean): void {
  const { N, C, H, W, kh, kw, ph, pw, dh, dw, oh, ow } = g;
  const L = oh * ow;
  const rows = C * kh * kw;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    const [n, c] = [Math.floor(nc / C), nc % C];
    for (let ki = 0; ki < kh; ki++) {
      const iy0 = ki * dh - ph;
      const oy0 = Math.max(0, -iy0);
      const oy1 = Math.min(oh, H - iy0);
      for (let kj = 0; kj < kw; kj++) {
        const o = blockStart(n, (c * kh + ki) * kw + kj, rows, N, L, channelMajor);
        const first = cols[2 * kj]!;
        const end = cols[2 * kj + 1]!;
        if (oy1 <= oy0 || end <= first) continue;
        // out[o + oy·ow + ox] = x[plane + (oy + iy0)·W + ox + kj·dw − pw] for ox in [first, end).
        const a = o + oy0 * ow + first;
        const b = o + (oy1 - 1) * ow + end;
        const src = plane + (oy0 + iy0) * W + first + kj * dw - pw;
        out.set(x.subarray(src, src + (b - a)), a);
        for (let r = o + oy0 * ow; r < o + oy1 * ow; r += ow) {
          for (let ox = r + end; ox < r + ow && ox < b; ox++) out[ox] = 0;
          for (let ox = Math.max(r, a); ox < r + first; ox++) out[ox] = 0;
        }
      }
    }
  }
}

/**
 * cols [N, C·kh·kw, oh·ow] (or [C·kh·kw, N, oh·ow] with `channelMajor`) → x [N, C, H, W], summing
 * where windows overlap: the adjoint of im2col.
 */
export function col2im(colsData: TypedArray, g: Window2d, channelMajor = false): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(colsData, N * C * H * W);
  const cols = validColumns(g);
  const L = oh * ow;
  const rows = C * kh * kw;
  // Windows as wide as the image at stride 1: a kernel column with no padding to skip covers whole
  // rows, so its block of valid rows is one contiguous run in both arrays.
  const wholeRows = sh === 1 && sw === 1 && ow === W;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    const [n, c] = [Math.floor(nc / C), nc % C];
    for (let ki = 0; ki < kh; ki++) {
      const iy0 = ki * dh - ph;
      // The window rows oy whose input row oy·sh + iy0 lies inside the image.
      const oy0 = Math.min(oh, Math.max(0, Math.ceil(-iy0 / sh)));
      const oy1 = Math.max(oy0, Math.min(oh, Math.ceil((H - iy0) / sh)));
      for (let kj = 0; kj < kw; kj++) {
        const o = blockStart(n, (c * kh + ki) * kw + kj, rows, N, L, channelMajor);
        const first = cols[2 * kj]!;
        const end = cols[2 * kj + 1]!;
        const off = kj * dw - pw;
        if (wholeRows && first === 0 && end === ow) {
          const d = plane + iy0 * W + off - o;
          for (let s = o + oy0 * ow, e = o + oy1 * ow; s < e; s++) out[d + s] = out[d + s]! + colsData[s]!;
        } else if (sw === 1) {
          for (let oy = oy0; oy < oy1; oy++) {
            const r = o + oy * ow;
            const d = plane + (oy * sh + iy0) * W + off;
            for (let ox = first; ox < end; ox++) out[d + ox] = out[d + ox]! + colsData[r + ox]!;
          }
        } else {
          for (let oy = oy0; oy < oy1; oy++) {
            const r = o + oy * ow;
            let p = plane + (oy * sh + iy0) * W + off + first * sw;
            for (let ox = first; ox < end; ox++, p += sw) out[p] = out[p]! + colsData[r + ox]!;
          }
        }
      }
    }
  }
  return out;
}

/**
 * The max of each window of x [N, C, H, W] → [N, C, oh, ow], by PyTorch's CPU rule: padding taps are
 * skipped, taps are scanned in (ki, kj) order from the first one inside the image, and a tap is taken
 * when it is larger than the best so far or is NaN (so the first of equal maxima wins, and the last
 * NaN). `argmax` receives, for each window, the flat index in x of its maximum, or −1 for a window
 * wholly in the padding.
 */
export function maxPool2d(x: TypedArray, g: Window2d, argmax: Int32Array): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(x, N * C * oh * ow);
  const inside = ph === 0 && pw === 0;
  if (inside && kh === 2 && kw === 2) {
    maxPool2x2Into(out, x, g, argmax);
    return out;
  }
  let p = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, p++) {
        if (inside) {
          // Every window lies in the image: no bounds tests.
          const base = plane + oy * sh * W + ox * sw;
          let best = -Infinity;
          let at = base;
          for (let ki = 0; ki < kh; ki++) {
            const row = base + ki * dh * W;
            for (let kj = 0; kj < kw; kj++) {
              const q = row + kj * dw;
              const v = x[q]!;
              if (v > best || v !== v) {
                best = v;
                at = q;
              }
            }
          }
          out[p] = best;
          argmax[p] = at;
          continue;
        }
        // Padding taps are skipped; a window wholly in the padding (possible with dilation) gives −∞.
        let best = -Infinity;
        let at = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj * dw;
            if (ix < 0 || ix >= W) continue;
            const q = plane + iy * W + ix;
            const v = x[q]!;
            if (at < 0 || v > best || v !== v) {
              best = v;
              at = q;
            }
          }
        }
        out[p] = best;
        argmax[p] = at;
      }
    }
  }
  return out;
}

/**
 * `maxPool2d` for unpadded 2x2 windows, unrolled and without branches: on random data the
 * "is it larger" branch mispredicts often, so the index of the best so far is updated with a mask and
 * the value re-read from x (which also keeps a −0's sign, and a NaN a NaN). About 3x faster.
 */
function maxPool2x2Into(out: TypedArray, x: TypedArray, g: Window2d, argmax: Int32Array): void {
  const { N, C, H, W, sh, sw, dh, dw, oh, ow } = g;
  const down = dh * W;
  let p = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0, base = plane + oy * sh * W; ox < ow; ox++, p++, base += sw) {
        let at = base;
        let best = x[base]!;
        // take = v > best || v is NaN, as 0 or 1 (the last NaN wins, as in PyTorch); at moves to q when it is 1.
        let q = base + dw;
        let v = x[q]!;
        at += (q - at) & -(+(v > best) | +(v !== v));
        best = x[at]!;
        q = base + down;
        v = x[q]!;
        at += (q - at) & -(+(v > best) | +(v !== v));
        best = x[at]!;
        q = base + down + dw;
        v = x[q]!;
        at += (q - at) & -(+(v > best) | +(v !== v));
        out[p] = x[at]!;
        argmax[p] = at;
      }
    }
  }
}

/**
 * The gradient of `maxPool2d`: grad [N, C, oh, ow] added at each window's maximum of an [N, C, H, W]
 * zero image (padding positions drop theirs). Where windows overlap, an element's shares are added in
 * col2im's (ki, kj, oy, ox) order, so the sums round exactly as fold's would.
 */
export function maxUnpool2d(grad: TypedArray, argmax: Int32Array, g: Window2d): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(grad, N * C * H * W);
  if (sh >= dh * (kh - 1) + 1 && sw >= dw * (kw - 1) + 1) {
    // Disjoint windows: every element gets at most one share, so the order does not matter.
    for (let p = 0; p < grad.length; p++) {
      const at = argmax[p]!;
      if (at >= 0) out[at] = out[at]! + grad[p]!;
    }
    return out;
  }
  const L = oh * ow;
  for (let nc = 0; nc < N * C; nc++) {
    const plane = nc * H * W;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        for (let oy = 0, p = nc * L; oy < oh; oy++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= H) {
            p += ow;
            continue;
          }
          for (let ox = 0; ox < ow; ox++, p++) {
            const ix = ox * sw - pw + kj * dw;
            const q = plane + iy * W + ix;
            if (ix >= 0 && ix < W && argmax[p] === q) out[q] = out[q]! + grad[p]!;
          }
        }
      }
    }
  }
  return out;
}

/** x [N, C, H, W] → [N, C, oh, ow]: the value at each window's maximum (0 for padding); the adjoint of `maxUnpool2d`. */
export function maxPool2dPick(x: TypedArray, argmax: Int32Array, g: Window2d): TypedArray {
  const out = like(x, g.N * g.C * g.oh * g.ow);
  for (let p = 0; p < out.length; p++) {
    const at = argmax[p]!;
    if (at >= 0) out[p] = x[at]!;
  }
  return out;
}
