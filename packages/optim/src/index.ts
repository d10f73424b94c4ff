// The public surface of @dl/optim: the EWMA block, the optimizers built on it, schedulers and clipping.
export { ewma, ewmaOfSquares, biasCorrection } from './ewma.js';
export {
  Optimizer, type OptimizerOptions, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState,
  type StateValue, type OptimizerStateDict, type ZeroGradOptions,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDState } from './sgd.js';
export { Momentum, type MomentumOptions, type MomentumState } from './momentum.js';
export { RMSProp, type RMSPropOptions, type RMSPropState } from './rmsprop.js';
export { Adam, AdamW, type AdamOptions, type AdamWOptions, type AdamState } from './adam.js';
export { Adagrad, type AdagradOptions, type AdagradState } from './adagrad.js';
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, type AnyOptimizer, type LRSchedulerStateDict,
  type StepLROptions, type MultiStepLROptions, type ExponentialLROptions, type CosineAnnealingLROptions, type LinearLROptions,
} from './lrScheduler.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauStateDict } from './reduceLROnPlateau.js';
export { clipGradNorm_, clipGradValue_, clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clipGrad.js';
export { EarlyStopping, type EarlyStoppingOptions } from './earlyStopping.js';
export {
  LambdaLR, OneCycleLR, CosineAnnealingWarmRestarts, type LrLambda, type OneCycleLROptions, type CosineAnnealingWarmRestartsOptions,
} from './lrSchedules.js';
/** PyTorch's spelling of `RMSProp` (`torch.optim.RMSprop`). */
export { RMSProp as RMSprop, type RMSPropOptions as RMSpropOptions } from './rmsprop.js';
