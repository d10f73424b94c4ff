// The public surface of @dl/nn, read top to bottom.
export { Module, type StateDict, type ParameterOptions, type LoadStateDictOptions, type LoadStateDictResult, type BufferOptions } from './module.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export { type LinearOptions } from './modules/linear.js';
export { type Conv2dModuleOptions } from './modules/conv2d.js';
export { Loss, type LossModuleOptions, type ClassLossOptions } from './modules/loss.js';
export { type ModelOptions, type TorchCNNOptions } from './modules/models.js';
export type { Size2 } from './checks.js';
export * as F from './functional/index.js';
export * from './functional/index.js';
export * as init from './init.js';
export * as manual from './manual/index.js';
export { BatchNorm, type BatchNormModuleOptions, type LayerNormModuleOptions, type GroupNormModuleOptions } from './modules/normalization.js';
export { type DropoutModuleOptions } from './modules/shape.js';
export { l1Penalty, l2Penalty } from './regularization.js';
export { type ConvTranspose2dModuleOptions } from './modules/convTranspose2d.js';
export { type UpsampleOptions } from './modules/upsampling.js';
export { type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './modules/attention.js';
export { type TransformerEncoderLayerOptions, type TransformerEncoderLayerForwardOptions, type TransformerEncoderOptions, type TransformerEncoderForwardOptions } from './modules/transformer.js';
export { type EmbeddingModuleOptions } from './modules/embedding.js';
export { type RNNCellOptions, type RecurrentBaseOptions } from './modules/rnnCell.js';
export { type RecurrentOptions, type RNNOptions, type RecurrentForwardOptions } from './modules/recurrent.js';
export { type KLDivLossOptions } from './modules/loss.js';
export { type Conv1dModuleOptions } from './modules/conv1d.js';
export type { ForwardHook, ForwardPreHook } from './module.js';
// Side effect: the built-in layers' forward methods become checked entry points.
import './guardModules.js';
// The classes above, checked constructors (issue 10) with PyTorch's positional forms (issue 9).
export { Parameter, Linear, Conv2d, MaxPool2d, AvgPool2d, ReLU, Sigmoid, Tanh, LeakyReLU, GELU, Softmax, LogSoftmax, Flatten, Identity, Dropout, MSELoss, L1Loss, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss, TorchNet, TorchCNN, BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, Dropout2d, ConvTranspose2d, Upsample, MultiheadAttention, NonDynamicallyQuantizableLinear, TransformerEncoderLayer, TransformerEncoder, Embedding, RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU, SiLU, Softplus, ELU, Hardtanh, ReLU6, Mish, SmoothL1Loss, HuberLoss, KLDivLoss, AdaptiveAvgPool2d, Conv1d, ParameterList } from './classes.js';
