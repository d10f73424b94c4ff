// The geometry of a sliding 2-D window (unfold, fold, pooling, convolution): the options' checks and the
// sizes they give. The public option types are re-exported by image.ts; the checks, by the shared
// checker (`checks.pair`, `checks.checkPoolPadding`, `checks.checkWindowFits` and the transposed
// convolution's `checks.checkOutputPadding` and `checks.transposeOutputSize`), so @dl/nn's layers
// run the same checks under their own names.
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
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : null;
  if (p === null || p.some((x) => !Number.isInteger(x) || x < min)) {
    throw new DlError(`${op}: ${name} must be ${min === 0 ? 'non-negative' : 'positive'} integers, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

/** Checks PyTorch's pooling rule, padding at most half the kernel in each dim; the error names `op`. */
export function checkPoolPadding(op: string, [kh, kw]: readonly [number, number], [ph, pw]: readonly [number, number]): void {
  if (ph > Math.floor(kh / 2) || pw > Math.floor(kw / 2)) {
    throw new DlError(`${op}: padding ${ph},${pw} must be at most half the kernel size ${kh}x${kw}`);
  }
}

/**
 * Checks that a kernel, dilated, fits in the padded input: `shape` ends in [H, W] (any leading dims),
 * and the error names `op`, the kernel, the padded size and the input's shape.
 */
export function checkWindowFits(
  op: string, shape: readonly number[], [kh, kw]: readonly [number, number], [ph, pw]: readonly [number, number], [dh, dw]: readonly [number, number] = [1, 1],
): void {
  const [H, W] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
  const [eh, ew] = [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
  if (eh > H + 2 * ph || ew > W + 2 * pw) {
    const extent = dh > 1 || dw > 1 ? ` (extent ${eh}x${ew} with dilation ${dh},${dw})` : '';
    throw new DlError(
      `${op}: kernel ${kh}x${kw}${extent} is larger than the padded input ${H + 2 * ph}x${W + 2 * pw} (input shape ${fmt(shape)}, padding ${ph},${pw})`,
    );
  }
}

/** Checks the window options against an input of `shape` [N, C, H, W] and computes the geometry. */
export function window(op: string, shape: readonly number[], kernelSize: Size2, o: WindowOptions): Window2d {
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1);
  const [dh, dw] = pair(op, 'dilation', o.dilation ?? 1, 1);
  const [ph, pw] = pair(op, 'padding', o.padding ?? 0, 0);
  const [sh, sw] = pair(op, 'stride', o.stride ?? 1, 1);
  const [N, C, H, W] = shape as [number, number, number, number];
  checkWindowFits(op, shape, [kh, kw], [ph, pw], [dh, dw]);
  const oh = Math.floor((H + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((W + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  return { N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
}

/** The settings of a transposed convolution, each [height, width]. */
export interface TransposeGeometry {
  stride: readonly [number, number];
  padding: readonly [number, number];
  outputPadding: readonly [number, number];
  dilation: readonly [number, number];
}

/** Checks PyTorch's rule for a transposed convolution: the output padding below the stride or the dilation in each dim. */
export function checkOutputPadding(op: string, { stride: s, outputPadding: e, dilation: d }: TransposeGeometry): void {
  if (e.some((v, i) => v >= s[i]! && v >= d[i]!)) {
    const two = (p: readonly number[]) => `(${p[0]}, ${p[1]})`;
    throw new DlError(`${op}: outputPadding must be smaller than either stride or dilation, got outputPadding ${two(e)}, stride ${two(s)}, dilation ${two(d)}`);
  }
}

/**
 * The output size [H', W'] of a transposed convolution with a [kh, kw] kernel of an input whose shape
 * ends in [H, W]: (H − 1)·stride − 2·padding + dilation·(kh − 1) + outputPadding + 1, checked to be at
 * least 1; the error names `op`, the sizes and the settings.
 */
export function transposeOutputSize(op: string, shape: readonly number[], [kh, kw]: readonly [number, number], g: TransposeGeometry): [number, number] {
  const { stride: s, padding: p, outputPadding: e, dilation: d } = g;
  const [H, W] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
  const oh = (H - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + e[0] + 1;
  const ow = (W - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + e[1] + 1;
  if (oh < 1 || ow < 1) {
    throw new DlError(
      `${op}: output size ${oh}x${ow} is too small (input shape ${fmt(shape)}, kernel ${kh}x${kw}, stride ${s[0]},${s[1]}, ` +
        `padding ${p[0]},${p[1]}, dilation ${d[0]},${d[1]})`,
    );
  }
  return [oh, ow];
}
