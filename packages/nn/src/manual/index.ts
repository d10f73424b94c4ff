// @dl/nn `manual`: the course's layers with hand-written backwards, on plain tensors with no tape.
export { type ManualLayer, type ManualParamLayer, hasParams } from './layer.js';
export { Linear, type ManualLayerOptions } from './linear.js';
export { ReLU } from './relu.js';
export { Sigmoid } from './sigmoid.js';
export { Flatten } from './flatten.js';
export { Conv2d } from './conv2d.js';
export { MaxPool2d } from './maxPool2d.js';
export { Net } from './net.js';
export { CNN, type CNNOptions } from './cnn.js';
export {
  copyToTwin, copyFromTwin, pairWithTwin, toManualLayout, manualParamLayers, twinParamModules,
  type TwinModule, type TwinPair, type TwinStats,
} from './twin.js';
export { BatchNorm, BatchNorm1d, BatchNorm2d, type ManualBatchNormOptions } from './batchNorm.js';
export { LayerNorm, type ManualLayerNormOptions } from './layerNorm.js';
export { Dropout, type ManualDropoutOptions } from './dropout.js';
export { type ManualRunningStats, hasRunningStats } from './layer.js';
export { SelfAttention, type ManualSelfAttentionOptions } from './selfAttention.js';
export { RNN, type ManualRNNBackwardOptions } from './rnn.js';
export { LSTMCell } from './lstmCell.js';
