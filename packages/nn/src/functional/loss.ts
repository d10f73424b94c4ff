import { abs, add, clamp, exp, log, mul, neg, sub, type Tensor, DlError, checks as C, div, eq, gt, lt, sum, where } from '@dl/autograd';
import { checkBroadcastsTo, checkReduction, checkSameShape, reduce, type Reduction } from './reduction.js';

/** The `reduction` option every loss takes. */
export interface LossOptions {
  reduction?: Reduction;
}
/** Options of the binary cross-entropies: a weight that rescales each element (broadcast to the input). */
export interface BCEOptions extends LossOptions {
  weight?: Tensor | null;
}
/** Options of `binaryCrossEntropyWithLogits`: also `posWeight`, the weight of positive examples per class (last dim). */
export interface BCEWithLogitsOptions extends BCEOptions {
  posWeight?: Tensor | null;
}

/** @internal */
export function mseLossAs(layer: string, input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), reduction);
}
/**
 * The squared error (x − y)², averaged by default, as PyTorch's `F.mse_loss`; shapes must match.
 * @example mseLoss(prediction, target, { reduction: 'sum' })
 */
export const mseLoss = C.api(C.sig('mseLoss', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ reduction: C.any })]), function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return mseLossAs('mseLoss', input, target, options);
});

/** @internal */
export function l1LossAs(layer: string, input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  return reduce(abs(sub(input, target)), reduction);
}
/** The absolute error |x − y|, averaged by default, as PyTorch's `F.l1_loss`; shapes must match. */
export const l1Loss = C.api(C.sig('l1Loss', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ reduction: C.any })]), function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return l1LossAs('l1Loss', input, target, options);
});

/** @internal */
export function binaryCrossEntropyAs(layer: string, input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  // On the GPU the values cannot be read synchronously: there, out-of-range inputs give NaN losses instead
  // (PyTorch's CUDA kernel asserts on the device).
  if (input.device === 'cpu') {
    const x = input.data;
    for (let i = 0; i < x.length; i++) {
      if (!(x[i]! >= 0 && x[i]! <= 1)) throw new DlError(`${layer}: input values must be probabilities in [0, 1], got ${x[i]} at flat index ${i}`);
    }
  }
  // PyTorch clamps each log at -100 so that a confident wrong answer costs 100, not Infinity.
  const logX = clamp(log(input), { min: -100 });
  const log1mX = clamp(log(sub(1, input)), { min: -100 });
  let loss = neg(add(mul(target, logX), mul(sub(1, target), log1mX)));
  if (options.weight) {
    checkBroadcastsTo(layer, 'weight', options.weight, input);
    loss = mul(loss, options.weight);
  }
  return reduce(loss, reduction);
}
/**
 * −[y·log x + (1 − y)·log(1 − x)] for probabilities x, as PyTorch's `F.binary_cross_entropy` (each
 * log clamped at −100). Prefer `binaryCrossEntropyWithLogits` on raw scores: it is stable.
 */
export const binaryCrossEntropy = C.api(C.sig('binaryCrossEntropy', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ weight: C.nullable(C.tensor), reduction: C.any }, { positional: ['weight'] })]), function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  return binaryCrossEntropyAs('binaryCrossEntropy', input, target, options);
});

/** @internal */
export function binaryCrossEntropyWithLogitsAs(layer: string, input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  // softplus(−x) = log(1 + e^−x) = m + log(e^−m + e^(−x−m)) with m = max(−x, 0): no overflow for any x.
  // The value does not depend on m, so m carries no gradient.
  const m = clamp(neg(input.detach()), { min: 0 });
  const softplusNeg = add(m, log(add(exp(neg(m)), exp(sub(neg(input), m)))));
  let weightOfLog: Tensor | number = 1;
  if (options.posWeight) {
    checkBroadcastsTo(layer, 'posWeight', options.posWeight, input);
    weightOfLog = add(mul(sub(options.posWeight, 1), target), 1);
  }
  let loss = add(mul(sub(1, target), input), mul(weightOfLog, softplusNeg));
  if (options.weight) {
    checkBroadcastsTo(layer, 'weight', options.weight, input);
    loss = mul(loss, options.weight);
  }
  return reduce(loss, reduction);
}
/**
 * Sigmoid and binary cross-entropy in one stable step, as PyTorch's
 * `F.binary_cross_entropy_with_logits`: (1 − y)·x + w·log(1 + e^−x), w = 1 + (posWeight − 1)·y.
 * @example binaryCrossEntropyWithLogits(scores, labels)
 */
export const binaryCrossEntropyWithLogits = C.api(C.sig('binaryCrossEntropyWithLogits', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ posWeight: C.nullable(C.tensor), weight: C.nullable(C.tensor), reduction: C.any }, { positional: ['weight'] })]), function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  return binaryCrossEntropyWithLogitsAs('binaryCrossEntropyWithLogits', input, target, options);
});

// smooth_l1_loss, huber_loss and kl_div, as torch.nn.functional's.
/** Options of `smoothL1Loss`: β (1), where the loss turns from quadratic to linear. */
export interface SmoothL1LossOptions extends LossOptions {
  beta?: number;
}
/** Options of `huberLoss`: δ (1), where the loss turns from quadratic to linear. */
export interface HuberLossOptions extends LossOptions {
  delta?: number;
}

/** @internal Checks β or δ: finite, ≥ 0 (> 0 when `positive`). */
export function nonNegative(layer: string, name: string, v: number, positive: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (positive && v === 0)) {
    throw new DlError(`${layer}: ${name} must be a ${positive ? 'positive' : 'non-negative'} finite number, got ${String(v)}`);
  }
  return v;
}

/** 0.5·d² / β where |d| < β, else |d| − 0.5·β (d = input − target), masked without NaN. */
function quadraticThenLinear(d: Tensor, width: number): Tensor {
  const a = abs(d);
  const small = lt(a, width);
  // The quadratic branch only sees |d| < width; elsewhere it gets 0, so its gradient stays finite.
  const ds = where(small, d, 0);
  return where(small, div(mul(mul(ds, ds), 0.5), width), sub(a, 0.5 * width));
}

/** @internal `smoothL1Loss` with errors naming `layer`. */
export function smoothL1LossAs(layer: string, input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  const beta = nonNegative(layer, 'beta', options.beta ?? 1, false);
  checkSameShape(layer, input, target);
  const d = sub(input, target);
  // β = 0 is the L1 loss, as in PyTorch.
  return reduce(beta === 0 ? abs(d) : quadraticThenLinear(d, beta), reduction);
}
/**
 * 0.5·d²/β where |d| < β, else |d| − 0.5β, as PyTorch's `F.smooth_l1_loss` (β = 0 gives the L1 loss).
 * @example smoothL1Loss(boxes, targets, { beta: 0.1 })
 */
export const smoothL1Loss = C.api(C.sig('smoothL1Loss', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ beta: C.number, reduction: C.any })]), function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  return smoothL1LossAs('smoothL1Loss', input, target, options);
});

/** @internal `huberLoss` with errors naming `layer`. */
export function huberLossAs(layer: string, input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  const delta = nonNegative(layer, 'delta', options.delta ?? 1, true);
  checkSameShape(layer, input, target);
  // Huber = δ · smooth L1 with β = δ.
  return reduce(mul(quadraticThenLinear(sub(input, target), delta), delta), reduction);
}
/** 0.5·d² where |d| < δ, else δ·(|d| − 0.5δ), as PyTorch's `F.huber_loss`. */
export const huberLoss = C.api(C.sig('huberLoss', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ delta: C.number, reduction: C.any })]), function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  return huberLossAs('huberLoss', input, target, options);
});

/** How `klDiv` reduces: also `'batchmean'`, the sum divided by the batch size (the true KL divergence per sample). */
export type KLDivReduction = Reduction | 'batchmean';
/** Options of `klDiv`. */
export interface KLDivOptions {
  /** `'mean'` (the default, over every element, as PyTorch), `'batchmean'`, `'sum'` or `'none'`. */
  reduction?: KLDivReduction;
  /** Whether the target holds log-probabilities (false: probabilities). */
  logTarget?: boolean;
}
/** @internal Checks a KLDiv reduction. */
export function checkKLDivReduction(layer: string, reduction: KLDivReduction | undefined): KLDivReduction {
  return reduction === 'batchmean' ? reduction : checkReduction(layer, reduction as Reduction | undefined);
}
/** @internal `klDiv` with errors naming `layer`. */
export function klDivAs(layer: string, input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  const reduction = checkKLDivReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  let loss: Tensor;
  if (options.logTarget) {
    loss = mul(exp(target), sub(target, input));
  } else {
    // t·log t is 0 where t = 0 (xlogy, as PyTorch); log sees 1 there so no −inf enters the graph.
    const pos = gt(target, 0);
    const tlogt = where(pos, mul(target, log(where(pos, target, 1))), 0);
    loss = sub(tlogt, where(eq(target, 0), 0, mul(target, input)));
  }
  if (reduction === 'batchmean') return input.ndim === 0 ? sum(loss) : div(sum(loss), input.shape[0]!);
  return reduce(loss, reduction);
}
/**
 * The KL divergence of the target distribution from the input's, with the input given as
 * log-probabilities: target·(log target − input), as PyTorch's `F.kl_div`; use `reduction: 'batchmean'`
 * for the mathematically correct per-sample value.
 * @example klDiv(logSoftmax(logits, 1), targetProbs, { reduction: 'batchmean' })
 */
export const klDiv = C.api(C.sig('klDiv', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ reduction: C.any, logTarget: C.bool })]), function klDiv(input: Tensor, target: Tensor, options: KLDivOptions = {}): Tensor {
  return klDivAs('klDiv', input, target, options);
});
