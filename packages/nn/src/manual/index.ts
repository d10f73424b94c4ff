// @dl/nn `manual`: the course's layers with hand-written backwards, on plain tensors with no tape.
export { type ManualLayer, type ManualParamLayer, hasParams } from './layer.js';
export { type ManualLayerOptions } from './linear.js';
export { type CNNOptions } from './cnn.js';
export { type TwinModule, type TwinPair, type TwinStats } from './twin.js';
export { BatchNorm, type ManualBatchNormOptions } from './batchNorm.js';
export { type ManualLayerNormOptions } from './layerNorm.js';
export { type ManualDropoutOptions } from './dropout.js';
export { type ManualRunningStats, hasRunningStats } from './layer.js';
export { type ManualSelfAttentionOptions } from './selfAttention.js';
export { type ManualRNNBackwardOptions } from './rnn.js';
// The classes above, checked constructors (issue 10) with PyTorch's positional forms (issue 9).
export { Linear, ReLU, Sigmoid, Flatten, Conv2d, MaxPool2d, Net, CNN, BatchNorm1d, BatchNorm2d, LayerNorm, Dropout, SelfAttention, RNN, LSTMCell } from './classes.js';
export { copyToTwin, copyFromTwin, pairWithTwin, toManualLayout, manualParamLayers, twinParamModules } from './classes.js';
