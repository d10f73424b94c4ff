import { DlError } from '@dl/autograd';
import type { DType, Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { Sequential } from '../containers.js';
import { checkInt, fmt } from '../checks.js';
import { Linear } from './linear.js';
import { Conv2d } from './conv2d.js';
import { MaxPool2d } from './pooling.js';
import { ReLU } from './activation.js';
import { Flatten } from './shape.js';

/** Options of the course models: the dtype of their parameters. */
export interface ModelOptions {
  dtype?: DType;
}

/**
 * The course's two-layer perceptron, as PyTorch's `TorchNet`: `layers` = Linear(in, hidden), ReLU,
 * Linear(hidden, out), so its state dict reads `layers.0.weight`, `layers.2.bias`, ...
 * @example new TorchNet(784, 128, 10).forward(x) // [N, 784] → [N, 10]
 */
export class TorchNet extends Module {
  layers: Sequential;
  constructor(inFeatures: number, hiddenDim: number, outFeatures: number, options: ModelOptions = {}) {
    super();
    const dtype = options.dtype;
    this.layers = new Sequential(
      new Linear(inFeatures, hiddenDim, { dtype }),
      new ReLU(),
      new Linear(hiddenDim, outFeatures, { dtype }),
    );
  }
  /** x [N, inFeatures] → logits [N, outFeatures]. */
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

/** Options of `TorchCNN`: also the side of the square input images (28 for MNIST). */
export interface TorchCNNOptions extends ModelOptions {
  imageSize?: number;
}

/**
 * The course's CNN, as PyTorch's `TorchCNN`: `layers` = two blocks of Conv2d(3x3, padding 1), ReLU,
 * MaxPool2d(2), then Flatten and Linear(hidden·7·7, out) for 28x28 inputs. State-dict keys:
 * `layers.0.*`, `layers.3.*` (convolutions) and `layers.7.*` (the linear layer).
 * @example new TorchCNN(1, 16, 10).forward(images) // [N, 1, 28, 28] → [N, 10]
 */
export class TorchCNN extends Module {
  readonly imageSize: number;
  layers: Sequential;
  constructor(inChannels: number, hiddenChannels: number, outFeatures: number, options: TorchCNNOptions = {}) {
    super();
    const dtype = options.dtype;
    this.imageSize = checkInt('TorchCNN', 'imageSize', options.imageSize ?? 28, 4);
    const side = Math.floor(Math.floor(this.imageSize / 2) / 2);
    this.layers = new Sequential(
      new Conv2d(inChannels, hiddenChannels, 3, { padding: 1, dtype }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(hiddenChannels, hiddenChannels, 3, { padding: 1, dtype }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(hiddenChannels * side * side, outFeatures, { dtype }),
    );
  }
  /** images [N, inChannels, S, S] (S = imageSize) → logits [N, outFeatures]. */
  forward(x: Tensor): Tensor {
    const s = this.imageSize;
    if (x.ndim !== 4 || x.shape[2] !== s || x.shape[3] !== s) {
      throw new DlError(`TorchCNN: expected images of shape [N, C, ${s}, ${s}], got ${fmt(x.shape)}`);
    }
    return this.layers.forward(x);
  }
}
