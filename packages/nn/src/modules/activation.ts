import { gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh, type Tensor, DlError } from '@dl/autograd';
import { Module } from '../module.js';
import { reprFloat } from '../repr.js';
import { eluAlpha, eluAs, hardtanhAs, hardtanhBounds, mish, relu6, silu, softplusAs, softplusSettings, type EluOptions, type HardtanhOptions, type SoftplusOptions } from '../functional/activation.js';

/** max(x, 0) elementwise, as PyTorch's `nn.ReLU`. @example new ReLU().forward(x) */
export class ReLU extends Module {
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** 1 / (1 + e⁻ˣ) elementwise, as PyTorch's `nn.Sigmoid`. */
export class Sigmoid extends Module {
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh elementwise, as PyTorch's `nn.Tanh`. */
export class Tanh extends Module {
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x for x > 0, else negativeSlope·x (0.01 by default), as PyTorch's `nn.LeakyReLU`. @example new LeakyReLU({ negativeSlope: 0.2 }) */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(options: { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = options.negativeSlope ?? 0.01;
    if (!Number.isFinite(this.negativeSlope)) throw new DlError(`LeakyReLU: negativeSlope must be a finite number, got ${this.negativeSlope}`);
  }
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return leakyRelu(x, { negativeSlope: this.negativeSlope });
  }
  override extraRepr(): string {
    return `negative_slope=${reprFloat(this.negativeSlope)}`;
  }
}

/** x·Φ(x), exact (`'none'`, the default) or with the tanh approximation, as PyTorch's `nn.GELU`. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';
  constructor(options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = options.approximate ?? 'none';
    if (this.approximate !== 'none' && this.approximate !== 'tanh') {
      throw new DlError(`GELU: approximate must be 'none' or 'tanh', got '${String(this.approximate)}'`);
    }
  }
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

function checkDim(layer: string, dim: number): number {
  if (!Number.isInteger(dim)) throw new DlError(`${layer}: dim must be an integer, got ${String(dim)}`);
  return dim;
}

/** exp(x) / Σ exp(x) along `dim`, as PyTorch's `nn.Softmax(dim)`. @example new Softmax(1).forward(logits) */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkDim('Softmax', dim);
  }
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** log(softmax(x)) along `dim`, computed stably, as PyTorch's `nn.LogSoftmax(dim)`. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkDim('LogSoftmax', dim);
  }
  /** Applies the function elementwise (along `dim` for the softmaxes); the output has x's shape. */
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** x·σ(x), as PyTorch's `nn.SiLU`. @example new SiLU().forward(x) */
export class SiLU extends Module {
  /** Applies the function elementwise; the output has x's shape. */
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** log(1 + e^(βx)) / β, linear above `threshold`, as PyTorch's `nn.Softplus`. @example new Softplus({ beta: 2 }) */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;
  constructor(options: SoftplusOptions = {}) {
    super();
    ({ beta: this.beta, threshold: this.threshold } = softplusSettings('Softplus', options));
  }
  /** Applies the function elementwise; the output has x's shape. */
  forward(x: Tensor): Tensor {
    return softplusAs('Softplus', x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${reprFloat(this.beta)}, threshold=${reprFloat(this.threshold)}`;
  }
}

/** x for x > 0, else α·(eˣ − 1), as PyTorch's `nn.ELU`. @example new ELU({ alpha: 0.5 }) */
export class ELU extends Module {
  readonly alpha: number;
  constructor(options: EluOptions = {}) {
    super();
    this.alpha = eluAlpha('ELU', options);
  }
  /** Applies the function elementwise; the output has x's shape. */
  forward(x: Tensor): Tensor {
    return eluAs('ELU', x, { alpha: this.alpha });
  }
  override extraRepr(): string {
    return `alpha=${reprFloat(this.alpha)}`;
  }
}

/** x limited to [minVal, maxVal] (−1 and 1 by default), as PyTorch's `nn.Hardtanh`. */
export class Hardtanh extends Module {
  readonly minVal: number;
  readonly maxVal: number;
  constructor(options: HardtanhOptions = {}) {
    super();
    ({ minVal: this.minVal, maxVal: this.maxVal } = hardtanhBounds('Hardtanh', options));
  }
  /** Applies the function elementwise; the output has x's shape. */
  forward(x: Tensor): Tensor {
    return hardtanhAs('Hardtanh', x, { minVal: this.minVal, maxVal: this.maxVal });
  }
  override extraRepr(): string {
    return `min_val=${reprFloat(this.minVal)}, max_val=${reprFloat(this.maxVal)}`;
  }
}

/** min(max(x, 0), 6), as PyTorch's `nn.ReLU6`. */
export class ReLU6 extends Module {
  /** Applies the function elementwise; the output has x's shape. */
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

/** x·tanh(softplus(x)), as PyTorch's `nn.Mish`. */
export class Mish extends Module {
  /** Applies the function elementwise; the output has x's shape. */
  forward(x: Tensor): Tensor {
    return mish(x);
  }
}
