import { gelu, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh, type Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { reprFloat } from '../repr.js';

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
    if (!Number.isFinite(this.negativeSlope)) throw new Error(`LeakyReLU: negativeSlope must be a finite number, got ${this.negativeSlope}`);
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
      throw new Error(`GELU: approximate must be 'none' or 'tanh', got '${String(this.approximate)}'`);
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
  if (!Number.isInteger(dim)) throw new Error(`${layer}: dim must be an integer, got ${String(dim)}`);
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
