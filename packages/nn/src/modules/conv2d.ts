import { zeros, type DType, type Generator, type Tensor, DlError } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt, checkPair, type Size2 } from '../checks.js';
import { reprBool } from '../repr.js';
import { conv2dAs } from '../functional/conv.js';
import { kaimingUniform_, uniform_ } from '../init.js';

/** Options of `Conv2d`, with PyTorch's defaults: stride 1, padding 0, dilation 1, bias true. */
export interface Conv2dModuleOptions {
  stride?: Size2;
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A 2-D convolution over NCHW inputs, as PyTorch's `nn.Conv2d`: weight [out, in, kH, kW], bias
 * [out]; [N, in, H, W] → [N, out, H', W']. Computed as unfold + matmul, so autograd differentiates
 * it; initialised as PyTorch (kaiming-uniform, a = √5; bias uniform in ±1/√(in·kH·kW)).
 * @example
 * const conv = new Conv2d(1, 16, 3, { padding: 1 });
 * conv.forward(x); // [64, 1, 28, 28] → [64, 16, 28, 28]
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  /** [outChannels, inChannels, kH, kW]. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dModuleOptions = {}) {
    super();
    this.inChannels = checkInt('Conv2d', 'inChannels', inChannels, 1);
    this.outChannels = checkInt('Conv2d', 'outChannels', outChannels, 1);
    this.kernelSize = checkPair('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = checkPair('Conv2d', 'stride', options.stride ?? 1, 1);
    this.dilation = checkPair('Conv2d', 'dilation', options.dilation ?? 1, 1);
    const padding = options.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
        throw new DlError(`Conv2d: padding 'same' needs stride 1, got stride ${this.stride.join(',')}`);
      }
      this.padding = padding;
    } else {
      this.padding = checkPair('Conv2d', 'padding', padding, 0);
    }
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([outChannels, inChannels, ...this.kernelSize], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outChannels], { dtype }));
    this.resetParameters(options.generator);
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(this.inChannels * this.kernelSize[0] * this.kernelSize[1]);
      uniform_(this.bias, { a: -bound, b: bound, generator });
    }
  }

  /** x [N, inChannels, H, W] → [N, outChannels, H', W']. */
  forward(x: Tensor): Tensor {
    return conv2dAs('Conv2d', x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    const pair = (p: readonly number[]) => `(${p[0]}, ${p[1]})`;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pair(this.kernelSize)}, stride=${pair(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pair(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pair(this.dilation)}`;
    if (this.bias === null) s += `, bias=${reprBool(false)}`;
    return s;
  }
}
