import { abs, add, clamp, exp, log, mul, neg, sub, type Tensor } from '@dl/autograd';
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
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return mseLossAs('mseLoss', input, target, options);
}

/** @internal */
export function l1LossAs(layer: string, input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  return reduce(abs(sub(input, target)), reduction);
}
/** The absolute error |x − y|, averaged by default, as PyTorch's `F.l1_loss`; shapes must match. */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  return l1LossAs('l1Loss', input, target, options);
}

/** @internal */
export function binaryCrossEntropyAs(layer: string, input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  checkSameShape(layer, input, target);
  const x = input.data;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i]! >= 0 && x[i]! <= 1)) throw new Error(`${layer}: input values must be probabilities in [0, 1], got ${x[i]} at flat index ${i}`);
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
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  return binaryCrossEntropyAs('binaryCrossEntropy', input, target, options);
}

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
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  return binaryCrossEntropyWithLogitsAs('binaryCrossEntropyWithLogits', input, target, options);
}
