// The public surface of @dl/optim: the EWMA block, the optimizers built on it, schedulers and clipping.
export { ewma, ewmaOfSquares, biasCorrection } from './ewma.js';
export {
  Optimizer, type OptimizerOptions, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState,
  type StateValue, type OptimizerStateDict, type ZeroGradOptions,
} from './optimizer.js';
export { type SGDOptions, type SGDState } from './sgd.js';
export { type MomentumOptions, type MomentumState } from './momentum.js';
export { type RMSPropOptions, type RMSPropState } from './rmsprop.js';
export { type AdamOptions, type AdamWOptions, type AdamState } from './adam.js';
export { type AdagradOptions, type AdagradState } from './adagrad.js';
export { LRScheduler, type AnyOptimizer, type LRSchedulerStateDict, type StepLROptions, type MultiStepLROptions, type ExponentialLROptions, type CosineAnnealingLROptions, type LinearLROptions } from './lrScheduler.js';
export { type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduceLROnPlateau.js';
export { clipGradNorm_, clipGradValue_, clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clipGrad.js';
export { type EarlyStoppingOptions } from './earlyStopping.js';
export { type LrLambda, type OneCycleLROptions, type CosineAnnealingWarmRestartsOptions } from './lrSchedules.js';
/** PyTorch's spelling of `RMSProp` (`torch.optim.RMSprop`). */
export { type RMSPropOptions as RMSpropOptions } from './rmsprop.js';
// The classes above, checked constructors (issue 10) with PyTorch's positional forms (issue 9).
export { SGD, Momentum, RMSProp, Adam, AdamW, Adagrad, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau, EarlyStopping, LambdaLR, OneCycleLR, CosineAnnealingWarmRestarts, RMSprop } from './classes.js';
