import { allocate, Tensor, DlError } from '@dl/autograd';
import { allocLike, cached, checkDtype, checkInt, checkUpstream, fmt, type ManualParamLayer } from './layer.js';
import type { ManualBatchNormOptions } from './batchNorm.js';

/** Options of the manual `LayerNorm`. */
export type ManualLayerNormOptions = Pick<ManualBatchNormOptions, 'dtype' | 'eps'>;

/**
 * The course's layer normalisation with a hand-written backward: each row r of x (the trailing
 * `normalizedShape` dims, D values) gives x̂ = (x − μ_r)/√(σ²_r + eps) with the row's mean and biased
 * variance, and y = W·x̂ + b elementwise (W, b of shape `normalizedShape`, the twin's layout). The
 * same in train and eval mode.
 * @example
 * const ln = new manual.LayerNorm([8], { dtype: 'float64' });
 * const y = ln.forward(x); const dx = ln.backward(dy); // ln.dW, ln.db [8]
 */
export class LayerNorm implements ManualParamLayer {
  /** The scale [...normalizedShape], ones at first. */
  W: Tensor;
  /** The shift [...normalizedShape], zeros at first. */
  b: Tensor;
  /** ∂loss/∂W after `backward`. */
  dW: Tensor | null = null;
  /** ∂loss/∂b after `backward`. */
  db: Tensor | null = null;
  /** W and b have the twin's layout. */
  readonly twinLayout = 'same';
  /** The trailing dims normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root. */
  readonly eps: number;
  private cache: { xhat: Float64Array; invstd: Float64Array; shape: readonly number[] } | null = null;

  constructor(normalizedShape: number | readonly number[], options: ManualLayerNormOptions = {}) {
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new DlError('LayerNorm: normalizedShape must have at least one dim, got []');
    shape.forEach((s) => checkInt('LayerNorm', 'normalizedShape', s, 1));
    this.normalizedShape = shape;
    this.eps = options.eps ?? 1e-5;
    const D = shape.reduce((a, s) => a * s, 1);
    const make = () => allocate(options.dtype === 'float64' ? 'float64' : 'float32', D);
    this.W = new Tensor(make().fill(1), shape);
    this.b = new Tensor(make(), shape);
  }

  /** Resets W to ones and b to zeros, and clears the gradients; `std` is ignored (the layer starts as the identity). */
  initParams(_std?: number): void {
    this.W.data.fill(1);
    this.b.data.fill(0);
    this.dW = null;
    this.db = null;
  }

  /** x [*, ...normalizedShape] → y of the same shape; caches x̂ and each row's 1/√(σ² + eps). */
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(x.ndim - k).some((s, i) => s !== this.normalizedShape[i])) {
      throw new DlError(`LayerNorm: expected input with shape [*, ${this.normalizedShape.join(', ')}], got shape ${fmt(x.shape)}`);
    }
    checkDtype('LayerNorm', x, this.W);
    const D = this.W.numel();
    const R = x.numel() / D;
    const xs = x.data;
    const w = this.W.data;
    const bt = this.b.data;
    const xhat = new Float64Array(xs.length);
    const invstd = new Float64Array(R);
    const y = allocLike(xs);
    for (let r = 0; r < R; r++) {
      const off = r * D;
      let mu = 0;
      for (let d = 0; d < D; d++) mu += xs[off + d]!;
      mu /= D;
      let v = 0;
      for (let d = 0; d < D; d++) v += (xs[off + d]! - mu) ** 2;
      const is = 1 / Math.sqrt(v / D + this.eps);
      invstd[r] = is;
      for (let d = 0; d < D; d++) {
        xhat[off + d] = (xs[off + d]! - mu) * is;
        y[off + d] = w[d]! * xhat[off + d]! + bt[d]!;
      }
    }
    this.cache = { xhat, invstd, shape: x.shape };
    return new Tensor(y, x.shape);
  }

  /**
   * db = Σ_rows dy, dW = Σ_rows dy·x̂; with g = dy·W, dx = invstd/D · (D·g − Σ_d g − x̂·Σ_d g·x̂) per row.
   */
  backward(dupstream: Tensor): Tensor {
    const { xhat, invstd, shape } = cached('LayerNorm', this.cache);
    checkUpstream('LayerNorm', dupstream, shape, this.W.dtype);
    const D = this.W.numel();
    const R = invstd.length;
    const dy = dupstream.data;
    const w = this.W.data;
    const dW = allocLike(w);
    const db = allocLike(w);
    const dx = allocLike(dy);
    for (let r = 0; r < R; r++) {
      const off = r * D;
      let sumG = 0;
      let sumGX = 0;
      for (let d = 0; d < D; d++) {
        const g = dy[off + d]! * w[d]!;
        sumG += g;
        sumGX += g * xhat[off + d]!;
        dW[d] = dW[d]! + dy[off + d]! * xhat[off + d]!;
        db[d] = db[d]! + dy[off + d]!;
      }
      const k = invstd[r]! / D;
      for (let d = 0; d < D; d++) dx[off + d] = k * (D * dy[off + d]! * w[d]! - sumG - xhat[off + d]! * sumGX);
    }
    this.dW = new Tensor(dW, this.normalizedShape);
    this.db = new Tensor(db, this.normalizedShape);
    return new Tensor(dx, shape);
  }
}
