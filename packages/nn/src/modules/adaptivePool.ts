import type { Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { adaptiveAvgPool2dAs, checkAdaptiveSize, type AdaptiveSize2 } from '../functional/adaptivePool.js';

/**
 * Average pooling to a fixed output size whatever the input's, as PyTorch's `nn.AdaptiveAvgPool2d`.
 * @example new AdaptiveAvgPool2d([7, 7]) // [N, C, H, W] → [N, C, 7, 7]
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: AdaptiveSize2;
  constructor(outputSize: AdaptiveSize2) {
    super();
    checkAdaptiveSize('AdaptiveAvgPool2d', outputSize);
    this.outputSize = typeof outputSize === 'number' ? outputSize : [outputSize[0], outputSize[1]];
  }
  /** x [N, C, H, W] or [C, H, W] → [..., outH, outW]. */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2dAs('AdaptiveAvgPool2d', x, this.outputSize);
  }
  override extraRepr(): string {
    const s = this.outputSize;
    return `output_size=${typeof s === 'number' ? s : `(${s.map((v) => (v === null ? 'None' : v)).join(', ')})`}`;
  }
}
