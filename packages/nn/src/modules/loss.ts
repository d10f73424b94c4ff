import type { Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { checkRange } from '../checks.js';
import { checkReduction, type Reduction } from '../functional/reduction.js';
import {
  binaryCrossEntropyAs, binaryCrossEntropyWithLogitsAs, checkKLDivReduction, huberLossAs, klDivAs, l1LossAs, mseLossAs, nonNegative,
  smoothL1LossAs, type KLDivReduction,
} from '../functional/loss.js';
import { crossEntropyAs, nllLossAs } from '../functional/classification.js';

/** Options every loss takes: `reduction` (`'mean'`, `'sum'` or `'none'`). */
export interface LossModuleOptions {
  reduction?: Reduction;
}

/** The base of the losses: holds the reduction; `forward(input, target)` gives the loss. */
export abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: LossModuleOptions = {}) {
    super();
    this.reduction = checkReduction(this.constructor.name, options.reduction);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** The squared error, as PyTorch's `nn.MSELoss`. @example new MSELoss().forward(prediction, target) */
export class MSELoss extends Loss {
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLossAs('MSELoss', input, target, { reduction: this.reduction });
  }
}

/** The absolute error, as PyTorch's `nn.L1Loss`. */
export class L1Loss extends Loss {
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1LossAs('L1Loss', input, target, { reduction: this.reduction });
  }
}

/** Options of `NLLLoss` and `CrossEntropyLoss`: per-class `weight` [C] and `ignoreIndex` (−100). */
export interface ClassLossOptions extends LossModuleOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

/** The negative log-likelihood of class indices given log-probabilities, as PyTorch's `nn.NLLLoss`. */
export class NLLLoss extends Loss {
  readonly ignoreIndex: number;
  constructor(options: ClassLossOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.registerBuffer('weight', options.weight ?? null);
  }
  /** The class (or element) weights, a buffer; null when not given. */
  declare readonly weight: Tensor | null;
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLossAs('NLLLoss', input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/**
 * Cross-entropy of logits [N, C] against class indices [N] (or probabilities [N, C]), as PyTorch's
 * `nn.CrossEntropyLoss`: stable log-softmax then NLL, with optional label smoothing.
 * @example
 * const lossFn = new CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = lossFn.forward(model.forward(x), y);
 */
export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: ClassLossOptions & { labelSmoothing?: number } = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = checkRange('CrossEntropyLoss', 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
    this.registerBuffer('weight', options.weight ?? null);
  }
  /** The class (or element) weights, a buffer; null when not given. */
  declare readonly weight: Tensor | null;
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropyAs('CrossEntropyLoss', input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Binary cross-entropy of probabilities, as PyTorch's `nn.BCELoss` (weight rescales each element). */
export class BCELoss extends Loss {
  constructor(options: LossModuleOptions & { weight?: Tensor | null } = {}) {
    super(options);
    this.registerBuffer('weight', options.weight ?? null);
  }
  /** The class (or element) weights, a buffer; null when not given. */
  declare readonly weight: Tensor | null;
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyAs('BCELoss', input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * Sigmoid + binary cross-entropy in one stable step, as PyTorch's `nn.BCEWithLogitsLoss`; `posWeight`
 * weighs positive examples per class.
 * @example new BCEWithLogitsLoss({ posWeight: tensor([3]) }).forward(scores, labels)
 */
export class BCEWithLogitsLoss extends Loss {
  constructor(options: LossModuleOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super(options);
    this.registerBuffer('weight', options.weight ?? null);
    this.registerBuffer('posWeight', options.posWeight ?? null);
  }
  /** The class (or element) weights, a buffer; null when not given. */
  declare readonly weight: Tensor | null;
  /** The weight of positive examples per class, a buffer; null when not given. */
  declare readonly posWeight: Tensor | null;
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogitsAs('BCEWithLogitsLoss', input, target, {
      weight: this.weight, posWeight: this.posWeight, reduction: this.reduction,
    });
  }
}

/** Smooth L1 loss, as PyTorch's `nn.SmoothL1Loss`: quadratic for |d| < β (1), linear beyond. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(options: LossModuleOptions & { beta?: number } = {}) {
    super(options);
    this.beta = nonNegative('SmoothL1Loss', 'beta', options.beta ?? 1, false);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1LossAs('SmoothL1Loss', input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber loss, as PyTorch's `nn.HuberLoss`: 0.5·d² for |d| < δ (1), δ·(|d| − 0.5δ) beyond. */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: LossModuleOptions & { delta?: number } = {}) {
    super(options);
    this.delta = nonNegative('HuberLoss', 'delta', options.delta ?? 1, true);
  }
  /** The loss of `input` against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLossAs('HuberLoss', input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Options of `KLDivLoss`. */
export interface KLDivLossOptions {
  /** `'mean'` (the default), `'batchmean'` (the sum over the batch size: the true KL per sample), `'sum'` or `'none'`. */
  reduction?: KLDivReduction;
  /** Whether targets are log-probabilities (false). */
  logTarget?: boolean;
}

/**
 * The KL divergence of targets from log-probability inputs, as PyTorch's `nn.KLDivLoss`.
 * @example new KLDivLoss({ reduction: 'batchmean' }).forward(logSoftmax(logits, 1), probs)
 */
export class KLDivLoss extends Module {
  readonly reduction: KLDivReduction;
  readonly logTarget: boolean;
  constructor(options: KLDivLossOptions = {}) {
    super();
    this.reduction = checkKLDivReduction('KLDivLoss', options.reduction);
    this.logTarget = options.logTarget ?? false;
  }
  /** The loss of `input` (log-probabilities) against `target`, reduced as configured. */
  forward(input: Tensor, target: Tensor): Tensor {
    return klDivAs('KLDivLoss', input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
