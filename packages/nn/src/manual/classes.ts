// The public constructors of nn.manual, checked as those of nn (see ../classes.ts).
import { checks as C } from '@dl/autograd';
import { sizesKind } from '../checks.js';
import * as twin from './twin.js';
import { Linear as LinearRaw } from './linear.js';
import { ReLU as ReLURaw } from './relu.js';
import { Sigmoid as SigmoidRaw } from './sigmoid.js';
import { Flatten as FlattenRaw } from './flatten.js';
import { Conv2d as Conv2dRaw } from './conv2d.js';
import { MaxPool2d as MaxPool2dRaw } from './maxPool2d.js';
import { Net as NetRaw } from './net.js';
import { CNN as CNNRaw } from './cnn.js';
import { BatchNorm1d as BatchNorm1dRaw, BatchNorm2d as BatchNorm2dRaw } from './batchNorm.js';
import { LayerNorm as LayerNormRaw } from './layerNorm.js';
import { Dropout as DropoutRaw } from './dropout.js';
import { SelfAttention as SelfAttentionRaw } from './selfAttention.js';
import { RNN as RNNRaw } from './rnn.js';
import { LSTMCell as LSTMCellRaw } from './lstmCell.js';


/** nn.manual.Linear, checked. */
export const Linear = C.checkedClass(LinearRaw, C.sig('Linear', ['inFeatures', C.number], ['outFeatures', C.number], ['options', C.options({ dtype: C.floatDtype, generator: C.generator })]));
export type Linear = LinearRaw;
/** nn.manual.ReLU, checked. */
export const ReLU = C.checkedClass(ReLURaw, C.sig('ReLU'));
export type ReLU = ReLURaw;
/** nn.manual.Sigmoid, checked. */
export const Sigmoid = C.checkedClass(SigmoidRaw, C.sig('Sigmoid'));
export type Sigmoid = SigmoidRaw;
/** nn.manual.Flatten, checked. */
export const Flatten = C.checkedClass(FlattenRaw, C.sig('Flatten'));
export type Flatten = FlattenRaw;
/** nn.manual.Conv2d, checked. */
export const Conv2d = C.checkedClass(Conv2dRaw, C.sig('Conv2d', ['inChannels', C.number], ['outChannels', C.number], ['kernelSize', C.number], ['stride', C.optional(C.number)], ['padding', C.optional(C.number)], ['options', C.options({ dtype: C.floatDtype, generator: C.generator })]));
export type Conv2d = Conv2dRaw;
/** nn.manual.MaxPool2d, checked. */
export const MaxPool2d = C.checkedClass(MaxPool2dRaw, C.sig('MaxPool2d', ['kernelSize', C.number], ['stride', C.optional(C.number)], ['padding', C.optional(C.number)]));
export type MaxPool2d = MaxPool2dRaw;
/** nn.manual.Net, checked. */
export const Net = C.checkedClass(NetRaw, C.sig('Net', ['layers', C.list(C.any)]));
export type Net = NetRaw;
/** nn.manual.CNN, checked. */
export const CNN = C.checkedClass(CNNRaw, C.sig('CNN', ['inChannels', C.number], ['hiddenChannels', C.number], ['outFeatures', C.number], ['options', C.options({ imageSize: C.number, dtype: C.floatDtype, generator: C.generator })]));
export type CNN = CNNRaw;
/** nn.manual.BatchNorm1d, checked. */
export const BatchNorm1d = C.checkedClass(BatchNorm1dRaw, C.sig('BatchNorm1d', ['numFeatures', C.number], ['options', C.options({ eps: C.number, momentum: C.nullable(C.number), dtype: C.floatDtype })]));
export type BatchNorm1d = BatchNorm1dRaw;
/** nn.manual.BatchNorm2d, checked. */
export const BatchNorm2d = C.checkedClass(BatchNorm2dRaw, C.sig('BatchNorm2d', ['numFeatures', C.number], ['options', C.options({ eps: C.number, momentum: C.nullable(C.number), dtype: C.floatDtype })]));
export type BatchNorm2d = BatchNorm2dRaw;
/** nn.manual.LayerNorm, checked. */
export const LayerNorm = C.checkedClass(LayerNormRaw, C.sig('LayerNorm', ['normalizedShape', sizesKind], ['options', C.options({ dtype: C.floatDtype, eps: C.number })]));
export type LayerNorm = LayerNormRaw;
/** nn.manual.Dropout, checked. */
export const Dropout = C.checkedClass(DropoutRaw, C.sig('Dropout', ['p', C.optional(C.number)], ['options', C.options({ generator: C.generator })]));
export type Dropout = DropoutRaw;
/** nn.manual.SelfAttention, checked. */
export const SelfAttention = C.checkedClass(SelfAttentionRaw, C.sig('SelfAttention', ['dModel', C.number], ['options', C.options({ causal: C.bool, dtype: C.floatDtype, generator: C.generator })]));
export type SelfAttention = SelfAttentionRaw;
/** nn.manual.RNN, checked. */
export const RNN = C.checkedClass(RNNRaw, C.sig('RNN', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ dtype: C.floatDtype, generator: C.generator })]));
export type RNN = RNNRaw;
/** nn.manual.LSTMCell, checked. */
export const LSTMCell = C.checkedClass(LSTMCellRaw, C.sig('LSTMCell', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ dtype: C.floatDtype, generator: C.generator })]));
export type LSTMCell = LSTMCellRaw;

// The twin helpers, checked at the export: crossCheck calls the raw ones, so its errors name crossCheck.
/** manualParamLayers, checked. */
export const manualParamLayers = C.api(C.sig('manualParamLayers', ['manual', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)]), twin.manualParamLayers);
/** twinParamModules, checked. */
export const twinParamModules = C.api(C.sig('twinParamModules', ['twin', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)]), twin.twinParamModules);
/** pairWithTwin, checked. */
export const pairWithTwin = C.api(C.sig('pairWithTwin', ['manual', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['twin', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['op', C.optional(C.string)]), twin.pairWithTwin);
/** toManualLayout, checked. */
export const toManualLayout = C.api(C.sig('toManualLayout', ['pair', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['t', C.tensor]), twin.toManualLayout);
/** copyToTwin, checked. */
export const copyToTwin = C.api(C.sig('copyToTwin', ['manual', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['twin', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)]), twin.copyToTwin);
/** copyFromTwin, checked. */
export const copyFromTwin = C.api(C.sig('copyFromTwin', ['twin', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['manual', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)]), twin.copyFromTwin);
