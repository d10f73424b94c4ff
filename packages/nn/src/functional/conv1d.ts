import { DlError, reshape, squeeze, unsqueeze, type Tensor, checks as C } from '@dl/autograd';
import { checkInt, fmt } from '../checks.js';
import { conv2dAs } from './conv.js';

/** An int or a one-element tuple, as PyTorch's `_size_1_t`. */
export type Size1 = number | readonly [number];

/** Options of `conv1d`, as PyTorch's: stride 1, padding 0 (or `'valid'`, or `'same'` for stride 1), dilation 1. */
export interface Conv1dOptions {
  stride?: Size1;
  padding?: Size1 | 'same' | 'valid';
  dilation?: Size1;
}

/** @internal Turns an int-or-1-tuple argument into a checked number. */
export function checkSize1(layer: string, name: string, value: Size1, min: number): number {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (typeof v !== 'number') throw new DlError(`${layer}: ${name} must be an integer or a 1-tuple, got ${JSON.stringify(value)}`);
  return checkInt(layer, name, v, min);
}

/** @internal `conv1d` with errors naming `layer`. */
export function conv1dAs(layer: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv1dOptions = {}): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) throw new DlError(`${layer}: expected a 2-D [C, L] or 3-D [N, C, L] input, got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 3) throw new DlError(`${layer}: weight must be 3-D [outChannels, inChannels, k], got shape ${fmt(weight.shape)}`);
  const stride = checkSize1(layer, 'stride', options.stride ?? 1, 1);
  const dilation = checkSize1(layer, 'dilation', options.dilation ?? 1, 1);
  const p = options.padding ?? 0;
  const padding = p === 'same' || p === 'valid' ? p : ([0, checkSize1(layer, 'padding', p, 0)] as const);
  // A length-L signal is a 1×L image: the conv2d op does the rest.
  const batched = x.ndim === 3 ? x : unsqueeze(x, 0);
  const [n, c, l] = batched.shape as [number, number, number];
  const w = weight.shape as [number, number, number];
  const y = conv2dAs(layer, reshape(batched, [n, c, 1, l]), reshape(weight, [w[0], w[1], 1, w[2]]), bias, {
    stride: [1, stride], dilation: [1, dilation], padding,
  });
  const out = squeeze(y, 2);
  return x.ndim === 3 ? out : squeeze(out, 0);
}

/**
 * A 1-D convolution (cross-correlation) over [N, C, L] inputs, as PyTorch's `F.conv1d`: weight
 * [out, in, k], bias [out].
 * @example conv1d(x, weight, bias, { padding: 1 })
 */
export const conv1d = C.api(C.sig('conv1d', ['x', C.tensor], ['weight', C.tensor], ['bias', C.optional(C.nullable(C.tensor))], ['options', C.options({ stride: C.any, padding: C.any, dilation: C.any }, { positional: ['stride', 'padding', 'dilation'] })]), function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv1dOptions = {}): Tensor {
  return conv1dAs('conv1d', x, weight, bias, options);
});
