import { fold, matmul, randn, reshape, sum, transpose, unfold, zeros, type Generator, type Tensor, DlError, checks } from '@dl/autograd';
import { withoutGrad } from '../checks.js';
import { cached, checkDtype, checkInt, checkUpstream, fmt, type ManualParamLayer } from './layer.js';
import type { ManualLayerOptions } from './linear.js';

/**
 * The course's 2-D convolution with a hand-written backward, on NCHW input: weight W [F, C, k, k]
 * (the same layout as `nn.Conv2d`), bias b [F]. The forward is im2col (`unfold`) and one matrix
 * product; the backward is two matrix products and col2im (`fold`).
 * Output [N, F, H', W'] with H' = 1 + ⌊(H + 2·padding − k) / stride⌋ (and W' alike).
 * @example
 * const conv = new manual.Conv2d(1, 8, 3, 1, 1, { dtype: 'float64' });
 * const y = conv.forward(x);   // [N, 8, 28, 28] for x [N, 1, 28, 28]
 * const dx = conv.backward(dy); // conv.dW [8, 1, 3, 3], conv.db [8]
 */
export class Conv2d implements ManualParamLayer {
  /** The weight [outChannels, inChannels, kernelSize, kernelSize]. */
  W: Tensor;
  /** The bias [outChannels]. */
  b: Tensor;
  /** ∂loss/∂W after `backward`. */
  dW: Tensor | null = null;
  /** ∂loss/∂b after `backward`. */
  db: Tensor | null = null;
  private cols: Tensor | null = null;
  private inShape: readonly number[] = [];
  private outShape: number[] = [];
  private readonly generator: Generator | undefined;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    readonly stride = 1,
    readonly padding = 0,
    options: ManualLayerOptions = {},
  ) {
    checkInt('Conv2d', 'inChannels', inChannels, 1);
    checkInt('Conv2d', 'outChannels', outChannels, 1);
    checkInt('Conv2d', 'kernelSize', kernelSize, 1);
    checkInt('Conv2d', 'stride', stride, 1);
    checkInt('Conv2d', 'padding', padding, 0);
    this.generator = options.generator;
    const dtype = options.dtype ?? 'float32';
    this.W = zeros([outChannels, inChannels, kernelSize, kernelSize], { dtype });
    this.b = zeros([outChannels], { dtype });
    this.initParams();
  }

  /** Samples the weight from N(0, std²) and sets the bias to zeros, in place; clears the gradients. */
  initParams(std = 0.7071): void {
    if (!(std >= 0) || !Number.isFinite(std)) throw new DlError(`Conv2d.initParams: std must be a finite number ≥ 0, got ${std}`);
    const w = randn(this.W.shape, { dtype: this.W.dtype, generator: this.generator }).data;
    for (let i = 0; i < w.length; i++) this.W.data[i] = std * w[i]!;
    this.b.data.fill(0);
    this.dW = null;
    this.db = null;
  }

  /** x [N, C, H, W] → [N, F, H', W']: y = W·im2col(x) + b; caches the columns. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new DlError(`Conv2d: expected a 4-D input [N, C, H, W], got shape ${fmt(x.shape)}`);
    const [N, C, H, Wd] = x.shape as [number, number, number, number];
    if (C !== this.inChannels) {
      throw new DlError(`Conv2d: expected ${this.inChannels} input channels, got shape ${fmt(x.shape)} (weight ${fmt(this.W.shape)})`);
    }
    const { kernelSize: k, stride, padding } = this;
    checks.checkWindowFits('Conv2d', x.shape, [k, k], [padding, padding]);
    checkDtype('Conv2d', x, this.W);
    const oh = Math.floor((H + 2 * padding - k) / stride) + 1;
    const ow = Math.floor((Wd + 2 * padding - k) / stride) + 1;
    return withoutGrad(() => {
      this.inShape = x.shape;
      this.outShape = [N, this.outChannels, oh, ow];
      this.cols = unfold(x.detach(), k, { stride, padding }); // [N, C·k·k, L]
      const y = matmul(reshape(this.W, [this.outChannels, -1]), this.cols); // [N, F, L]
      addBias(y.data, this.b.data, N, this.outChannels, oh * ow);
      return reshape(y, this.outShape);
    });
  }

  /**
   * With d = dupstream as [N, F, L] and cols = im2col(x): dW = Σₙ d·colsᵀ, db = Σ_{n,L} d,
   * dx = col2im(W₂ᵀ·d), where W₂ is W as [F, C·k·k].
   */
  backward(dupstream: Tensor): Tensor {
    const cols = cached('Conv2d', this.cols);
    checkUpstream('Conv2d', dupstream, this.outShape, this.W.dtype);
    const [N, F, oh, ow] = this.outShape as [number, number, number, number];
    return withoutGrad(() => {
      const d = reshape(dupstream.detach(), [N, F, oh * ow]);
      this.dW = reshape(sum(matmul(d, transpose(cols, 1, 2)), { dim: 0 }), this.W.shape);
      this.db = sum(d, { dim: [0, 2] });
      const dcols = matmul(transpose(reshape(this.W, [F, -1]), 0, 1), d); // [N, C·k·k, L]
      const [H, W] = this.inShape.slice(2) as [number, number];
      return fold(dcols, [H, W], this.kernelSize, { stride: this.stride, padding: this.padding });
    });
  }
}

/** y[n, f, l] += b[f], in place. */
function addBias(y: Tensor['data'], b: Tensor['data'], N: number, F: number, L: number): void {
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const off = (n * F + f) * L;
      const bf = b[f]!;
      for (let l = 0; l < L; l++) y[off + l] = y[off + l]! + bf;
    }
  }
}
