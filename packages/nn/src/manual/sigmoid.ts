import { Tensor } from '@dl/autograd';
import { allocLike, cached, checkUpstream, type ManualLayer } from './layer.js';

/**
 * The course's sigmoid with a hand-written backward: y = 1 / (1 + e⁻ˣ), and
 * dx = dupstream · y · (1 − y), from the cached output. Any shape.
 * @example const y = sigmoid.forward(x); const dx = sigmoid.backward(dy);
 */
export class Sigmoid implements ManualLayer {
  private y: Tensor | null = null;

  /** σ(x) elementwise; caches the output. */
  forward(x: Tensor): Tensor {
    const out = allocLike(x.data);
    const xs = x.data;
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      // Two branches so that e^(−x) never overflows for large negative x.
      if (v >= 0) {
        out[i] = 1 / (1 + Math.exp(-v));
      } else {
        const e = Math.exp(v);
        out[i] = e / (1 + e);
      }
    }
    this.y = new Tensor(out, x.shape);
    return new Tensor(out.slice(), x.shape);
  }

  /** dupstream · σ(x) · (1 − σ(x)). */
  backward(dupstream: Tensor): Tensor {
    const y = cached('Sigmoid', this.y);
    checkUpstream('Sigmoid', dupstream, y.shape, y.dtype);
    const dx = allocLike(y.data);
    const ys = y.data;
    const d = dupstream.data;
    for (let i = 0; i < ys.length; i++) dx[i] = d[i]! * ys[i]! * (1 - ys[i]!);
    return new Tensor(dx, y.shape);
  }
}
