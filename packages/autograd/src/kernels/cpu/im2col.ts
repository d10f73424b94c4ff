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

/** x [N, C, H, W] → cols [N, C·kh·kw, oh·ow], zero outside the image; one pass over the output. */
export function im2col(x: TypedArray, g: Window2d): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const L = oh * ow;
  const out = like(x, N * C * kh * kw * L);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ki * dh;
            if (iy < 0 || iy >= H) {
              o += ow;
              continue;
            }
            const row = plane + iy * W;
            let ix = kj * dw - pw;
            for (let ox = 0; ox < ow; ox++, ix += sw) out[o++] = ix >= 0 && ix < W ? x[row + ix]! : 0;
          }
        }
      }
    }
  }
  return out;
}

/** cols [N, C·kh·kw, oh·ow] → x [N, C, H, W], summing where windows overlap: the adjoint of im2col. */
export function col2im(cols: TypedArray, g: Window2d): TypedArray {
  const { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = g;
  const out = like(cols, N * C * H * W);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W;
      for (let ki = 0; ki < kh; ki++) {
        for (let kj = 0; kj < kw; kj++) {
          for (let oy = 0; oy < oh; oy++) {
            const iy = oy * sh - ph + ki * dh;
            if (iy < 0 || iy >= H) {
              o += ow;
              continue;
            }
            const row = plane + iy * W;
            let ix = kj * dw - pw;
            for (let ox = 0; ox < ow; ox++, ix += sw, o++) if (ix >= 0 && ix < W) out[row + ix] += cols[o]!;
          }
        }
      }
    }
  }
  return out;
}
