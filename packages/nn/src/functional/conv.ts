import { conv2d as convolve, pad, type Tensor, DlError } from '@dl/autograd';
import { checkPair, fmt, type Size2 } from '../checks.js';
import { checks as C } from '@dl/autograd';

/** Options of `conv2d`, as PyTorch's: stride 1, padding 0 (or `'valid'`, or `'same'` for stride 1), dilation 1. */
export interface Conv2dOptions {
  stride?: Size2;
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
}

/** @internal `conv2d` with errors naming `layer`. */
export function conv2dAs(layer: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions = {}): Tensor {
  if (x.ndim !== 4) throw new DlError(`${layer}: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 4) throw new DlError(`${layer}: weight must be 4-D [outChannels, inChannels, kH, kW], got shape ${fmt(weight.shape)}`);
  const channels = x.shape[1]!;
  const [O, wc, kh, kw] = weight.shape as [number, number, number, number];
  if (channels !== wc) throw new DlError(`${layer}: expected input with ${wc} channels (dim 1), got shape ${fmt(x.shape)}`);
  if (x.dtype !== weight.dtype) {
    throw new DlError(`${layer}: input dtype ${x.dtype} does not match the weight's ${weight.dtype}; convert one (x.to('${weight.dtype}') or model.to('${x.dtype}'))`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new DlError(`${layer}: bias must have shape [${O}], got ${fmt(bias.shape)}`);
  const [sh, sw] = checkPair(layer, 'stride', options.stride ?? 1, 1);
  const [dh, dw] = checkPair(layer, 'dilation', options.dilation ?? 1, 1);
  const eh = dh * (kh - 1) + 1;
  const ew = dw * (kw - 1) + 1;
  let input = x;
  let ph: number;
  let pw: number;
  const padding = options.padding ?? 0;
  if (padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new DlError(`${layer}: padding 'same' needs stride 1, got stride ${sh},${sw}`);
    // An even extent pads one more at the end, as PyTorch does.
    const [th, tw] = [eh - 1, ew - 1];
    [ph, pw] = [Math.floor(th / 2), Math.floor(tw / 2)];
    if (th % 2 !== 0 || tw % 2 !== 0) {
      input = pad(x, [pw, tw - pw, ph, th - ph]);
      [ph, pw] = [0, 0];
    }
  } else if (padding === 'valid') {
    [ph, pw] = [0, 0];
  } else {
    [ph, pw] = checkPair(layer, 'padding', padding, 0);
  }
  C.checkWindowFits(layer, input.shape, [kh, kw], [ph, pw], [dh, dw]);
  // autograd's conv2d op: its kernels keep the [N, C·kh·kw, L] columns out of the tape (and, on the wasm
  // backend, inside wasm memory next to the product).
  return convolve(input, weight, bias, { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw] });
}

/**
 * 2-D cross-correlation over NCHW, as PyTorch's `F.conv2d`: x [N, C, H, W], weight [O, C, kH, kW],
 * bias [O] → [N, O, H', W'] with H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1.
 * Runs @dl/autograd's `conv2d` op (its gradients are the transposed convolutions), after 'same' padding.
 * @example conv2d(x, weight, bias, { padding: 1 }) // 3x3 kernel keeps H and W
 */
export const conv2d = C.api(C.sig('conv2d', ['x', C.tensor], ['weight', C.tensor], ['bias', C.optional(C.nullable(C.tensor))], ['options', C.options({ stride: C.any, padding: C.any, dilation: C.any }, { positional: ['stride', 'padding', 'dilation'] })]), function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  return conv2dAs('conv2d', x, weight, bias, options);
}) as C.Checked<(x: Tensor, weight: Tensor, bias?: Tensor | null, ...args: [options?: Conv2dOptions] | [stride: Size2, padding?: Conv2dOptions['padding'], dilation?: Size2]) => Tensor>;
