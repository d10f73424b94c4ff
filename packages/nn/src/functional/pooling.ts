import { div, maxPool2d as poolMax, mean, pad, reshape, squeeze, sum, unfold, unsqueeze, onesLike, type Tensor, DlError } from '@dl/autograd';
import { checkPair, fmt, sizeOrKeepKind as size, type Size2, withoutGrad } from '../checks.js';
import { checks as C } from '@dl/autograd';


/** Options of `maxPool2d`: stride (the kernel size by default), padding 0, dilation 1. */
export interface MaxPool2dOptions {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
}

/** Options of `avgPool2d`: stride (the kernel size by default), padding 0, and whether padding counts in the mean. */
export interface AvgPool2dOptions {
  stride?: Size2;
  padding?: Size2;
  /** Whether zero padding is counted in the average (true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window by this instead of its size. */
  divisorOverride?: number;
}

interface Geometry {
  x4: Tensor;
  batched: boolean;
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  oh: number;
  ow: number;
}

function geometry(layer: string, x: Tensor, kernelSize: Size2, o: { stride?: Size2; padding?: Size2; dilation?: Size2 }): Geometry {
  if (x.ndim !== 3 && x.ndim !== 4) throw new DlError(`${layer}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ${fmt(x.shape)}`);
  const k = checkPair(layer, 'kernelSize', kernelSize, 1);
  const s = checkPair(layer, 'stride', o.stride ?? kernelSize, 1);
  const p = checkPair(layer, 'padding', o.padding ?? 0, 0);
  const d = checkPair(layer, 'dilation', o.dilation ?? 1, 1);
  C.checkPoolPadding(layer, k, p);
  C.checkWindowFits(layer, x.shape, k, p, d);
  const x4 = x.ndim === 3 ? unsqueeze(x, 0) : x;
  const [H, W] = [x4.shape[2]!, x4.shape[3]!];
  const [eh, ew] = [d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1];
  const oh = Math.floor((H + 2 * p[0] - eh) / s[0]) + 1;
  const ow = Math.floor((W + 2 * p[1] - ew) / s[1]) + 1;
  return { x4, batched: x.ndim === 4, k, s, p, d, oh, ow };
}

/** The windows of `x` padded with `value`, as [N, C, kH·kW, L]. */
function windows(g: Geometry, value: number): Tensor {
  const [N, C] = g.x4.shape as [number, number];
  const padded = g.p[0] > 0 || g.p[1] > 0 ? pad(g.x4, [g.p[1], g.p[1], g.p[0], g.p[0]], { value }) : g.x4;
  const cols = unfold(padded, g.k, { stride: g.s, dilation: g.d });
  return reshape(cols, [N, C, g.k[0] * g.k[1], g.oh * g.ow]);
}

function finish(g: Geometry, y: Tensor): Tensor {
  const out = reshape(y, [g.x4.shape[0]!, g.x4.shape[1]!, g.oh, g.ow]);
  return g.batched ? out : squeeze(out, 0);
}

/** @internal `maxPool2d` with errors naming `layer`. */
export function maxPool2dAs(layer: string, x: Tensor, kernelSize: Size2, options: MaxPool2dOptions = {}): Tensor {
  const g = geometry(layer, x, kernelSize, options);
  // autograd's pooling op: max over each window (padding as -Infinity), the gradient to the argmax, as in PyTorch.
  return finish(g, poolMax(g.x4, g.k, { stride: g.s, padding: g.p, dilation: g.d }));
}

/**
 * The largest value of each window, as PyTorch's `F.max_pool2d`, on [N, C, H, W] or [C, H, W];
 * the gradient flows to the position of each maximum. Padding must be at most half the kernel.
 * @example maxPool2d(x, 2) // [N, C, 28, 28] → [N, C, 14, 14]
 */
export const maxPool2d = C.api(C.sig('maxPool2d', ['x', C.tensor], ['kernelSize', size], ['options', C.options({ stride: C.any, padding: C.any, dilation: C.any }, { positional: ['stride', 'padding', 'dilation'] })]), function maxPool2d(x: Tensor, kernelSize: Size2, options: MaxPool2dOptions = {}): Tensor {
  return maxPool2dAs('maxPool2d', x, kernelSize, options);
}) as C.Checked<(x: Tensor, kernelSize: Size2, ...args: [options?: MaxPool2dOptions] | [stride: Size2, padding?: Size2, dilation?: Size2]) => Tensor>;

/** @internal `avgPool2d` with errors naming `layer`. */
export function avgPool2dAs(layer: string, x: Tensor, kernelSize: Size2, options: AvgPool2dOptions = {}): Tensor {
  const g = geometry(layer, x, kernelSize, options);
  const w = windows(g, 0);
  if (options.divisorOverride !== undefined) {
    if (!Number.isInteger(options.divisorOverride) || options.divisorOverride === 0) {
      throw new DlError(`${layer}: divisorOverride must be a non-zero integer, got ${options.divisorOverride}`);
    }
    return finish(g, div(sum(w, { dim: 2 }), options.divisorOverride));
  }
  if (options.countIncludePad ?? true) return finish(g, mean(w, { dim: 2 }));
  // Count the real (unpadded) elements of each window: pool a tensor of ones padded with zeros.
  const counts = withoutGrad(() => sum(windows({ ...g, x4: onesLike(g.x4.detach()) }, 0), { dim: 2 }));
  return finish(g, div(sum(w, { dim: 2 }), counts));
}

/**
 * The mean of each window, as PyTorch's `F.avg_pool2d`, on [N, C, H, W] or [C, H, W]. Zero padding
 * counts in the mean unless `countIncludePad` is false.
 * @example avgPool2d(x, 2) // [N, C, 28, 28] → [N, C, 14, 14]
 */
export const avgPool2d = C.api(C.sig('avgPool2d', ['x', C.tensor], ['kernelSize', size], ['options', C.options({ stride: C.any, padding: C.any, countIncludePad: C.bool, divisorOverride: C.any }, { positional: ['stride', 'padding'] })]), function avgPool2d(x: Tensor, kernelSize: Size2, options: AvgPool2dOptions = {}): Tensor {
  return avgPool2dAs('avgPool2d', x, kernelSize, options);
});
