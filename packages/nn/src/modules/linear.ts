import { zeros, checks as C, type DType, type Generator, type Tensor } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt } from '../checks.js';
import { reprBool } from '../repr.js';
import { linearAs } from '../functional/linear.js';
import { kaimingUniform_, uniform_ } from '../init.js';

/** Options of `Linear`: whether it has a bias (true), the dtype of its parameters, and the generator for init. */
export interface LinearOptions {
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A fully connected layer y = x·Wᵀ + b, as PyTorch's `nn.Linear`: weight [out, in], bias [out],
 * input [..., in] → [..., out]. Initialised as PyTorch: kaiming-uniform weight (a = √5), bias
 * uniform in ±1/√in.
 * @example
 * const fc = new Linear(784, 10);
 * fc.forward(x); // [64, 784] → [64, 10]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures]. */
  weight: Parameter;
  /** [outFeatures], or null without bias. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkInt('Linear', 'inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('Linear', 'outFeatures', outFeatures, 1);
    C.checkNumel('Linear', [outFeatures, inFeatures], 'weight');
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
    this.resetParameters(options.generator);
  }

  /** Re-draws the parameters with PyTorch's default initialisation. */
  resetParameters(generator?: Generator): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias !== null) {
      const bound = 1 / Math.sqrt(this.inFeatures);
      uniform_(this.bias, { a: -bound, b: bound, generator });
    }
  }

  /** x [..., inFeatures] → [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    return linearAs('Linear', x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${reprBool(this.bias !== null)}`;
  }
}
