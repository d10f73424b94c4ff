import { DlError, zeros, type DType, type Generator, type Tensor } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt } from '../checks.js';
import { reprBool } from '../repr.js';
import { checkSize1, conv1dAs, type Size1 } from '../functional/conv1d.js';
import { kaimingUniform_, uniform_ } from '../init.js';

/** Options of `Conv1d`, with PyTorch's defaults: stride 1, padding 0, dilation 1, bias true. */
export interface Conv1dModuleOptions {
  stride?: Size1;
  padding?: Size1 | 'same' | 'valid';
  dilation?: Size1;
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A 1-D convolution over [N, C, L] inputs, as PyTorch's `nn.Conv1d`: weight [out, in, k], bias [out];
 * computed by the 2-D machinery on 1×L images; initialised as PyTorch (kaiming-uniform, a = √5).
 * @example new Conv1d(16, 32, 3, { padding: 1 }).forward(x) // [N, 16, L] → [N, 32, L]
 */
export class Conv1d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly dilation: number;
  /** [outChannels, inChannels, k]. */
  weight: Parameter;
  /** [outChannels], or null without bias. */
  bias: Parameter | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Size1, options: Conv1dModuleOptions = {}) {
    super();
    this.inChannels = checkInt('Conv1d', 'inChannels', inChannels, 1);
    this.outChannels = checkInt('Conv1d', 'outChannels', outChannels, 1);
    this.kernelSize = checkSize1('Conv1d', 'kernelSize', kernelSize, 1);
    this.stride = checkSize1('Conv1d', 'stride', options.stride ?? 1, 1);
    this.dilation = checkSize1('Conv1d', 'dilation', options.dilation ?? 1, 1);
    const padding = options.padding ?? 0;
    if (padding === 'same' && this.stride !== 1) throw new DlError(`Conv1d: padding 'same' needs stride 1, got stride ${this.stride}`);
    this.padding = padding === 'same' || padding === 'valid' ? padding : checkSize1('Conv1d', 'padding', padding, 0);
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([this.outChannels, this.inChannels, this.kernelSize], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([this.outChannels], { dtype }));
    this.resetParameters(options.generator);
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(this.inChannels * this.kernelSize);
      uniform_(this.bias, { a: -bound, b: bound, generator });
    }
  }

  /** x [N, inChannels, L] (or [inChannels, L]) → [N, outChannels, L']. */
  forward(x: Tensor): Tensor {
    return conv1dAs('Conv1d', x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize},), stride=(${this.stride},)`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding !== 0) s += `, padding=(${this.padding},)`;
    if (this.dilation !== 1) s += `, dilation=(${this.dilation},)`;
    if (this.bias === null) s += `, bias=${reprBool(false)}`;
    return s;
  }
}
