import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
import { defineOp, type Op, type PublicOp } from '../op.js';
import { k, type Window2d } from '../kernels/index.js';
import { fmt } from '../shape.js';
import { api, sig, type Checked } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';
import { fold, unfold } from './image.js';
import { checkOutputPadding, pair, size2, transposeOutputSize, window, type Size2, type WindowOptions } from './windowGeometry.js';
import { add } from './elementwise.js';
import { matmul } from './linalg.js';
import { pad, reshape, transpose } from './movement.js';
import { sum } from './reduce.js';

// 2-D convolution as three ops, each the others' gradient: the forward y = conv(x, w), the input's
// gradient dx = convInput(dy, w) and the weight's dw = convWeight(x, dy). All three are bilinear, so
// each backward is written with the other two and higher-order gradients come for free. On the CPU they
// run the backend's fused kernels (the wasm backend keeps im2col and col2im inside wasm memory, next to
// the product); on the GPU they are unfold, matmul and fold.

/** A convolution's window over the input and its number of output channels. */
interface ConvAttrs {
  g: Window2d;
  O: number;
}

const rowsOf = ({ g }: ConvAttrs) => g.C * g.kh * g.kw;
const windowOf = ({ g }: ConvAttrs): WindowOptions => ({ stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] });

// y [N, O, oh, ow] from x [N, C, H, W], w [O, C, kh, kw] and, when given, the bias [O] (added in the
// kernel, which starts each output row from it).

// dx [N, C, H, W] from dy [N, O, oh, ow] and w: the adjoint of conv in x.
const convInputOp: Op<ConvAttrs, [dy: Tensor, w: Tensor]> = defineOp<ConvAttrs, [dy: Tensor, w: Tensor]>({
  name: 'conv2dInput',
  saves: 'inputs',
  forward: ([dy, w], a) => ({ data: k.conv2dInput(dy.data, w.data, a.g, a.O), shape: [a.g.N, a.g.C, a.g.H, a.g.W] }),
  webgpu: ([dy, w], a) => {
    const cols = matmul(transpose(reshape(w, [a.O, rowsOf(a)]), 0, 1), reshape(dy, [a.g.N, a.O, a.g.oh * a.g.ow]));
    return fold(cols, [a.g.H, a.g.W], [a.g.kh, a.g.kw], windowOf(a));
  },
  backward: ({ grad, inputs: [dy, w], attrs, needsInputGrad: [gdy, gw] }) => [
    gdy ? conv2d.op([grad, w], attrs) : null,
    gw ? convWeightOp([grad, dy], attrs) : null,
  ],
});

// dw [O, C, kh, kw] from x and dy: the adjoint of conv in w, summed over the batch.
const convWeightOp: Op<ConvAttrs, [x: Tensor, dy: Tensor]> = defineOp<ConvAttrs, [x: Tensor, dy: Tensor]>({
  name: 'conv2dWeight',
  saves: 'inputs',
  forward: ([x, dy], a) => ({ data: k.conv2dWeight(x.data, dy.data, a.g, a.O), shape: [a.O, a.g.C, a.g.kh, a.g.kw] }),
  webgpu: ([x, dy], a) => {
    const cols = unfold(x, [a.g.kh, a.g.kw], windowOf(a));
    const perImage = matmul(reshape(dy, [a.g.N, a.O, a.g.oh * a.g.ow]), transpose(cols, 1, 2));
    return reshape(sum(perImage, { dim: 0 }), [a.O, a.g.C, a.g.kh, a.g.kw]);
  },
  backward: ({ grad, inputs: [x, dy], attrs, needsInputGrad: [gx, gdy] }) => [
    gx ? convInputOp([dy, grad], attrs) : null,
    gdy ? conv2d.op([x, grad], attrs) : null,
  ],
});

/** Options of `conv2d`, as PyTorch's `torch.conv2d`: stride 1, padding 0, dilation 1. */
export interface ConvOptions {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
}

/** `conv2d`'s calling forms: options, or PyTorch's positional `(stride, padding?, dilation?)` after the bias. */
export type ConvArgs = [x: Tensor, weight: Tensor, bias?: Tensor | null, ...args: [options?: ConvOptions] | [stride: Size2, padding?: Size2, dilation?: Size2]];

/**
 * 2-D cross-correlation over NCHW, as PyTorch's `torch.conv2d`: x [N, C, H, W], weight [O, C, kH, kW]
 * and an optional bias [O] → [N, O, H', W'], H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 * One op with its own gradients (not unfold and matmul), so no [N, C·kH·kW, H'·W'] columns are kept.
 * `@dl/nn`'s `F.conv2d` adds `padding: 'same'` and layer-named errors on top.
 * @example conv2d(x, weight, bias, { padding: 1 }) // a 3x3 kernel keeps H and W
 */
export const conv2d = defineOp({
  name: 'conv2d',
  params: [['x', K.tensor], ['weight', K.tensor], ['bias', K.optional(K.nullable(K.tensor))], ['options', opts({ stride: size2, padding: size2, dilation: size2 }, { positional: ['stride', 'padding', 'dilation'] })]],
  call: (x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvOptions = {}) => {
    if (x.ndim !== 4) throw new DlError(`conv2d: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
    if (weight.ndim !== 4) throw new DlError(`conv2d: weight must be 4-D [outChannels, inChannels, kH, kW], got shape ${fmt(weight.shape)}`);
    const [O, C, kh, kw] = weight.shape as [number, number, number, number];
    if (x.shape[1] !== C) throw new DlError(`conv2d: expected input with ${C} channels (dim 1) for weight ${fmt(weight.shape)}, got shape ${fmt(x.shape)}`);
    if (x.dtype !== weight.dtype) throw new DlError(`conv2d: input dtype ${x.dtype} does not match the weight's ${weight.dtype}`);
    if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new DlError(`conv2d: bias must have shape [${O}], got ${fmt(bias.shape)}`);
    if (bias !== null && bias.dtype !== x.dtype) throw new DlError(`conv2d: bias dtype ${bias.dtype} does not match the input's ${x.dtype}`);
    return [bias === null ? [x, weight] : [x, weight, bias], { g: window('conv2d', x.shape, [kh, kw], options), O }];
  },
  saves: 'inputs',
  forward: ([x, w, b], a) => ({ data: k.conv2d(x.data, w.data, b === undefined ? null : b.data, a.g, a.O), shape: [a.g.N, a.O, a.g.oh, a.g.ow] }),
  webgpu: ([x, w, b], a) => {
    const y = reshape(matmul(reshape(w, [a.O, rowsOf(a)]), unfold(x, [a.g.kh, a.g.kw], windowOf(a))), [a.g.N, a.O, a.g.oh, a.g.ow]);
    return b === undefined ? y : add(y, reshape(b, [a.O, 1, 1]));
  },
  backward: ({ grad, inputs: [x, w, b], attrs, needsInputGrad: [gx, gw, gb] }) => [
    gx ? convInputOp([grad, w], attrs) : null,
    gw ? convWeightOp([x, grad], attrs) : null,
    b !== undefined && gb ? sum(grad, { dim: [0, 2, 3] }) : null,
  ],
}) as PublicOp<ConvAttrs, [x: Tensor, w: Tensor, bias?: Tensor], ConvArgs>;

/** Options of `convTranspose2d`, as PyTorch's `torch.conv_transpose2d`: stride 1, padding 0, outputPadding 0, dilation 1. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Added to one side (bottom, right) of the output; smaller than the stride or the dilation in each dim. */
  outputPadding?: Size2;
  /** Only 1: grouped transposed convolutions are not supported. */
  groups?: number;
}

/**
 * 2-D transposed convolution over NCHW, as PyTorch's `torch.conv_transpose2d`: the gradient of `conv2d`
 * with respect to its input. x [N, C, H, W], weight [C, O, kH, kW] and an optional bias [O] →
 * [N, O, H', W'], H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. It runs
 * conv2d's input-gradient op (on the wasm backend, col2im inside wasm memory), so its gradients are
 * conv2d's own ops and no columns are kept. `@dl/nn`'s `F.convTranspose2d` and `ConvTranspose2d` run it.
 * @example convTranspose2d(x, weight, bias, { stride: 2, padding: 1, outputPadding: 1 }) // a 3x3 kernel doubles H and W
 */
export const convTranspose2d = api(sig('convTranspose2d', ['x', K.tensor], ['weight', K.tensor], ['bias', K.optional(K.nullable(K.tensor))], ['options', opts({ stride: size2, padding: size2, outputPadding: size2, groups: K.int({ min: 1 }), dilation: size2 }, { positional: ['stride', 'padding', 'outputPadding', 'groups', 'dilation'] })]), function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose2d';
  if (options.groups !== undefined && options.groups !== 1) throw new DlError(`${op}: groups must be 1 (grouped transposed convolution is not supported), got ${options.groups}`);
  if (x.ndim !== 4) throw new DlError(`${op}: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 4) throw new DlError(`${op}: weight must be 4-D [inChannels, outChannels, kH, kW], got shape ${fmt(weight.shape)}`);
  const [N, C] = x.shape as [number, number];
  const [wc, O, kh, kw] = weight.shape as [number, number, number, number];
  if (C !== wc) throw new DlError(`${op}: expected input with ${wc} channels (dim 1) for weight ${fmt(weight.shape)}, got shape ${fmt(x.shape)}`);
  if (x.dtype !== weight.dtype) throw new DlError(`${op}: input dtype ${x.dtype} does not match the weight's ${weight.dtype}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new DlError(`${op}: bias must have shape [${O}], got ${fmt(bias.shape)}`);
  if (bias !== null && bias.dtype !== x.dtype) throw new DlError(`${op}: bias dtype ${bias.dtype} does not match the input's ${x.dtype}`);
  const s = pair(op, 'stride', options.stride ?? 1, 1);
  const p = pair(op, 'padding', options.padding ?? 0, 0);
  const extra = pair(op, 'outputPadding', options.outputPadding ?? 0, 0);
  const d = pair(op, 'dilation', options.dilation ?? 1, 1);
  const geometry = { stride: s, padding: p, outputPadding: extra, dilation: d };
  checkOutputPadding(op, geometry);
  const [oh, ow] = transposeOutputSize(op, x.shape, [kh, kw], geometry);
  // The output is the image of a conv2d with this window, whose output is x: ⌊outputPadding/stride⌋ more
  // positions at the end when the output padding reaches past a stride (possible with dilation), zeros.
  const [eh, ew] = [Math.floor(extra[0] / s[0]), Math.floor(extra[1] / s[1])];
  const g = window(op, [N, O, oh, ow], [kh, kw], { stride: s, padding: p, dilation: d });
  const dy = eh > 0 || ew > 0 ? pad(x, [0, ew, 0, eh]) : x;
  const y = convInputOp([dy, weight], { g, O: C });
  return bias === null ? y : add(y, reshape(bias, [O, 1, 1]));
}) as Checked<(x: Tensor, weight: Tensor, bias?: Tensor | null, ...args: [options?: ConvTransposeOptions] | [stride: Size2, padding?: Size2, outputPadding?: Size2, groups?: number, dilation?: Size2]) => Tensor>;
