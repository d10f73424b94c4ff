import { convTranspose2d as autogradConvTranspose2d, type Tensor, DlError } from '@dl/autograd';
import { checkPair, fmt, type Size2 } from '../checks.js';
import { checks as C } from '@dl/autograd';

/** Options of `convTranspose2d`, as PyTorch's: stride 1, padding 0, outputPadding 0, dilation 1, groups 1. */
export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** Removed from each side of the output: `dilation·(k − 1) − padding` of implicit padding, as in PyTorch. */
  padding?: Size2;
  /** Added to one side (bottom, right) of the output; smaller than the stride or the dilation. */
  outputPadding?: Size2;
  dilation?: Size2;
  /** Only 1: grouped transposed convolutions are not supported. */
  groups?: number;
}

const pairText = (p: readonly number[]): string => `(${p[0]}, ${p[1]})`;

/** The checked geometry of a transposed convolution: stride, padding, output padding, dilation. */
export interface TransposeGeometry {
  stride: [number, number];
  padding: [number, number];
  outputPadding: [number, number];
  dilation: [number, number];
}

/** @internal Checks the settings, including PyTorch's rule that outputPadding < stride or < dilation in each dim. */
export function transposeGeometry(layer: string, options: ConvTranspose2dOptions): TransposeGeometry {
  const g: TransposeGeometry = {
    stride: checkPair(layer, 'stride', options.stride ?? 1, 1),
    padding: checkPair(layer, 'padding', options.padding ?? 0, 0),
    outputPadding: checkPair(layer, 'outputPadding', options.outputPadding ?? 0, 0),
    dilation: checkPair(layer, 'dilation', options.dilation ?? 1, 1),
  };
  C.checkOutputPadding(layer, g);
  return g;
}

/** The output size of one spatial dim: (n − 1)·s − 2p + d·(k − 1) + outputPadding + 1. */
function outSize(n: number, k: number, s: number, p: number, op: number, d: number): number {
  return (n - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

/**
 * @internal The output padding that makes a `layer` of weight [in, out, kH, kW] give an output of
 * `outputSize` [H, W] from x, as PyTorch's `ConvTranspose2d.forward(input, output_size)`: each size must
 * lie between the smallest output and that plus stride − 1.
 */
export function outputPaddingFor(layer: string, x: Tensor, weight: Tensor, g: TransposeGeometry, outputSize: Size2): [number, number] {
  const size = checkPair(layer, 'outputSize', outputSize, 1);
  if (x.ndim !== 4) throw new DlError(`${layer}: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  return [0, 1].map((i) => {
    const least = outSize(x.shape[2 + i]!, weight.shape[2 + i]!, g.stride[i]!, g.padding[i]!, 0, g.dilation[i]!);
    const most = least + g.stride[i]! - 1;
    if (size[i]! < least || size[i]! > most) {
      throw new DlError(
        `${layer}: requested outputSize ${pairText(size)} is not reachable from input shape ${fmt(x.shape)}: ` +
          `dim ${2 + i} must lie in [${least}, ${most}]`,
      );
    }
    return size[i]! - least;
  }) as [number, number];
}

/** @internal `convTranspose2d` with errors naming `layer`. */
export function convTranspose2dAs(layer: string, x: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  if (options.groups !== undefined && options.groups !== 1) {
    throw new DlError(`${layer}: groups must be 1 (grouped transposed convolution is not supported), got ${String(options.groups)}`);
  }
  if (x.ndim !== 4) throw new DlError(`${layer}: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
  if (weight.ndim !== 4) throw new DlError(`${layer}: weight must be 4-D [inChannels, outChannels, kH, kW], got shape ${fmt(weight.shape)}`);
  const channels = x.shape[1]!;
  const [wc, O, kh, kw] = weight.shape as [number, number, number, number];
  if (channels !== wc) {
    throw new DlError(`${layer}: input has ${channels} channels, expected inChannels ${wc} (input shape ${fmt(x.shape)}, weight shape ${fmt(weight.shape)})`);
  }
  if (x.dtype !== weight.dtype) {
    throw new DlError(`${layer}: input dtype ${x.dtype} does not match the weight's ${weight.dtype}; convert one (x.to('${weight.dtype}') or model.to('${x.dtype}'))`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== O)) throw new DlError(`${layer}: bias must have shape [${O}], got ${fmt(bias.shape)}`);
  const g = transposeGeometry(layer, options);
  C.transposeOutputSize(layer, x.shape, [kh, kw], g);
  // autograd's op: conv2d's input gradient, so no [N, O·kH·kW, H·W] columns are kept on the tape.
  return autogradConvTranspose2d(x, weight, bias, g);
}

/**
 * 2-D transposed convolution over NCHW, as PyTorch's `F.conv_transpose2d` (the gradient of `conv2d`
 * w.r.t. its input): x [N, C, H, W], weight [C, O, kH, kW], bias [O] → [N, O, H', W'] with
 * H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. Runs `@dl/autograd`'s
 * `convTranspose2d` op (conv2d's input gradient), whose gradients of any order are conv2d's ops.
 * @example convTranspose2d(x, weight, bias, { stride: 2, padding: 1, outputPadding: 1 }) // 3x3 kernel doubles H and W
 */
export const convTranspose2d = C.api(C.sig('convTranspose2d', ['x', C.tensor], ['weight', C.tensor], ['bias', C.optional(C.nullable(C.tensor))], ['options', C.options({ stride: C.any, padding: C.any, outputPadding: C.any, dilation: C.any, groups: C.any }, { positional: ['stride', 'padding', 'outputPadding', 'groups', 'dilation'] })]), function convTranspose2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: ConvTranspose2dOptions = {}): Tensor {
  return convTranspose2dAs('convTranspose2d', x, weight, bias, options);
});
