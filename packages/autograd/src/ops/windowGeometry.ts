// The geometry of a sliding 2-D window (unfold, fold, pooling, convolution): the options' checks and the
// sizes they give. Internal to the ops; the public option types are re-exported by image.ts.
import { DlError } from '../checks/error.js';
import type { Window2d } from '../kernels/index.js';
import { fmt } from '../shape.js';
import * as K from '../checks/kinds.js';

/** The kind of a window size: an integer or a pair, checked further by `pair`, whose message names the bound. */
export const size2 = K.kind('size2', 'an integer or a pair of integers', (v) => typeof v === 'number' || Array.isArray(v));

/** A size for both spatial dims, or `[height, width]`. */
export type Size2 = number | readonly [number, number];

/** Options of `unfold` and `fold`, as PyTorch's `F.unfold`: each 1, 0, 1 by default. */
export interface WindowOptions {
  dilation?: Size2;
  padding?: Size2;
  stride?: Size2;
}

/** A size for both dims as [height, width], each an integer of at least `min`; `op` and `name` go in the error. */
export function pair(op: string, name: string, v: Size2, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if ((typeof v !== 'number' && v.length !== 2) || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new DlError(`${op}: ${name} must be ${min === 0 ? 'non-negative' : 'positive'} integers, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Checks the window options against an input of `shape` [N, C, H, W] and computes the geometry. */
export function window(op: string, shape: readonly number[], kernelSize: Size2, o: WindowOptions): Window2d {
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1);
  const [dh, dw] = pair(op, 'dilation', o.dilation ?? 1, 1);
  const [ph, pw] = pair(op, 'padding', o.padding ?? 0, 0);
  const [sh, sw] = pair(op, 'stride', o.stride ?? 1, 1);
  const [N, C, H, W] = shape as [number, number, number, number];
  const eh = dh * (kh - 1) + 1;
  const ew = dw * (kw - 1) + 1;
  if (eh > H + 2 * ph || ew > W + 2 * pw) {
    throw new DlError(
      `${op}: kernel ${kh}x${kw} (extent ${eh}x${ew} with dilation) is larger than the padded input ` +
        `${H + 2 * ph}x${W + 2 * pw} (input ${fmt(shape)}, padding ${ph},${pw})`,
    );
  }
  const oh = Math.floor((H + 2 * ph - eh) / sh) + 1;
  const ow = Math.floor((W + 2 * pw - ew) / sw) + 1;
  return { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
}
