import { allocate, div, gather, logSoftmax, mul, neg, reshape, sum, Tensor, type TypedArray, DlError } from '@dl/autograd';
import { checkRange, fmt } from '../checks.js';
import { checkReduction, checkSameDType, type Reduction } from './reduction.js';
import { checks as C } from '@dl/autograd';

/** Options of `nllLoss`, as PyTorch's: per-class `weight` [C], `ignoreIndex` (−100), `reduction`. */
export interface NllLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}
/** Options of `crossEntropy`: those of `nllLoss` and `labelSmoothing` in [0, 1] (0). */
export interface CrossEntropyOptions extends NllLossOptions {
  labelSmoothing?: number;
}

/** Class-index targets, checked and turned into what the losses need. */
interface Targets {
  classDim: number;
  classes: number;
  /** Each target as a gather index along classDim (ignored targets point at class 0). */
  index: Tensor;
  /** Each target's class weight (0 where ignored), in the target's shape. */
  weights: Tensor;
  /** 1 where the target counts, 0 where ignored, in the target's shape. */
  valid: Tensor;
  weightSum: number;
}

function make(dtype: Tensor['dtype'], n: number): TypedArray {
  return allocate(dtype === 'float64' ? 'float64' : 'float32', n);
}

function classDimOf(layer: string, input: Tensor): number {
  if (input.ndim === 0) throw new DlError(`${layer}: input must have a class dim ([C], [N, C] or [N, C, ...]), got a scalar`);
  return input.ndim === 1 ? 0 : 1;
}

function checkWeight(layer: string, input: Tensor, weight: Tensor | null | undefined, classes: number): void {
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new DlError(`${layer}: weight must have shape [${classes}] (one per class), got ${fmt(weight.shape)}`);
  }
}

function classTargets(layer: string, input: Tensor, target: Tensor, weight: Tensor | null | undefined, ignoreIndex: number): Targets {
  const classDim = classDimOf(layer, input);
  const classes = input.shape[classDim]!;
  const expected = input.shape.filter((_, i) => i !== classDim);
  if (target.shape.join() !== expected.join() || target.ndim !== expected.length) {
    throw new DlError(
      `${layer}: for input of shape ${fmt(input.shape)}, target must hold class indices of shape ${fmt(expected)} ` +
        `or probabilities of shape ${fmt(input.shape)}, got ${fmt(target.shape)}`,
    );
  }
  checkWeight(layer, input, weight, classes);
  if (target.device !== 'cpu' || (weight && weight.device !== 'cpu')) {
    throw new DlError(layer, `class-index targets${weight ? ' and class weights' : ''} are read on the CPU (each target is checked against the ${classes} classes), but ${target.device !== 'cpu' ? 'the target' : 'the weight'} is on '${target.device !== 'cpu' ? target.device : weight!.device}'`, {
      hint: `keep labels on the CPU; the input may be on '${input.device}'`,
    });
  }
  const n = target.numel();
  const idx = make(input.dtype, n);
  const w = make(input.dtype, n);
  const valid = make(input.dtype, n);
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    const c = target.data[i]!;
    if (c === ignoreIndex) continue;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new DlError(`${layer}: target ${c} at flat index ${i} is out of range for ${classes} classes (expected an integer in [0, ${classes - 1}])`);
    }
    idx[i] = c;
    w[i] = weight ? weight.data[c]! : 1;
    valid[i] = 1;
    weightSum += w[i]!;
  }
  const indexShape = [...target.shape];
  indexShape.splice(classDim, 0, 1);
  // The gather index stays on the CPU (gather reads it there); the factors go to the input's device.
  return {
    classDim, classes, weightSum,
    index: new Tensor(idx, indexShape),
    weights: new Tensor(w, target.shape).to(input.device),
    valid: new Tensor(valid, target.shape).to(input.device),
  };
}

/** −w[y]·input[y] per target, reduced as PyTorch's nll_loss (the mean divides by the summed weights). */
function nllFromTargets(input: Tensor, t: Targets, reduction: Reduction): Tensor {
  const picked = reshape(gather(input, t.classDim, t.index), t.weights.shape);
  const loss = neg(mul(picked, t.weights));
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? sum(loss) : div(sum(loss), t.weightSum);
}

/** @internal */
export function nllLossAs(layer: string, input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  const t = classTargets(layer, input, target, options.weight, options.ignoreIndex ?? -100);
  return nllFromTargets(input, t, reduction);
}

/**
 * The negative log-likelihood of class indices given log-probabilities, as PyTorch's `F.nll_loss`:
 * input [N, C] (or [C], [N, C, d...]), target [N] of integers in [0, C). With a class `weight`, the
 * mean divides by the summed weights of the targets; targets equal to `ignoreIndex` do not count.
 * @example nllLoss(logSoftmax(logits, 1), labels)
 */
export const nllLoss = C.api(C.sig('nllLoss', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ weight: C.nullable(C.tensor), ignoreIndex: C.int(), reduction: C.any }, { positional: ['weight'] })]), function nllLoss(input: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  return nllLossAs('nllLoss', input, target, options);
});

/** The class weights shaped to broadcast along the class dim of `input`, or 1. */
function classWeights(input: Tensor, classDim: number, weight: Tensor | null | undefined): Tensor | number {
  if (!weight) return 1;
  const shape = input.shape.map((s, i) => (i === classDim ? s : 1));
  return reshape(weight.detach().to(input.dtype), shape);
}

/** @internal */
export function crossEntropyAs(layer: string, input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = checkReduction(layer, options.reduction);
  const ls = checkRange(layer, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  const classDim = classDimOf(layer, input);
  const classes = input.shape[classDim]!;
  const logp = logSoftmax(input, classDim);
  if (target.ndim === input.ndim && target.shape.join() === input.shape.join()) {
    // Probability targets, as PyTorch: smoothing mixes them with the uniform distribution.
    checkSameDType(layer, input, target, 'target');
    checkWeight(layer, input, options.weight, classes);
    const t = ls > 0 ? mul(target, 1 - ls).add(ls / classes) : target;
    const prod = mul(mul(logp, t), classWeights(input, classDim, options.weight));
    if (reduction === 'none') return neg(sum(prod, { dim: classDim }));
    const total = neg(sum(prod));
    return reduction === 'sum' ? total : div(total, input.numel() / Math.max(classes, 1));
  }
  const t = classTargets(layer, input, target, options.weight, options.ignoreIndex ?? -100);
  const nll = nllFromTargets(logp, t, reduction);
  if (ls === 0) return nll;
  // PyTorch's label smoothing: (1 − ε)·nll + ε/C · Σ_c −w_c·log p_c, with ignored targets masked
  // and the mean divided by the same denominator as nll's.
  const smooth = mul(neg(sum(mul(logp, classWeights(input, classDim, options.weight)), { dim: classDim })), t.valid);
  let ret: Tensor;
  if (reduction === 'none') ret = smooth;
  else if (reduction === 'sum') ret = sum(smooth);
  else ret = div(sum(smooth), options.weight ? t.weightSum : sum(t.valid).item());
  return mul(nll, 1 - ls).add(mul(ret, ls / classes));
}

/**
 * Cross-entropy between logits and targets, as PyTorch's `F.cross_entropy`: log-softmax over the
 * class dim (stable) then the negative log-likelihood. Targets are class indices [N] (integers in
 * [0, C)) or probabilities of the input's shape. `labelSmoothing` ε follows PyTorch's formula.
 * @example crossEntropy(model.forward(x), labels, { labelSmoothing: 0.1 })
 */
export const crossEntropy = C.api(C.sig('crossEntropy', ['input', C.tensor], ['target', C.tensor], ['options', C.options({ labelSmoothing: C.number, weight: C.nullable(C.tensor), ignoreIndex: C.int(), reduction: C.any }, { positional: ['weight'] })]), function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  return crossEntropyAs('crossEntropy', input, target, options);
});
