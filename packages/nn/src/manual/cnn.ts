import { DlError } from '@dl/autograd';
import { Net } from './net.js';
import { Conv2d } from './conv2d.js';
import { ReLU } from './relu.js';
import { MaxPool2d } from './maxPool2d.js';
import { Flatten } from './flatten.js';
import { Linear, type ManualLayerOptions } from './linear.js';
import { checkInt, fmt } from './layer.js';
import type { Tensor } from '@dl/autograd';

/** Options of the manual `CNN`. */
export interface CNNOptions extends ManualLayerOptions {
  /** The height and width of the square input images (28 by default, for MNIST). */
  imageSize?: number;
}

/**
 * The course's CNN from hand-written layers, the manual twin of `TorchCNN`: two blocks of
 * Conv2d 3x3 (padding 1), ReLU and MaxPool2d 2, then Flatten and Linear. Input [N, C, S, S]
 * (S = `imageSize`, 28 by default), output [N, outFeatures].
 * @example
 * const cnn = new manual.CNN(1, 8, 10);
 * const logits = cnn.forward(images); cnn.backward(dLogits); cnn.optimizerStep(0.01);
 */
export class CNN extends Net {
  /** The side of the square input images. */
  readonly imageSize: number;

  constructor(
    readonly inChannels: number,
    readonly hiddenChannels: number,
    readonly outFeatures: number,
    options: CNNOptions = {},
  ) {
    const size = checkInt('CNN', 'imageSize', options.imageSize ?? 28, 4);
    checkInt('CNN', 'inChannels', inChannels, 1);
    checkInt('CNN', 'hiddenChannels', hiddenChannels, 1);
    checkInt('CNN', 'outFeatures', outFeatures, 1);
    const pooled = Math.floor(Math.floor(size / 2) / 2);
    super([
      new Conv2d(inChannels, hiddenChannels, 3, 1, 1, options),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d(hiddenChannels, hiddenChannels, 3, 1, 1, options),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(hiddenChannels * pooled * pooled, outFeatures, options),
    ]);
    this.imageSize = size;
  }

  /** images [N, inChannels, S, S] (S = `imageSize`) → [N, outFeatures]. */
  override forward(x: Tensor): Tensor {
    const s = this.imageSize;
    if (x.ndim !== 4 || x.shape[2] !== s || x.shape[3] !== s) {
      throw new DlError(`CNN: expected images of shape [N, ${this.inChannels}, ${s}, ${s}], got ${fmt(x.shape)}`);
    }
    return super.forward(x);
  }
}
