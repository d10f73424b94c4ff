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

/** x [N, C, H, W] → cols [N, C·kh·kw, oh·ow], zero outside the image; one pass over the output. */
export function im2col(x: TypedArray, g: Window2d): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(x, N * C * kh * kw * oh * ow);
  const cols = validColumns(g);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const first = cols[2 * kj]!;
          const end = cols[2 * kj + 1]!;
          const off = kj * dw - pw;
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

/** cols [N, C·kh·kw, oh·ow] → x [N, C, H, W], summing where windows overlap: the adjoint of im2col. */
export function col2im(colsData: TypedArray, g: Window2d): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(colsData, N * C * H * W);
  const cols = validColumns(g);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          const first = cols[2 * kj]!;
          const end = cols[2 * kj + 1]!;
          const off = kj * dw - pw;
          for (let oy = 0; oy < oh; oy++, o += ow) {
            const iy = oy * sh - ph + ki * dh;
            if (iy < 0 || iy >= H) continue;
            const dst = plane + iy * W + off;
            for (let ox = first; ox < end; ox++) out[dst + ox * sw] += colsData[o + ox]!;
          }
        }
      }
    }
  }
  return out;
}
