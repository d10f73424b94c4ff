import { Tensor } from '@dl/autograd';
import { allocLike, cached, checkUpstream, type ManualLayer } from './layer.js';

/**
 * The course's ReLU with a hand-written backward: y = max(x, 0), and dx = dupstream where x > 0,
 * else 0 (the gradient at exactly 0 is taken as 0, as PyTorch does). Any shape.
 * @example const y = relu.forward(x); const dx = relu.backward(dy);
 */
export class ReLU implements ManualLayer {
  private x: Tensor | null = null;

  /** max(x, 0) elementwise; caches x. */
  forward(x: Tensor): Tensor {
    this.x = x.detach();
    const out = allocLike(x.data);
    const xs = x.data;
    for (let i = 0; i < xs.length; i++) out[i] = xs[i]! > 0 ? xs[i]! : 0;
    return new Tensor(out, x.shape);
  }

  /** dupstream · 1[x > 0]. */
  backward(dupstream: Tensor): Tensor {
    const x = cached('ReLU', this.x);
    checkUpstream('ReLU', dupstream, x.shape, x.dtype);
    const dx = allocLike(x.data);
    const xs = x.data;
    const d = dupstream.data;
    for (let i = 0; i < xs.length; i++) dx[i] = xs[i]! > 0 ? d[i]! : 0;
    return new Tensor(dx, x.shape);
  }
}
