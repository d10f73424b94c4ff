import { reshape, type Tensor, DlError } from '@dl/autograd';
import { withoutGrad } from '../checks.js';
import { cached, checkUpstream, fmt, type ManualLayer } from './layer.js';

/**
 * Flattens every dim after the batch dim, [N, ...] → [N, ∏...], as `nn.Flatten()`; the backward
 * reshapes the gradient back to the cached input shape.
 * @example new manual.Flatten().forward(x) // [N, C, H, W] → [N, C·H·W]
 */
export class Flatten implements ManualLayer {
  private inShape: readonly number[] | null = null;
  private dtype = '';

  /** x [N, ...] → [N, ∏...]. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 1) throw new DlError(`Flatten: expected an input with a batch dim, got shape ${fmt(x.shape)}`);
    this.inShape = x.shape;
    this.dtype = x.dtype;
    return withoutGrad(() => reshape(x.detach(), [x.shape[0]!, x.numel() / Math.max(x.shape[0]!, 1)]));
  }

  /** dupstream reshaped to the input shape. */
  backward(dupstream: Tensor): Tensor {
    const inShape = cached('Flatten', this.inShape);
    const n = inShape[0]!;
    checkUpstream('Flatten', dupstream, [n, inShape.reduce((a, s) => a * s, 1) / Math.max(n, 1)], this.dtype);
    return withoutGrad(() => reshape(dupstream.detach(), inShape));
  }
}
