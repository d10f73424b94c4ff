import { add, matmul, rand, randn, reshape, sum, transpose, zeros, type DType, type Generator, type Tensor, DlError } from '@dl/autograd';
import { withoutGrad } from '../checks.js';
import { cached, checkDtype, checkInt, checkUpstream, fmt, type ManualParamLayer } from './layer.js';

/** Options of the manual layers' constructors. */
export interface ManualLayerOptions {
  /** The parameters' dtype: float32 by default, float64 for gradient checks. */
  dtype?: DType;
  /** The generator for `initParams` (the default one unless given). */
  generator?: Generator;
}

/**
 * The course's fully-connected layer with a hand-written backward: y = x·W + b, with weight
 * W [in, out] (the transpose of `nn.Linear`'s [out, in]) and bias b [out]. x is [in] or [..., in].
 * @example
 * const fc = new manual.Linear(784, 10, { dtype: 'float64' });
 * const y = fc.forward(x);          // [B, 10]
 * const dx = fc.backward(dy);       // [B, 784]; fc.dW [784, 10], fc.db [10]
 */
export class Linear implements ManualParamLayer {
  /** The weight [inFeatures, outFeatures]. */
  W: Tensor;
  /** The bias [outFeatures]. */
  b: Tensor;
  /** ∂loss/∂W after `backward`, [inFeatures, outFeatures]. */
  dW: Tensor | null = null;
  /** ∂loss/∂b after `backward`, [outFeatures]. */
  db: Tensor | null = null;
  private x: Tensor | null = null;
  private outShape: number[] = [];
  private readonly generator: Generator | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: ManualLayerOptions = {},
  ) {
    checkInt('Linear', 'inFeatures', inFeatures, 1);
    checkInt('Linear', 'outFeatures', outFeatures, 1);
    this.generator = options.generator;
    const dtype = options.dtype ?? 'float32';
    this.W = zeros([inFeatures, outFeatures], { dtype });
    this.b = zeros([outFeatures], { dtype });
    this.initParams();
  }

  /**
   * Samples the weight from N(0, std²) and the bias from the uniform distribution on [0, 1)
   * (as `torch.rand`), in place, and clears the gradients.
   */
  initParams(std = 1): void {
    if (!(std >= 0) || !Number.isFinite(std)) throw new DlError(`Linear.initParams: std must be a finite number ≥ 0, got ${std}`);
    const dtype = this.W.dtype;
    const w = randn(this.W.shape, { dtype, generator: this.generator }).data;
    for (let i = 0; i < w.length; i++) this.W.data[i] = std * w[i]!;
    this.b.data.set(rand(this.b.shape, { dtype, generator: this.generator }).data);
    this.dW = null;
    this.db = null;
  }

  /** y = x·W + b for x [..., inFeatures]; caches x. Returns [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new DlError(`Linear: expected input with ${this.inFeatures} features in its last dim, got shape ${fmt(x.shape)}`);
    }
    checkDtype('Linear', x, this.W);
    return withoutGrad(() => {
      this.x = x.detach();
      this.outShape = [...x.shape.slice(0, -1), this.outFeatures];
      const x2 = reshape(this.x, [-1, this.inFeatures]);
      return reshape(add(matmul(x2, this.W), this.b), this.outShape);
    });
  }

  /** dW = xᵀ·dupstream, db = Σ_rows dupstream (both stored); returns dx = dupstream·Wᵀ. */
  backward(dupstream: Tensor): Tensor {
    const x = cached('Linear', this.x);
    checkUpstream('Linear', dupstream, this.outShape, this.W.dtype);
    return withoutGrad(() => {
      const x2 = reshape(x, [-1, this.inFeatures]);
      const d2 = reshape(dupstream.detach(), [-1, this.outFeatures]);
      this.dW = matmul(transpose(x2, 0, 1), d2);
      this.db = sum(d2, { dim: 0 });
      return reshape(matmul(d2, transpose(this.W, 0, 1)), x.shape);
    });
  }
}
