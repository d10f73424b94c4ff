import { zeros, type DType, type Generator, type Tensor } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt, checkPair, type Size2 } from '../checks.js';
import { reprBool } from '../repr.js';
import { convTranspose2dAs, outputPaddingFor, transposeGeometry } from '../functional/convTranspose.js';
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from '../init.js';

/** Options of `ConvTranspose2d`, with PyTorch's defaults: stride 1, padding 0, outputPadding 0, dilation 1, bias true. */
export interface ConvTranspose2dModuleOptions {
  stride?: Size2;
  padding?: Size2;
  /** Extra rows and columns at the bottom and right of the output; smaller than the stride or the dilation. */
  outputPadding?: Size2;
  dilation?: Size2;
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A 2-D transposed convolution over NCHW inputs, as PyTorch's `nn.ConvTranspose2d`: weight
 * [in, out, kH, kW], bias [out]; [N, in, H, W] → [N, out, H', W'] with
 * H' = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1. Computed as matmul + fold
 * (col2im), so autograd differentiates it; initialised as PyTorch (kaiming-uniform, a = √5, whose fan-in
 * is out·kH·kW for this layout; bias uniform in ±1/√(out·kH·kW)).
 * @example
 * const up = new ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 });
 * up.forward(x); // [N, 16, 14, 14] → [N, 8, 28, 28]
 */
export class ConvTranspose2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  /** [inChannels, outChannels, kH, kW]. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: ConvTranspose2dModuleOptions = {}) {
    super();
    this.inChannels = checkInt('ConvTranspose2d', 'inChannels', inChannels, 1);
    this.outChannels = checkInt('ConvTranspose2d', 'outChannels', outChannels, 1);
    this.kernelSize = checkPair('ConvTranspose2d', 'kernelSize', kernelSize, 1);
    const g = transposeGeometry('ConvTranspose2d', options);
    this.stride = g.stride;
    this.padding = g.padding;
    this.outputPadding = g.outputPadding;
    this.dilation = g.dilation;
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([inChannels, outChannels, ...this.kernelSize], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outChannels], { dtype }));
    this.resetParameters(options.generator);
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(calculateFanInAndFanOut(this.weight).fanIn);
      uniform_(this.bias, { a: -bound, b: bound, generator });
    }
  }

  /**
   * x [N, inChannels, H, W] → [N, outChannels, H', W']. With `outputSize` [H', W'] (as PyTorch's
   * `output_size`), the output padding is chosen to reach it instead of taken from the options.
   */
  forward(x: Tensor, outputSize?: Size2): Tensor {
    const g = { stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation };
    if (outputSize !== undefined) g.outputPadding = outputPaddingFor('ConvTranspose2d', x, this.weight, g, outputSize);
    return convTranspose2dAs('ConvTranspose2d', x, this.weight, this.bias, g);
  }

  override extraRepr(): string {
    const pair = (p: readonly number[]) => `(${p[0]}, ${p[1]})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pair(this.kernelSize)}, stride=${pair(this.stride)}`;
    if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pair(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pair(this.dilation)}`;
    if (this.outputPadding[0] !== 0 || this.outputPadding[1] !== 0) s += `, output_padding=${pair(this.outputPadding)}`;
    if (this.bias === null) s += `, bias=${reprBool(false)}`;
    return s;
  }
}
