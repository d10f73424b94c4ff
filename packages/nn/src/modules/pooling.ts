import { checks as C } from '@dl/autograd';
import type { Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { checkPair, type Size2 } from '../checks.js';
import { reprBool, reprPair } from '../repr.js';
import { avgPool2dAs, maxPool2dAs, type AvgPool2dOptions, type MaxPool2dOptions } from '../functional/pooling.js';

function checkPadding(layer: string, kernelSize: Size2, padding: Size2): void {
  C.checkPoolPadding(layer, checkPair(layer, 'kernelSize', kernelSize, 1), checkPair(layer, 'padding', padding, 0));
}

/**
 * Max pooling over [N, C, H, W] (or [C, H, W]), as PyTorch's `nn.MaxPool2d`: stride defaults to the
 * kernel size; the gradient goes to each window's maximum. Built from pad(−∞) + unfold + max.
 * @example new MaxPool2d(2).forward(x) // [N, C, 28, 28] → [N, C, 14, 14]
 */
export class MaxPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;

  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super();
    checkPair(this.constructor.name, 'kernelSize', kernelSize, 1);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    checkPair('MaxPool2d', 'stride', this.stride, 1);
    checkPair('MaxPool2d', 'dilation', this.dilation, 1);
    checkPadding('MaxPool2d', kernelSize, this.padding);
  }

  /** x [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return maxPool2dAs('MaxPool2d', x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation });
  }

  override extraRepr(): string {
    return `kernel_size=${reprPair(this.kernelSize)}, stride=${reprPair(this.stride)}, padding=${reprPair(this.padding)}, ` +
      `dilation=${reprPair(this.dilation)}, ceil_mode=${reprBool(false)}`;
  }
}

/**
 * Average pooling over [N, C, H, W] (or [C, H, W]), as PyTorch's `nn.AvgPool2d`: stride defaults to
 * the kernel size; zero padding counts in the mean unless `countIncludePad` is false.
 * @example new AvgPool2d(2).forward(x) // [N, C, 28, 28] → [N, C, 14, 14]
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;

  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super();
    checkPair(this.constructor.name, 'kernelSize', kernelSize, 1);
    this.kernelSize = kernelSize;
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride;
    checkPair('AvgPool2d', 'stride', this.stride, 1);
    checkPadding('AvgPool2d', kernelSize, this.padding);
  }

  /** x [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return avgPool2dAs('AvgPool2d', x, this.kernelSize, {
      stride: this.stride, padding: this.padding, countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${reprPair(this.kernelSize)}, stride=${reprPair(this.stride)}, padding=${reprPair(this.padding)}`;
  }
}
