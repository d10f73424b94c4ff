// The functional API, as torch.nn.functional: exported as `F` and by name.
export { linear } from './linear.js';
export { conv2d, type Conv2dOptions } from './conv.js';
export { maxPool2d, avgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './pooling.js';
export { relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, dropout, type DropoutOptions, type LeakyReluOptions, type GeluOptions } from './activation.js';
export {
  mseLoss, l1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  type LossOptions, type BCEOptions, type BCEWithLogitsOptions,
} from './loss.js';
export { nllLoss, crossEntropy, type NllLossOptions, type CrossEntropyOptions } from './classification.js';
export type { Reduction } from './reduction.js';
export { batchNorm, layerNorm, groupNorm, dropout2d, type BatchNormOptions, type NormOptions, type Dropout2dOptions } from './normalization.js';
export { convTranspose2d, type ConvTranspose2dOptions } from './convTranspose.js';
export { interpolate, type InterpolateOptions, type InterpolateMode, type Scale2 } from './interpolate.js';
export {
  scaledDotProductAttention, scaledDotProductAttentionWithWeights, maskFromAllowed, maskFromBlocked, sinusoidalPositionalEncoding,
  type ScaledDotProductAttentionOptions, type AttentionResult, type PositionalEncodingOptions,
} from './attention.js';
export { embedding, type EmbeddingOptions } from './embedding.js';
export {
  silu, softplus, elu, hardtanh, relu6, mish, type SoftplusOptions, type EluOptions, type HardtanhOptions,
} from './activation.js';
export {
  smoothL1Loss, huberLoss, klDiv, type SmoothL1LossOptions, type HuberLossOptions, type KLDivOptions, type KLDivReduction,
} from './loss.js';
export { adaptiveAvgPool2d, type AdaptiveSize2 } from './adaptivePool.js';
export { conv1d, type Conv1dOptions, type Size1 } from './conv1d.js';
export { normalize, oneHot, type NormalizeOptions, type OneHotOptions } from './vectors.js';
