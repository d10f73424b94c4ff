import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
import { defineOp, defineOpWithAux, type Op, type OpWithAux, type PublicOp } from '../op.js';
import { col2im as gpuCol2im, im2col as gpuIm2col, maxPick as gpuMaxPick, maxPool2d as gpuMaxPool2d, maxUnpool2d as gpuMaxUnpool2d } from '../kernels/webgpu/image.js';
import type { GpuArray } from '../kernels/webgpu/context.js';
import { floatsOnGpu } from './webgpu.js';
import { k, type Window2d } from '../kernels/index.js';
import { fmt } from '../shape.js';
import { checkPoolPadding, pair, size2, window, type Size2, type WindowOptions } from './windowGeometry.js';
import { api, sig, type ParamSpec } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';
export type { Size2, WindowOptions } from './windowGeometry.js';

/** The public parameters of `unfold`, `unfoldColumns` and `maxPool2d`: x [N, C, H, W], the kernel size and the window options. */
const windowParams: readonly ParamSpec[] = [['x', K.tensor], ['kernelSize', size2], ['options', opts({ dilation: size2, padding: size2, stride: size2 })]];
/** `call` of `unfold` and `unfoldColumns` (as `op`): a 4-D x, and the window over it as the attributes. */
const unfoldCall = (op: string) => (x: Tensor, kernelSize: Size2, options: WindowOptions = {}): [[x: Tensor], Window2d] => {
  if (x.ndim !== 4) throw new DlError(`${op}: expects a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  return [[x], window(op, x.shape, kernelSize, options)];
};

/**
 * im2col, as PyTorch's `F.unfold`: every sliding `kernelSize` window of x [N, C, H, W] becomes a
 * column of the result [N, C·kh·kw, L], where L is the number of window positions.
 * @example unfold(x, 3, { padding: 1 }) // [N, C*9, H*W]
 */
export const unfold: PublicOp<Window2d, [x: Tensor], [x: Tensor, kernelSize: Size2, options?: WindowOptions]> = defineOp({
  name: 'unfold',
  params: windowParams,
  call: unfoldCall('unfold'),
  saves: 'none',
  forward: ([x], g) => ({ data: k.im2col(x.data, g), shape: [g.N, g.C * g.kh * g.kw, g.oh * g.ow] }),
  webgpu: ([x], g, gpu) => ({ data: gpuIm2col(gpu, floatsOnGpu('unfold', x)[0]!, g), shape: [g.N, g.C * g.kh * g.kw, g.oh * g.ow] }),
  backward: ({ grad, attrs }) => [fold.op([grad], attrs)],
});

/**
 * col2im, as PyTorch's `F.fold`: sums the columns of x [N, C·kh·kw, L] back into images
 * [N, C, ...outputSize]; overlapping windows add up. The adjoint of `unfold`.
 */
export const fold: PublicOp<Window2d, [x: Tensor], [x: Tensor, outputSize: Size2, kernelSize: Size2, options?: WindowOptions]> = defineOp({
  name: 'fold',
  params: [['x', K.tensor], ['outputSize', size2], ['kernelSize', size2], ['options', opts({ dilation: size2, padding: size2, stride: size2 })]],
  call: (x: Tensor, outputSize: Size2, kernelSize: Size2, options: WindowOptions = {}) => {
    if (x.ndim !== 3) throw new DlError(`fold: expects a 3-D input [N, C*kh*kw, L], got shape ${fmt(x.shape)}`);
    const [H, W] = pair('fold', 'outputSize', outputSize, 1);
    const [kh, kw] = pair('fold', 'kernelSize', kernelSize, 1);
    if (x.shape[1]! % (kh * kw) !== 0) {
      throw new DlError(`fold: dim 1 of shape ${fmt(x.shape)} is not divisible by the kernel size ${kh}x${kw}`);
    }
    const g = window('fold', [x.shape[0]!, x.shape[1]! / (kh * kw), H, W], [kh, kw], options);
    if (g.oh * g.ow !== x.shape[2]) {
      throw new DlError(`fold: ${x.shape[2]} columns in shape ${fmt(x.shape)} do not match the ${g.oh}x${g.ow} windows of a ${H}x${W} output`);
    }
    return [[x], g];
  },
  saves: 'none',
  forward: ([cols], g) => ({ data: k.col2im(cols.data, g), shape: [g.N, g.C, g.H, g.W] }),
  webgpu: ([cols], g, gpu) => ({ data: gpuCol2im(gpu, floatsOnGpu('fold', cols)[0]!, g), shape: [g.N, g.C, g.H, g.W] }),
  backward: ({ grad, attrs }) => [unfold.op([grad], attrs)],
});

// The adjoint of unfoldColumns: the batch's columns [C·kh·kw, N·L] (im2col's channel-major layout) summed back into images.
const foldColumnsOp: Op<Window2d, [cols: Tensor]> = defineOp<Window2d, [cols: Tensor]>({
  name: 'foldColumns',
  saves: 'none',
  forward: ([cols], g) => ({ data: k.col2im(cols.data, g, true), shape: [g.N, g.C, g.H, g.W] }),
  backward: ({ grad, attrs }) => [unfoldColumns.op([grad], attrs)],
});

/**
 * im2col for the whole batch as one matrix: x [N, C, H, W] → [C·kh·kw, N·L], column n·L + l holding
 * image n's window l (the same values as `unfold(x)` permuted to [C·kh·kw, N, L]). A convolution is then
 * one product, weight [O, C·kh·kw] · columns, instead of one per image.
 * @example unfoldColumns(x, 3, { padding: 1 }) // [C*9, N*H*W]
 */
export const unfoldColumns: PublicOp<Window2d, [x: Tensor], [x: Tensor, kernelSize: Size2, options?: WindowOptions]> = defineOp({
  name: 'unfoldColumns',
  params: windowParams,
  call: unfoldCall('unfoldColumns'),
  saves: 'none',
  forward: ([x], g) => ({ data: k.im2col(x.data, g, true), shape: [g.C * g.kh * g.kw, g.N * g.oh * g.ow] }),
  backward: ({ grad, attrs }) => [foldColumnsOp([grad], attrs)],
});

/** The positions a max-pooling forward picked (the flat input index of each window's maximum), where it ran. */
type Argmax = Int32Array | GpuArray;

/** A pooling window's geometry and the positions its forward picked: the attributes of the ops its gradient runs. */
interface PoolAttrs {
  g: Window2d;
  argmax: Argmax;
}

/** The argmax on the GPU, from a pooling forward that ran there; `op` names the caller otherwise. */
function gpuArgmaxOf(op: string, a: PoolAttrs): GpuArray {
  if (a.argmax instanceof Int32Array) throw new DlError(op, 'the pooling forward ran on the CPU, so its positions are not on the GPU');
  return a.argmax;
}

/** The argmax on the CPU, from a pooling forward that ran there; `op` names the caller otherwise. */
function cpuArgmaxOf(op: string, a: PoolAttrs): Int32Array {
  if (!(a.argmax instanceof Int32Array)) throw new DlError(op, 'the pooling forward ran on the GPU, so its positions are not on the CPU');
  return a.argmax;
}
// One dedicated op rather than max over unfold's columns: it reads x once and keeps no [N, C, kh·kw, L]
// copy, and its gradient scatters into the image directly instead of through those columns and fold.
// Two outputs: the maxima (differentiable) and their positions (aux), which its gradient ops take as attributes.
const maxPoolOp: OpWithAux<{ g: Window2d }, [x: Tensor], Argmax> = defineOpWithAux<{ g: Window2d }, [x: Tensor], Argmax>({
  name: 'maxPool2d',
  saves: 'none',
  forward: ([x], { g }) => {
    const argmax = new Int32Array(g.N * g.C * g.oh * g.ow);
    return { data: k.maxPool2d(x.data, g, argmax), shape: [g.N, g.C, g.oh, g.ow], aux: argmax };
  },
  webgpu: ([x], { g }, gpu) => {
    const { out, argmax } = gpuMaxPool2d(gpu, floatsOnGpu('maxPool2d', x)[0]!, g);
    return { data: out, shape: [g.N, g.C, g.oh, g.ow], aux: argmax };
  },
  backward: ({ grad, attrs: { g }, aux: argmax }) => [maxUnpoolOp([grad], { g, argmax })],
});
// The gradient of maxPool2d and its adjoint (picking the value at each maximum): each other's backward.
const maxUnpoolOp: Op<PoolAttrs, [grad: Tensor]> = defineOp<PoolAttrs, [grad: Tensor]>({
  name: 'maxPool2dBackward',
  saves: 'none',
  forward: ([grad], attrs) => ({ data: k.maxUnpool2d(grad.data, cpuArgmaxOf('maxPool2dBackward', attrs), attrs.g), shape: [attrs.g.N, attrs.g.C, attrs.g.H, attrs.g.W] }),
  webgpu: ([grad], attrs, gpu) => ({ data: gpuMaxUnpool2d(gpu, floatsOnGpu('maxPool2d', grad)[0]!, gpuArgmaxOf('maxPool2dBackward', attrs), attrs.g), shape: [attrs.g.N, attrs.g.C, attrs.g.H, attrs.g.W] }),
  backward: ({ grad, attrs }) => [maxPickOp([grad], attrs)],
});
const maxPickOp: Op<PoolAttrs, [x: Tensor]> = defineOp<PoolAttrs, [x: Tensor]>({
  name: 'maxPool2dPick',
  saves: 'none',
  forward: ([x], attrs) => ({ data: k.maxPool2dPick(x.data, cpuArgmaxOf('maxPool2dPick', attrs), attrs.g), shape: [attrs.g.N, attrs.g.C, attrs.g.oh, attrs.g.ow] }),
  webgpu: ([x], attrs, gpu) => ({ data: gpuMaxPick(gpu, floatsOnGpu('maxPool2d', x)[0]!, gpuArgmaxOf('maxPool2dPick', attrs)), shape: [attrs.g.N, attrs.g.C, attrs.g.oh, attrs.g.ow] }),
  backward: ({ grad, attrs }) => [maxUnpoolOp([grad], attrs)],
});

/**
 * Max pooling, as PyTorch's `F.max_pool2d`: the largest value of each `kernelSize` window of
 * x [N, C, H, W] → [N, C, oh, ow]. The stride defaults to the kernel size; padding counts as −∞ and
 * may be at most half the kernel. The first maximum of a window (row by row, from its first tap inside
 * the image) gets its gradient, and a NaN beats numbers (the last NaN wins), as in PyTorch's CPU kernel.
 * @example maxPool2d(x, 2) // [N, C, 28, 28] → [N, C, 14, 14]
 */
export const maxPool2d = api(sig('maxPool2d', ...windowParams), function maxPool2d(x: Tensor, kernelSize: Size2, options: WindowOptions = {}): Tensor {
  if (x.ndim !== 4) throw new DlError(`maxPool2d: expects a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  const g = window('maxPool2d', x.shape, kernelSize, { ...options, stride: options.stride ?? kernelSize });
  checkPoolPadding('maxPool2d', [g.kh, g.kw], [g.ph, g.pw]);
  return maxPoolOp([x], { g }).output;
});
