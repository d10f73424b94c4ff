// The public surface of @dl/nn, read top to bottom.
export {
  Module, Parameter,
  type StateDict, type ParameterOptions, type LoadStateDictOptions, type LoadStateDictResult, type BufferOptions,
} from './module.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export { Linear, type LinearOptions } from './modules/linear.js';
export { Conv2d, type Conv2dModuleOptions } from './modules/conv2d.js';
export { MaxPool2d, AvgPool2d } from './modules/pooling.js';
export { ReLU, Sigmoid, Tanh, LeakyReLU, GELU, Softmax, LogSoftmax } from './modules/activation.js';
export { Flatten, Identity, Dropout } from './modules/shape.js';
export {
  Loss, MSELoss, L1Loss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss,
  type LossModuleOptions, type ClassLossOptions,
} from './modules/loss.js';
export { TorchNet, TorchCNN, type ModelOptions, type TorchCNNOptions } from './modules/models.js';
export type { Size2 } from './checks.js';
export * as F from './functional/index.js';
export * from './functional/index.js';
export * as init from './init.js';
export * as manual from './manual/index.js';
export {
  BatchNorm, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm,
  type BatchNormModuleOptions, type LayerNormModuleOptions, type GroupNormModuleOptions,
} from './modules/normalization.js';
export { Dropout2d, type DropoutModuleOptions } from './modules/shape.js';
export { l1Penalty, l2Penalty } from './regularization.js';
export { ConvTranspose2d, type ConvTranspose2dModuleOptions } from './modules/convTranspose2d.js';
export { Upsample, type UpsampleOptions } from './modules/upsampling.js';
export {
  MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions,
} from './modules/attention.js';
export {
  TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type TransformerEncoderLayerForwardOptions,
  type TransformerEncoderOptions, type TransformerEncoderForwardOptions,
} from './modules/transformer.js';
export { Embedding, type EmbeddingModuleOptions } from './modules/embedding.js';
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions, type RecurrentBaseOptions } from './modules/rnnCell.js';
export { RNN, LSTM, GRU, type RecurrentOptions, type RNNOptions, type RecurrentForwardOptions } from './modules/recurrent.js';
export { SiLU, Softplus, ELU, Hardtanh, ReLU6, Mish } from './modules/activation.js';
export { SmoothL1Loss, HuberLoss, KLDivLoss, type KLDivLossOptions } from './modules/loss.js';
export { AdaptiveAvgPool2d } from './modules/adaptivePool.js';
export { Conv1d, type Conv1dModuleOptions } from './modules/conv1d.js';
export { ParameterList } from './parameterList.js';
export type { ForwardHook, ForwardPreHook } from './module.js';
// Side effect: the built-in layers' forward methods become checked entry points.
import './guardModules.js';
