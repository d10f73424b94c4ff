// The public constructors of @dl/optim, each checked against a full signature (issue 10) and taking PyTorch's
// positional forms (issue 9): `new Adam(params, 0.1)`, `new SGD(params, 0.1, 0.9)`, `new MultiStepLR(opt, [30, 80])`,
// the options object still accepted last. index.ts exports these; the raw classes stay internal.
import { Tensor, checks as C } from '@dl/autograd';
import type { ParamsInput } from './optimizer.js';
import type { AnyOptimizer } from './lrScheduler.js';
import type { SGDOptions } from './sgd.js';
import type { AdamOptions, AdamWOptions } from './adam.js';
import type { RMSPropOptions } from './rmsprop.js';
import type { AdagradOptions } from './adagrad.js';
import { SGD as SGDRaw } from './sgd.js';
import { Momentum as MomentumRaw } from './momentum.js';
import { RMSProp as RMSPropRaw } from './rmsprop.js';
import { Adam as AdamRaw, AdamW as AdamWRaw } from './adam.js';
import { Adagrad as AdagradRaw } from './adagrad.js';
import { StepLR as StepLRRaw, MultiStepLR as MultiStepLRRaw, ExponentialLR as ExponentialLRRaw, CosineAnnealingLR as CosineAnnealingLRRaw, LinearLR as LinearLRRaw } from './lrScheduler.js';
import { ReduceLROnPlateau as ReduceLROnPlateauRaw } from './reduceLROnPlateau.js';
import { EarlyStopping as EarlyStoppingRaw } from './earlyStopping.js';
import { LambdaLR as LambdaLRRaw, OneCycleLR as OneCycleLRRaw, CosineAnnealingWarmRestarts as CosineAnnealingWarmRestartsRaw } from './lrSchedules.js';

/** An optimizer's params: an array (or iterable) of tensors or of parameter groups, never one tensor. */
const params: C.Kind = {
  ...C.kind('params', 'an iterable of tensors or of parameter groups', (v) =>
    typeof v === 'object' && v !== null && !(v instanceof Tensor) && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'),
  check(fn, arg, v) {
    if (v instanceof Tensor) throw new C.DlError(fn, `${arg} must be an iterable of tensors or of parameter groups, got a single Tensor`, { arg, hint: 'wrap it in an array: [tensor]' });
    if (typeof v !== 'object' || v === null || typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
      throw new C.DlError(fn, `${arg} must be an iterable of tensors or of parameter groups (model.parameters()), got ${C.describe(v)}`, { arg });
    }
  },
};
/** The optimizer a scheduler drives. */
// Checked by the scheduler itself, which names what it got (`expected an Optimizer, got object`).
const optimizer = C.any;

/** SGD, checked. */
export const SGD = C.checkedClass<typeof SGDRaw, (new (params: ParamsInput<SGDOptions>, lr: number, momentum?: number, dampening?: number, weightDecay?: number, nesterov?: boolean) => SGDRaw)>(SGDRaw, C.sig('SGD', ['params', params], ['options', C.options({ momentum: C.any, dampening: C.any, weightDecay: C.any, nesterov: C.bool, maximize: C.bool, lr: C.any }, { positional: ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'] })]));
export type SGD = SGDRaw;
/** Momentum, checked. */
export const Momentum = C.checkedClass(MomentumRaw, C.sig('Momentum', ['params', params], ['options', C.options({ rho: C.any, weightDecay: C.any, maximize: C.bool, lr: C.any }, { positional: ['lr'] })]));
export type Momentum = MomentumRaw;
/** RMSProp, checked. */
export const RMSProp = C.checkedClass<typeof RMSPropRaw, (new (params: ParamsInput<RMSPropOptions>, lr: number, alpha?: number, eps?: number, weightDecay?: number, momentum?: number, centered?: boolean) => RMSPropRaw)>(RMSPropRaw, C.sig('RMSProp', ['params', params], ['options', C.options({ alpha: C.any, eps: C.any, weightDecay: C.any, momentum: C.any, centered: C.bool, maximize: C.bool, lr: C.any }, { positional: ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered'] })]));
export type RMSProp = RMSPropRaw;
/** PyTorch's spelling of `RMSProp` (`torch.optim.RMSprop`): the same class. */
export const RMSprop = RMSProp;
export type RMSprop = RMSPropRaw;
/** Adam, checked. */
export const Adam = C.checkedClass<typeof AdamRaw, (new (params: ParamsInput<AdamOptions>, lr: number, betas?: [number, number], eps?: number, weightDecay?: number, amsgrad?: boolean) => AdamRaw)>(AdamRaw, C.sig('Adam', ['params', params], ['options', C.options({ betas: C.any, eps: C.any, weightDecay: C.any, amsgrad: C.bool, maximize: C.bool, decoupledWeightDecay: C.any, lr: C.any }, { positional: ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] })]));
export type Adam = AdamRaw;
/** AdamW, checked. */
export const AdamW = C.checkedClass<typeof AdamWRaw, (new (params: ParamsInput<AdamWOptions>, lr: number, betas?: [number, number], eps?: number, weightDecay?: number, amsgrad?: boolean) => AdamWRaw)>(AdamWRaw, C.sig('AdamW', ['params', params], ['options', C.options({ weightDecay: C.any, maximize: C.bool, lr: C.any, eps: C.any, betas: C.any, amsgrad: C.bool }, { positional: ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'] })]));
export type AdamW = AdamWRaw;
/** Adagrad, checked. */
export const Adagrad = C.checkedClass<typeof AdagradRaw, (new (params: ParamsInput<AdagradOptions>, lr: number, lrDecay?: number, weightDecay?: number, initialAccumulatorValue?: number, eps?: number) => AdagradRaw)>(AdagradRaw, C.sig('Adagrad', ['params', params], ['options', C.options({ lrDecay: C.any, weightDecay: C.any, initialAccumulatorValue: C.any, eps: C.any, maximize: C.bool, lr: C.any }, { positional: ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps'] })]));
export type Adagrad = AdagradRaw;
/** StepLR, checked. */
export const StepLR = C.checkedClass<typeof StepLRRaw, (new (optimizer: AnyOptimizer, stepSize: number, gamma?: number) => StepLRRaw)>(StepLRRaw, C.sig('StepLR', ['optimizer', optimizer], ['options', C.required(C.options({ stepSize: C.any, gamma: C.any }, { positional: ['stepSize', 'gamma'] }))]));
export type StepLR = StepLRRaw;
/** MultiStepLR, checked. */
export const MultiStepLR = C.checkedClass<typeof MultiStepLRRaw, (new (optimizer: AnyOptimizer, milestones: readonly number[], gamma?: number) => MultiStepLRRaw)>(MultiStepLRRaw, C.sig('MultiStepLR', ['optimizer', optimizer], ['options', C.required(C.options({ milestones: C.list(C.number), gamma: C.any }, { positional: ['milestones', 'gamma'] }))]));
export type MultiStepLR = MultiStepLRRaw;
/** ExponentialLR, checked. */
export const ExponentialLR = C.checkedClass<typeof ExponentialLRRaw, (new (optimizer: AnyOptimizer, gamma: number) => ExponentialLRRaw)>(ExponentialLRRaw, C.sig('ExponentialLR', ['optimizer', optimizer], ['options', C.required(C.options({ gamma: C.any }, { positional: ['gamma'] }))]));
export type ExponentialLR = ExponentialLRRaw;
/** CosineAnnealingLR, checked. */
export const CosineAnnealingLR = C.checkedClass<typeof CosineAnnealingLRRaw, (new (optimizer: AnyOptimizer, tMax: number, etaMin?: number) => CosineAnnealingLRRaw)>(CosineAnnealingLRRaw, C.sig('CosineAnnealingLR', ['optimizer', optimizer], ['options', C.required(C.options({ tMax: C.any, etaMin: C.any }, { positional: ['tMax', 'etaMin'] }))]));
export type CosineAnnealingLR = CosineAnnealingLRRaw;
/** LinearLR, checked. */
export const LinearLR = C.checkedClass(LinearLRRaw, C.sig('LinearLR', ['optimizer', optimizer], ['options', C.options({ startFactor: C.any, endFactor: C.any, totalIters: C.any }, { positional: ['startFactor', 'endFactor', 'totalIters'] })]));
export type LinearLR = LinearLRRaw;
/** ReduceLROnPlateau, checked. */
export const ReduceLROnPlateau = C.checkedClass(ReduceLROnPlateauRaw, C.sig('ReduceLROnPlateau', ['optimizer', optimizer], ['options', C.options({ mode: C.any, factor: C.any, patience: C.any, threshold: C.any, thresholdMode: C.any, cooldown: C.any, minLr: C.any, eps: C.any }, { positional: ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] })]));
export type ReduceLROnPlateau = ReduceLROnPlateauRaw;
/** EarlyStopping, checked. */
export const EarlyStopping = C.checkedClass(EarlyStoppingRaw, C.sig('EarlyStopping', ['options', C.required(C.options({ patience: C.any, minDelta: C.any, mode: C.any }))]));
export type EarlyStopping = EarlyStoppingRaw;
/** LambdaLR, checked. */
export const LambdaLR = C.checkedClass(LambdaLRRaw, C.sig('LambdaLR', ['optimizer', optimizer], ['lrLambda', C.union(C.func, C.list(C.func))]));
export type LambdaLR = LambdaLRRaw;
/** OneCycleLR, checked. */
export const OneCycleLR = C.checkedClass(OneCycleLRRaw, C.sig('OneCycleLR', ['optimizer', optimizer], ['options', C.required(C.options({ maxLr: C.any, totalSteps: C.any, epochs: C.any, stepsPerEpoch: C.any, pctStart: C.any, annealStrategy: C.any, cycleMomentum: C.bool, baseMomentum: C.any, maxMomentum: C.any, divFactor: C.any, finalDivFactor: C.any, threePhase: C.bool }, { positional: ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase'] }))]));
export type OneCycleLR = OneCycleLRRaw;
/** CosineAnnealingWarmRestarts, checked. */
export const CosineAnnealingWarmRestarts = C.checkedClass(CosineAnnealingWarmRestartsRaw, C.sig('CosineAnnealingWarmRestarts', ['optimizer', optimizer], ['options', C.required(C.options({ T0: C.any, TMult: C.any, etaMin: C.any }, { positional: ['T0', 'TMult', 'etaMin'] }))]));
export type CosineAnnealingWarmRestarts = CosineAnnealingWarmRestartsRaw;
