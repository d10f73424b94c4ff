import { allocate, Tensor, type TypedArray, DlError } from '@dl/autograd';
import { allocLike, cached, checkDtype, checkInt, checkUpstream, fmt, type ManualParamLayer, type ManualRunningStats } from './layer.js';
import type { ManualLayerOptions } from './linear.js';

/** Options of the manual `BatchNorm1d` and `BatchNorm2d`. */
export interface ManualBatchNormOptions extends Pick<ManualLayerOptions, 'dtype'> {
  /** Added to the variance before the square root (1e-5). */
  eps?: number;
  /** The weight of each batch in the running statistics (0.1); null for the cumulative average. */
  momentum?: number | null;
}

/** What the forward caches for the backward. */
interface Cache {
  xhat: Float64Array;
  invstd: Float64Array;
  shape: readonly number[];
  training: boolean;
}

/**
 * The course's batch normalisation with a hand-written backward, over x [N, C, *] per channel c:
 * x̂ = (x − μ_c)/√(σ²_c + eps), y = γ_c·x̂ + β_c. In training mode μ, σ² are the batch mean and
 * biased variance over the M = N·∏* values of the channel, and the running statistics move towards
 * them (running = (1 − momentum)·running + momentum·batch, with the unbiased variance σ²·M/(M − 1));
 * in eval mode μ, σ² are the running statistics. γ is `W` (alias `gamma`), β is `b` (alias `beta`),
 * both [C] with the layout of the twin's weight and bias.
 */
export abstract class BatchNorm implements ManualParamLayer, ManualRunningStats {
  /** γ [numFeatures], ones at first. */
  W: Tensor;
  /** β [numFeatures], zeros at first. */
  b: Tensor;
  /** ∂loss/∂γ after `backward`. */
  dW: Tensor | null = null;
  /** ∂loss/∂β after `backward`. */
  db: Tensor | null = null;
  /** The running mean [numFeatures] (zeros at first). */
  runningMean: Tensor;
  /** The running unbiased variance [numFeatures] (ones at first). */
  runningVar: Tensor;
  /** The number of training batches seen (the momentum-null average divides by it). */
  numBatchesTracked = 0;
  /** Training mode (batch statistics) or eval mode (running statistics). */
  training = true;
  /** γ and β have the twin's layout. */
  readonly twinLayout = 'same';
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** The weight of each batch in the running statistics, or null for the cumulative average. */
  readonly momentum: number | null;
  /** The input dims this layer accepts, and their layout, for errors. */
  protected abstract readonly dims: { ndims: readonly number[]; layout: string };
  private cache: Cache | null = null;

  constructor(readonly numFeatures: number, options: ManualBatchNormOptions = {}) {
    const name = new.target.name;
    checkInt(name, 'numFeatures', numFeatures, 1);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (!(this.eps >= 0)) throw new DlError(`${name}: eps must be ≥ 0, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new DlError(`${name}: momentum must be in [0, 1] or null, got ${this.momentum}`);
    const make = (fill: number) => {
      const data = allocate(options.dtype === 'float64' ? 'float64' : 'float32', numFeatures);
      return new Tensor(data.fill(fill), [numFeatures]);
    };
    this.W = make(1);
    this.b = make(0);
    this.runningMean = make(0);
    this.runningVar = make(1);
  }

  /** γ, the scale (the same tensor as `W`). */
  get gamma(): Tensor {
    return this.W;
  }
  /** β, the shift (the same tensor as `b`). */
  get beta(): Tensor {
    return this.b;
  }
  /** ∂loss/∂γ (`dW`). */
  get dgamma(): Tensor | null {
    return this.dW;
  }
  /** ∂loss/∂β (`db`). */
  get dbeta(): Tensor | null {
    return this.db;
  }

  /** Sets training mode (true) or eval mode (false). */
  train(mode = true): this {
    this.training = mode;
    return this;
  }
  /** Sets eval mode: normalise with the running statistics. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Resets γ to ones, β to zeros and the running statistics to mean 0, variance 1 and no batches, as
   * PyTorch's `reset_parameters`; clears the gradients. `std` is ignored: the layer starts as the identity.
   */
  initParams(_std?: number): void {
    this.W.data.fill(1);
    this.b.data.fill(0);
    this.runningMean.data.fill(0);
    this.runningVar.data.fill(1);
    this.numBatchesTracked = 0;
    this.dW = null;
    this.db = null;
  }

  /** x [N, C, *] → y of the same shape; caches x̂ and 1/√(σ² + eps). */
  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (!this.dims.ndims.includes(x.ndim)) {
      throw new DlError(`${name}: expected a ${this.dims.ndims.map((d) => `${d}-D`).join(' or ')} input ${this.dims.layout}, got shape ${fmt(x.shape)}`);
    }
    const C = this.numFeatures;
    if (x.shape[1] !== C) throw new DlError(`${name}: input has ${x.shape[1]} channels, expected numFeatures ${C} (input shape ${fmt(x.shape)})`);
    checkDtype(name, x, this.W);
    const N = x.shape[0]!;
    const L = x.numel() / (N * C);
    const M = N * L;
    if (this.training && M <= 1) throw new DlError(`${name}: expected more than 1 value per channel when training, got input shape ${fmt(x.shape)}`);
    const xs = x.data;
    const mu = new Float64Array(C);
    const v = new Float64Array(C);
    if (this.training) {
      channelMoments(xs, N, C, L, mu, v);
      this.numBatchesTracked++;
      const f = this.momentum ?? 1 / this.numBatchesTracked;
      const rm = this.runningMean.data;
      const rv = this.runningVar.data;
      for (let c = 0; c < C; c++) {
        rm[c] = (1 - f) * rm[c]! + f * mu[c]!;
        rv[c] = (1 - f) * rv[c]! + (f * v[c]! * M) / (M - 1);
      }
    } else {
      mu.set(this.runningMean.data);
      v.set(this.runningVar.data);
    }
    const invstd = v.map((vc) => 1 / Math.sqrt(vc + this.eps));
    const xhat = new Float64Array(xs.length);
    const y = allocLike(xs);
    const g = this.W.data;
    const bt = this.b.data;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const off = (n * C + c) * L;
        for (let l = off; l < off + L; l++) {
          xhat[l] = (xs[l]! - mu[c]!) * invstd[c]!;
          y[l] = g[c]! * xhat[l]! + bt[c]!;
        }
      }
    }
    this.cache = { xhat, invstd, shape: x.shape, training: this.training };
    return new Tensor(y, x.shape);
  }

  /**
   * dβ = Σ dy, dγ = Σ dy·x̂ (over N and *); in training mode
   * dx = γ·invstd/M · (M·dy − dβ − x̂·dγ) (the batch statistics depend on x), in eval mode dx = γ·invstd·dy.
   */
  backward(dupstream: Tensor): Tensor {
    const { xhat, invstd, shape, training } = cached(this.constructor.name, this.cache);
    checkUpstream(this.constructor.name, dupstream, shape, this.W.dtype);
    const C = this.numFeatures;
    const N = shape[0]!;
    const L = xhat.length / (N * C);
    const M = N * L;
    const d = dupstream.data;
    const dg = allocLike(this.W.data);
    const dbt = allocLike(this.b.data);
    const sumD = new Float64Array(C);
    const sumDX = new Float64Array(C);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const off = (n * C + c) * L;
        for (let l = off; l < off + L; l++) {
          sumD[c] = sumD[c]! + d[l]!;
          sumDX[c] = sumDX[c]! + d[l]! * xhat[l]!;
        }
      }
    }
    dg.set(sumDX);
    dbt.set(sumD);
    const dx = allocLike(d);
    const g = this.W.data;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const off = (n * C + c) * L;
        const k = g[c]! * invstd[c]!;
        for (let l = off; l < off + L; l++) {
          dx[l] = training ? (k / M) * (M * d[l]! - sumD[c]! - xhat[l]! * sumDX[c]!) : k * d[l]!;
        }
      }
    }
    this.dW = new Tensor(dg, [C]);
    this.db = new Tensor(dbt, [C]);
    return new Tensor(dx, shape);
  }
}

/** The mean and biased variance of each channel of x laid out as [N, C, L], into `mu` and `v`. */
function channelMoments(xs: TypedArray, N: number, C: number, L: number, mu: Float64Array, v: Float64Array): void {
  const M = N * L;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const off = (n * C + c) * L;
      for (let l = off; l < off + L; l++) mu[c] = mu[c]! + xs[l]!;
    }
  }
  for (let c = 0; c < C; c++) mu[c] = mu[c]! / M;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const off = (n * C + c) * L;
      for (let l = off; l < off + L; l++) v[c] = v[c]! + (xs[l]! - mu[c]!) ** 2;
    }
  }
  for (let c = 0; c < C; c++) v[c] = v[c]! / M;
}

/**
 * The manual twin of `nn.BatchNorm1d`, on [N, C] or [N, C, L] input.
 * @example
 * const bn = new manual.BatchNorm1d(4, { dtype: 'float64' });
 * const y = bn.forward(x); const dx = bn.backward(dy); // bn.dgamma, bn.dbeta [4]
 */
export class BatchNorm1d extends BatchNorm {
  protected readonly dims = { ndims: [2, 3], layout: '[N, C] or [N, C, L]' } as const;
}

/**
 * The manual twin of `nn.BatchNorm2d`, on [N, C, H, W] input.
 * @example
 * const bn = new manual.BatchNorm2d(8).eval(); // normalise with the running statistics
 */
export class BatchNorm2d extends BatchNorm {
  protected readonly dims = { ndims: [4], layout: '[N, C, H, W]' } as const;
}
