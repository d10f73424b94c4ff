import { Tensor, DlError, checks } from '@dl/autograd';
import { allocLike, cached, checkInt, checkUpstream, fmt, type ManualLayer } from './layer.js';

/**
 * The course's 2-D max pooling with a hand-written backward, on NCHW input. The forward records,
 * for every output, the flat index of the input element it took (the first maximum of its window;
 * padding never wins); the backward routes each upstream gradient to that element.
 * `stride` defaults to `kernelSize` and `padding` to 0, as in `nn.MaxPool2d`.
 * @example
 * const pool = new manual.MaxPool2d(2);
 * const y = pool.forward(x);    // [N, C, 14, 14] for x [N, C, 28, 28]
 * const dx = pool.backward(dy); // [N, C, 28, 28], non-zero only at the maxima
 */
export class MaxPool2d implements ManualLayer {
  private argmax: Int32Array | null = null;
  private inShape: readonly number[] = [];
  private outShape: number[] = [];
  private dtype = '';

  constructor(
    readonly kernelSize: number,
    readonly stride = kernelSize,
    readonly padding = 0,
  ) {
    checkInt('MaxPool2d', 'kernelSize', kernelSize, 1);
    checkInt('MaxPool2d', 'stride', stride, 1);
    checkInt('MaxPool2d', 'padding', padding, 0);
    checks.checkPoolPadding('MaxPool2d', [kernelSize, kernelSize], [padding, padding]);
  }

  /** x [N, C, H, W] → [N, C, H', W'], the maximum of each window; caches the argmax indices. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new DlError(`MaxPool2d: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const { kernelSize: k, stride: s, padding: p } = this;
    checks.checkWindowFits('MaxPool2d', x.shape, [k, k], [p, p]);
    const oh = Math.floor((H + 2 * p - k) / s) + 1;
    const ow = Math.floor((W + 2 * p - k) / s) + 1;
    const out = allocLike(x.data, N * C * oh * ow);
    const argmax = new Int32Array(out.length);
    const xs = x.data;
    let o = 0;
    for (let plane = 0; plane < N * C; plane++) {
      const base = plane * H * W;
      for (let i = 0; i < oh; i++) {
        const h0 = i * s - p;
        for (let j = 0; j < ow; j++) {
          const w0 = j * s - p;
          let best = -Infinity;
          let at = -1;
          for (let h = Math.max(h0, 0); h < Math.min(h0 + k, H); h++) {
            for (let w = Math.max(w0, 0); w < Math.min(w0 + k, W); w++) {
              const v = xs[base + h * W + w]!;
              // `at < 0` takes the first element even if it is -Infinity; NaN wins, as in PyTorch.
              if (v > best || at < 0 || Number.isNaN(v)) {
                best = v;
                at = base + h * W + w;
                if (Number.isNaN(v)) break;
              }
            }
            if (Number.isNaN(best)) break;
          }
          out[o] = best;
          argmax[o++] = at;
        }
      }
    }
    this.argmax = argmax;
    this.inShape = x.shape;
    this.outShape = [N, C, oh, ow];
    this.dtype = x.dtype;
    return new Tensor(out, this.outShape);
  }

  /** dx[argmax[o]] += dupstream[o] for every output o; zero elsewhere. */
  backward(dupstream: Tensor): Tensor {
    const argmax = cached('MaxPool2d', this.argmax);
    checkUpstream('MaxPool2d', dupstream, this.outShape, this.dtype);
    const dx = allocLike(dupstream.data, this.inShape.reduce((a, n) => a * n, 1));
    const d = dupstream.data;
    for (let o = 0; o < argmax.length; o++) dx[argmax[o]!] = dx[argmax[o]!]! + d[o]!;
    return new Tensor(dx, this.inShape);
  }
}
