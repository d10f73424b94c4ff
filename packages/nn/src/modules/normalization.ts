import { markModified, noGrad, ones, zeros, type DType, type Tensor, DlError } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt, checkNdim, checkRange, fmt } from '../checks.js';
import { reprBool, reprFloat } from '../repr.js';
import { batchNormAs, groupNormAs, layerNormAs } from '../functional/normalization.js';

/** Options of `BatchNorm1d` and `BatchNorm2d` (PyTorch's keywords in camelCase). */
export interface BatchNormModuleOptions {
  /** Added to the variance before the square root (1e-5). */
  eps?: number;
  /** The weight of each batch in the running stats (0.1); null for a cumulative average over all batches. */
  momentum?: number | null;
  /** Whether to learn a per-channel scale `weight` (ones) and shift `bias` (zeros); true. */
  affine?: boolean;
  /** With `affine`, whether to learn the shift `bias` (true). */
  bias?: boolean;
  /** Whether to keep running stats for eval mode (true); without them eval mode uses batch stats too. */
  trackRunningStats?: boolean;
  /** The dtype of the parameters and buffers (float32). */
  dtype?: DType;
}

/**
 * The shared part of `BatchNorm1d` and `BatchNorm2d`, as PyTorch's `_BatchNorm`: per-channel batch
 * statistics in `train()`, running statistics in `eval()`. Parameters `weight`, `bias` [C]; buffers
 * `running_mean`, `running_var` [C] and `num_batches_tracked` (the state-dict keys are PyTorch's).
 * `num_batches_tracked` is int64 in PyTorch; here it is a 0-D tensor of the module's dtype (exact up
 * to 2^24 batches in float32, 2^53 in float64), and a PyTorch checkpoint's I64 entry loads into it.
 */
export abstract class BatchNorm extends Module {
  /** C, the number of channels. */
  readonly numFeatures: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** The weight of each batch in the running stats, or null for the cumulative average (1/numBatchesTracked). */
  readonly momentum: number | null;
  /** Whether the layer has `weight` (and `bias`). */
  readonly affine: boolean;
  /** Whether the layer keeps running stats for eval mode. */
  readonly trackRunningStats: boolean;
  /** The scale γ [numFeatures] (ones), or null without `affine`. */
  weight: Parameter | null;
  /** The shift β [numFeatures] (zeros), or null without `affine` or `bias`. */
  bias: Parameter | null;
  /** The input layouts this layer accepts, for its errors. */
  protected abstract readonly dims: { ndims: readonly number[]; layout: string };

  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super();
    const name = new.target.name;
    this.numFeatures = checkInt(name, 'numFeatures', numFeatures, 1);
    this.eps = checkRange(name, 'eps', options.eps ?? 1e-5, 0, Infinity);
    const momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.momentum = momentum === null ? null : checkRange(name, 'momentum', momentum, 0, 1);
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = this.affine && options.bias !== false ? new Parameter(zeros([numFeatures], { dtype })) : null;
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype }) : null);
  }

  /** The running mean [numFeatures] (the `running_mean` buffer), or null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>)['running_mean']!;
  }
  /** The running (unbiased) variance [numFeatures] (the `running_var` buffer), or null. */
  get runningVar(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>)['running_var']!;
  }
  /** The number of training batches seen (the `num_batches_tracked` buffer, 0-D), or null. */
  get numBatchesTracked(): Tensor | null {
    return (this as unknown as Record<string, Tensor | null>)['num_batches_tracked']!;
  }

  /** Resets the running stats to mean 0, variance 1 and no batches, as PyTorch's `reset_running_stats`. */
  resetRunningStats(): void {
    for (const [t, v] of [[this.runningMean, 0], [this.runningVar, 1], [this.numBatchesTracked, 0]] as const) {
      if (t === null) continue;
      noGrad(() => t.fill_(v));
    }
  }
  /** Resets the running stats and the parameters (weight ones, bias zeros). */
  resetParameters(): void {
    this.resetRunningStats();
    noGrad(() => {
      this.weight?.fill_(1);
      this.bias?.fill_(0);
    });
  }

  /** x [N, C, *] → the same shape, normalised per channel. */
  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    checkNdim(name, x, this.dims.ndims, this.dims.layout);
    if (x.shape[1] !== this.numFeatures) throw new DlError(`${name}: input has ${x.shape[1]} channels, expected numFeatures ${this.numFeatures} (input shape ${fmt(x.shape)})`);
    // Batch stats when training, and in eval mode when there are no running stats (as PyTorch).
    const useBatch = this.training || this.runningMean === null;
    if (useBatch && x.numel() / this.numFeatures <= 1) {
      throw new DlError(`${name}: expected more than 1 value per channel when training, got input shape ${fmt(x.shape)}`);
    }
    let factor = this.momentum ?? 0;
    const nbt = this.numBatchesTracked;
    if (this.training && nbt !== null) {
      if (nbt.device !== 'cpu') {
        // On the GPU the count is kept there; the cumulative average would need its value synchronously.
        if (this.momentum === null) throw new DlError(`${name}: momentum null (a cumulative moving average) needs the batch count on the CPU; train this module on the CPU or give a momentum`);
        noGrad(() => nbt.add_(1));
      } else {
        nbt.data[0] = nbt.data[0]! + 1;
        markModified(nbt);
        if (this.momentum === null) factor = 1 / nbt.data[0]!; // the cumulative moving average
      }
    }
    return batchNormAs(name, x, this.runningMean, this.runningVar, {
      weight: this.weight, bias: this.bias, training: useBatch, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? 'None' : reprFloat(this.momentum);
    return `${this.numFeatures}, eps=${reprFloat(this.eps)}, momentum=${m}, affine=${reprBool(this.affine)}, `
      + `bias=${reprBool(this.bias !== null)}, track_running_stats=${reprBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation of [N, C] or [N, C, L] input over the batch (and L), per channel C, as
 * PyTorch's `nn.BatchNorm1d`.
 * @example
 * const bn = new BatchNorm1d(64);
 * bn.forward(h); // [N, 64] → [N, 64]; bn.eval() switches to the running stats
 */
export class BatchNorm1d extends BatchNorm {
  protected readonly dims = { ndims: [2, 3], layout: '[N, C] or [N, C, L]' } as const;
}

/**
 * Batch normalisation of [N, C, H, W] input over N, H and W, per channel C, as PyTorch's `nn.BatchNorm2d`.
 * @example
 * const bn = new BatchNorm2d(16);
 * bn.forward(features); // [N, 16, H, W] → [N, 16, H, W]
 */
export class BatchNorm2d extends BatchNorm {
  protected readonly dims = { ndims: [4], layout: '[N, C, H, W]' } as const;
}

/** Options of `LayerNorm` (PyTorch's keywords in camelCase). */
export interface LayerNormModuleOptions {
  /** Added to the variance before the square root (1e-5). */
  eps?: number;
  /** Whether to learn an elementwise `weight` (ones) and `bias` (zeros) of shape `normalizedShape` (true). */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, whether to learn the `bias` (true). */
  bias?: boolean;
  /** The dtype of the parameters (float32). */
  dtype?: DType;
}

/**
 * Layer normalisation over the trailing dims `normalizedShape`, as PyTorch's `nn.LayerNorm`: each
 * sample is standardised over those dims, then scaled by `weight` and shifted by `bias` (both of shape
 * `normalizedShape`). The same in train and eval mode.
 * @example
 * const ln = new LayerNorm(512);
 * ln.forward(x); // [B, T, 512] → [B, T, 512]
 */
export class LayerNorm extends Module {
  /** The trailing dims normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Whether the layer has `weight` (and `bias`). */
  readonly elementwiseAffine: boolean;
  /** The scale [...normalizedShape] (ones), or null without `elementwiseAffine`. */
  weight: Parameter | null;
  /** The shift [...normalizedShape] (zeros), or null. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormModuleOptions = {}) {
    super();
    const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0) throw new DlError('LayerNorm: normalizedShape must have at least one dim, got []');
    shape.forEach((s) => checkInt('LayerNorm', 'normalizedShape', s, 1));
    this.normalizedShape = shape;
    this.eps = checkRange('LayerNorm', 'eps', options.eps ?? 1e-5, 0, Infinity);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.elementwiseAffine ? new Parameter(ones(shape, { dtype })) : null;
    this.bias = this.elementwiseAffine && options.bias !== false ? new Parameter(zeros(shape, { dtype })) : null;
  }

  /** x [*, ...normalizedShape] → the same shape. */
  forward(x: Tensor): Tensor {
    return layerNormAs('LayerNorm', x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    const shape = this.normalizedShape.length === 1 ? `(${this.normalizedShape[0]},)` : `(${this.normalizedShape.join(', ')})`;
    return `${shape}, eps=${reprFloat(this.eps)}, elementwise_affine=${reprBool(this.elementwiseAffine)}, bias=${reprBool(this.bias !== null)}`;
  }
}

/** Options of `GroupNorm` (PyTorch's keywords in camelCase). */
export interface GroupNormModuleOptions {
  /** Added to the variance before the square root (1e-5). */
  eps?: number;
  /** Whether to learn a per-channel `weight` (ones) and `bias` (zeros); true. */
  affine?: boolean;
  /** With `affine`, whether to learn the `bias` (true). */
  bias?: boolean;
  /** The dtype of the parameters (float32). */
  dtype?: DType;
}

/**
 * Group normalisation, as PyTorch's `nn.GroupNorm`: the channels of x [N, C, *] are split into
 * `numGroups` groups, each standardised per sample, then scaled and shifted per channel by
 * `weight` [C] and `bias` [C]. The same in train and eval mode.
 * @example
 * const gn = new GroupNorm(2, 4);
 * gn.forward(x); // [N, 4, H, W] → [N, 4, H, W]
 */
export class GroupNorm extends Module {
  /** The number of channel groups, each normalised on its own. */
  readonly numGroups: number;
  /** C, the number of channels (a multiple of numGroups). */
  readonly numChannels: number;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Whether the layer has `weight` (and `bias`). */
  readonly affine: boolean;
  /** The scale [numChannels] (ones), or null without `affine`. */
  weight: Parameter | null;
  /** The shift [numChannels] (zeros), or null. */
  bias: Parameter | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormModuleOptions = {}) {
    super();
    this.numGroups = checkInt('GroupNorm', 'numGroups', numGroups, 1);
    this.numChannels = checkInt('GroupNorm', 'numChannels', numChannels, 1);
    if (numChannels % numGroups !== 0) throw new DlError(`GroupNorm: numChannels ${numChannels} is not divisible by numGroups ${numGroups}`);
    this.eps = checkRange('GroupNorm', 'eps', options.eps ?? 1e-5, 0, Infinity);
    this.affine = options.affine ?? true;
    const dtype = options.dtype ?? 'float32';
    this.weight = this.affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = this.affine && options.bias !== false ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  /** x [N, C, *] → the same shape. */
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new DlError(`GroupNorm: expected input [N, ${this.numChannels}, *], got shape ${fmt(x.shape)}`);
    }
    return groupNormAs('GroupNorm', x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${reprFloat(this.eps)}, affine=${reprBool(this.affine)}, bias=${reprBool(this.bias !== null)}`;
  }
}
