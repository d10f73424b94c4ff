// The public constructors of @dl/nn, each checked against a full signature (issue 10) and taking PyTorch's
// positional forms (issue 9): `new Conv2d(1, 8, 3, 1, 1)`, `new Linear(3, 1, false)`, `new LeakyReLU(0.2)`, the
// options object still accepted last. Errors name the class called (TorchCNN, not the Conv2d it builds).
// index.ts exports these; the raw classes stay internal (the layers build each other unchecked).
import { checks as C, Tensor } from '@dl/autograd';
import { sizesKind as size, sizeOrKeepKind as adaptiveSize, type Size2 } from './checks.js';
import { Parameter as ParameterRaw } from './module.js';
import { Linear as LinearRaw } from './modules/linear.js';
import { Conv2d as Conv2dRaw } from './modules/conv2d.js';
import { MaxPool2d as MaxPool2dRaw, AvgPool2d as AvgPool2dRaw } from './modules/pooling.js';
import { ReLU as ReLURaw, Sigmoid as SigmoidRaw, Tanh as TanhRaw, LeakyReLU as LeakyReLURaw, GELU as GELURaw, Softmax as SoftmaxRaw, LogSoftmax as LogSoftmaxRaw, SiLU as SiLURaw, Softplus as SoftplusRaw, ELU as ELURaw, Hardtanh as HardtanhRaw, ReLU6 as ReLU6Raw, Mish as MishRaw } from './modules/activation.js';
import { Flatten as FlattenRaw, Identity as IdentityRaw, Dropout as DropoutRaw, Dropout2d as Dropout2dRaw } from './modules/shape.js';
import { MSELoss as MSELossRaw, L1Loss as L1LossRaw, NLLLoss as NLLLossRaw, CrossEntropyLoss as CrossEntropyLossRaw, BCELoss as BCELossRaw, BCEWithLogitsLoss as BCEWithLogitsLossRaw, SmoothL1Loss as SmoothL1LossRaw, HuberLoss as HuberLossRaw, KLDivLoss as KLDivLossRaw } from './modules/loss.js';
import { TorchNet as TorchNetRaw, TorchCNN as TorchCNNRaw } from './modules/models.js';
import { BatchNorm1d as BatchNorm1dRaw, BatchNorm2d as BatchNorm2dRaw, LayerNorm as LayerNormRaw, GroupNorm as GroupNormRaw } from './modules/normalization.js';
import { ConvTranspose2d as ConvTranspose2dRaw } from './modules/convTranspose2d.js';
import { Upsample as UpsampleRaw } from './modules/upsampling.js';
import { MultiheadAttention as MultiheadAttentionRaw, NonDynamicallyQuantizableLinear as NonDynamicallyQuantizableLinearRaw } from './modules/attention.js';
import { TransformerEncoderLayer as TransformerEncoderLayerRaw, TransformerEncoder as TransformerEncoderRaw } from './modules/transformer.js';
import { Embedding as EmbeddingRaw } from './modules/embedding.js';
import { RNNCell as RNNCellRaw, LSTMCell as LSTMCellRaw, GRUCell as GRUCellRaw } from './modules/rnnCell.js';
import { RNN as RNNRaw, LSTM as LSTMRaw, GRU as GRURaw } from './modules/recurrent.js';
import { AdaptiveAvgPool2d as AdaptiveAvgPool2dRaw } from './modules/adaptivePool.js';
import { Conv1d as Conv1dRaw } from './modules/conv1d.js';
import { ParameterList as ParameterListRaw } from './parameterList.js';


/** Parameter, checked. */
export const Parameter = C.checkedClass(ParameterRaw, C.sig('Parameter', ['data', C.tensor], ['options', C.options({ requiresGrad: C.bool })]));
export type Parameter = ParameterRaw;
/** Linear, checked. */
export const Linear = C.checkedClass<typeof LinearRaw, (new (inFeatures: number, outFeatures: number, bias: boolean) => LinearRaw)>(LinearRaw, C.sig('Linear', ['inFeatures', C.number], ['outFeatures', C.number], ['options', C.options({ bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['bias'] })]));
export type Linear = LinearRaw;
/** Conv2d, checked. */
export const Conv2d = C.checkedClass<typeof Conv2dRaw, (new (inChannels: number, outChannels: number, kernelSize: Size2, stride: Size2, padding?: Size2 | 'same' | 'valid', dilation?: Size2) => Conv2dRaw)>(Conv2dRaw, C.sig('Conv2d', ['inChannels', C.number], ['outChannels', C.number], ['kernelSize', size], ['options', C.options({ stride: size, padding: C.union(size, C.oneOf('same', 'valid')), dilation: size, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['stride', 'padding', 'dilation'] })]));
export type Conv2d = Conv2dRaw;
/** MaxPool2d, checked. */
export const MaxPool2d = C.checkedClass<typeof MaxPool2dRaw, (new (kernelSize: Size2, stride: Size2, padding?: Size2, dilation?: Size2) => MaxPool2dRaw)>(MaxPool2dRaw, C.sig('MaxPool2d', ['kernelSize', size], ['options', C.options({ stride: size, padding: C.union(size, C.oneOf('same', 'valid')), dilation: size }, { positional: ['stride', 'padding', 'dilation'] })]));
export type MaxPool2d = MaxPool2dRaw;
/** AvgPool2d, checked. */
export const AvgPool2d = C.checkedClass<typeof AvgPool2dRaw, (new (kernelSize: Size2, stride: Size2, padding?: Size2) => AvgPool2dRaw)>(AvgPool2dRaw, C.sig('AvgPool2d', ['kernelSize', size], ['options', C.options({ stride: size, padding: C.union(size, C.oneOf('same', 'valid')), countIncludePad: C.bool, divisorOverride: C.nullable(C.number) }, { positional: ['stride', 'padding'] })]));
export type AvgPool2d = AvgPool2dRaw;
/** ReLU, checked. */
export const ReLU = C.checkedClass(ReLURaw, C.sig('ReLU'));
export type ReLU = ReLURaw;
/** Sigmoid, checked. */
export const Sigmoid = C.checkedClass(SigmoidRaw, C.sig('Sigmoid'));
export type Sigmoid = SigmoidRaw;
/** Tanh, checked. */
export const Tanh = C.checkedClass(TanhRaw, C.sig('Tanh'));
export type Tanh = TanhRaw;
/** LeakyReLU, checked. */
export const LeakyReLU = C.checkedClass<typeof LeakyReLURaw, (new (negativeSlope: number) => LeakyReLURaw)>(LeakyReLURaw, C.sig('LeakyReLU', ['options', C.options({ negativeSlope: C.number }, { positional: ['negativeSlope'] })]));
export type LeakyReLU = LeakyReLURaw;
/** GELU, checked. */
export const GELU = C.checkedClass(GELURaw, C.sig('GELU', ['options', C.options({ approximate: C.string }, { positional: ['approximate'] })]));
export type GELU = GELURaw;
/** Softmax, checked. */
export const Softmax = C.checkedClass(SoftmaxRaw, C.sig('Softmax', ['dim', C.number]));
export type Softmax = SoftmaxRaw;
/** LogSoftmax, checked. */
export const LogSoftmax = C.checkedClass(LogSoftmaxRaw, C.sig('LogSoftmax', ['dim', C.number]));
export type LogSoftmax = LogSoftmaxRaw;
/** Flatten, checked. */
export const Flatten = C.checkedClass<typeof FlattenRaw, (new (startDim: number, endDim?: number) => FlattenRaw)>(FlattenRaw, C.sig('Flatten', ['options', C.options({ startDim: C.dim, endDim: C.dim }, { positional: ['startDim', 'endDim'] })]));
export type Flatten = FlattenRaw;
/** Identity, checked. */
export const Identity = C.checkedClass(IdentityRaw, C.sig('Identity'));
export type Identity = IdentityRaw;
/** Dropout, checked. */
export const Dropout = C.checkedClass(DropoutRaw, C.sig('Dropout', ['p', C.optional(C.number)], ['options', C.options({ generator: C.generator })]));
export type Dropout = DropoutRaw;
/** MSELoss, checked. */
export const MSELoss = C.checkedClass(MSELossRaw, C.sig('MSELoss', ['options', C.options({ reduction: C.string })]));
export type MSELoss = MSELossRaw;
/** L1Loss, checked. */
export const L1Loss = C.checkedClass(L1LossRaw, C.sig('L1Loss', ['options', C.options({ reduction: C.string })]));
export type L1Loss = L1LossRaw;
/** NLLLoss, checked. */
export const NLLLoss = C.checkedClass<typeof NLLLossRaw, (new (weight: Tensor | null) => NLLLossRaw)>(NLLLossRaw, C.sig('NLLLoss', ['options', C.options({ weight: C.nullable(C.tensor), ignoreIndex: C.number, reduction: C.string }, { positional: ['weight'] })]));
export type NLLLoss = NLLLossRaw;
/** CrossEntropyLoss, checked. */
export const CrossEntropyLoss = C.checkedClass<typeof CrossEntropyLossRaw, (new (weight: Tensor | null) => CrossEntropyLossRaw)>(CrossEntropyLossRaw, C.sig('CrossEntropyLoss', ['options', C.options({ weight: C.nullable(C.tensor), ignoreIndex: C.number, reduction: C.string, labelSmoothing: C.number }, { positional: ['weight'] })]));
export type CrossEntropyLoss = CrossEntropyLossRaw;
/** BCELoss, checked. */
export const BCELoss = C.checkedClass<typeof BCELossRaw, (new (weight: Tensor | null) => BCELossRaw)>(BCELossRaw, C.sig('BCELoss', ['options', C.options({ reduction: C.string, weight: C.nullable(C.tensor) }, { positional: ['weight'] })]));
export type BCELoss = BCELossRaw;
/** BCEWithLogitsLoss, checked. */
export const BCEWithLogitsLoss = C.checkedClass<typeof BCEWithLogitsLossRaw, (new (weight: Tensor | null) => BCEWithLogitsLossRaw)>(BCEWithLogitsLossRaw, C.sig('BCEWithLogitsLoss', ['options', C.options({ reduction: C.string, weight: C.nullable(C.tensor), posWeight: C.nullable(C.tensor) }, { positional: ['weight'] })]));
export type BCEWithLogitsLoss = BCEWithLogitsLossRaw;
/** TorchNet, checked. */
export const TorchNet = C.checkedClass(TorchNetRaw, C.sig('TorchNet', ['inFeatures', C.number], ['hiddenDim', C.number], ['outFeatures', C.number], ['options', C.options({ dtype: C.floatDtype })]));
export type TorchNet = TorchNetRaw;
/** TorchCNN, checked. */
export const TorchCNN = C.checkedClass(TorchCNNRaw, C.sig('TorchCNN', ['inChannels', C.number], ['hiddenChannels', C.number], ['outFeatures', C.number], ['options', C.options({ imageSize: C.number, dtype: C.floatDtype })]));
export type TorchCNN = TorchCNNRaw;
/** BatchNorm1d, checked. */
export const BatchNorm1d = C.checkedClass(BatchNorm1dRaw, C.sig('BatchNorm1d', ['numFeatures', C.number], ['options', C.options({ eps: C.number, momentum: C.nullable(C.number), affine: C.bool, bias: C.bool, trackRunningStats: C.bool, dtype: C.floatDtype }, { positional: ['eps', 'momentum', 'affine', 'trackRunningStats'] })]));
export type BatchNorm1d = BatchNorm1dRaw;
/** BatchNorm2d, checked. */
export const BatchNorm2d = C.checkedClass(BatchNorm2dRaw, C.sig('BatchNorm2d', ['numFeatures', C.number], ['options', C.options({ eps: C.number, momentum: C.nullable(C.number), affine: C.bool, bias: C.bool, trackRunningStats: C.bool, dtype: C.floatDtype }, { positional: ['eps', 'momentum', 'affine', 'trackRunningStats'] })]));
export type BatchNorm2d = BatchNorm2dRaw;
/** LayerNorm, checked. */
export const LayerNorm = C.checkedClass(LayerNormRaw, C.sig('LayerNorm', ['normalizedShape', size], ['options', C.options({ eps: C.number, elementwiseAffine: C.bool, bias: C.bool, dtype: C.floatDtype }, { positional: ['eps', 'elementwiseAffine', 'bias'] })]));
export type LayerNorm = LayerNormRaw;
/** GroupNorm, checked. */
export const GroupNorm = C.checkedClass(GroupNormRaw, C.sig('GroupNorm', ['numGroups', C.number], ['numChannels', C.number], ['options', C.options({ eps: C.number, affine: C.bool, bias: C.bool, dtype: C.floatDtype }, { positional: ['eps', 'affine'] })]));
export type GroupNorm = GroupNormRaw;
/** Dropout2d, checked. */
export const Dropout2d = C.checkedClass(Dropout2dRaw, C.sig('Dropout2d', ['p', C.optional(C.number)], ['options', C.options({ generator: C.generator })]));
export type Dropout2d = Dropout2dRaw;
/** ConvTranspose2d, checked. */
export const ConvTranspose2d = C.checkedClass(ConvTranspose2dRaw, C.sig('ConvTranspose2d', ['inChannels', C.number], ['outChannels', C.number], ['kernelSize', size], ['options', C.options({ stride: size, padding: C.union(size, C.oneOf('same', 'valid')), outputPadding: size, dilation: size, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['stride', 'padding', 'outputPadding'] })]));
export type ConvTranspose2d = ConvTranspose2dRaw;
/** Upsample, checked. */
export const Upsample = C.checkedClass(UpsampleRaw, C.sig('Upsample', ['options', C.options({ size: C.any, scaleFactor: C.any, mode: C.string, alignCorners: C.bool, recomputeScaleFactor: C.bool }, { positional: ['size', 'scaleFactor', 'mode', 'alignCorners'] })]));
export type Upsample = UpsampleRaw;
/** MultiheadAttention, checked. */
export const MultiheadAttention = C.checkedClass(MultiheadAttentionRaw, C.sig('MultiheadAttention', ['embedDim', C.number], ['numHeads', C.number], ['options', C.options({ batchFirst: C.bool, dropout: C.number, bias: C.bool, kdim: C.nullable(C.number), vdim: C.nullable(C.number), dtype: C.floatDtype, generator: C.generator }, { positional: ['dropout', 'bias'] })]));
export type MultiheadAttention = MultiheadAttentionRaw;
/** NonDynamicallyQuantizableLinear, checked. */
export const NonDynamicallyQuantizableLinear = C.checkedClass(NonDynamicallyQuantizableLinearRaw, C.sig('NonDynamicallyQuantizableLinear', ['inFeatures', C.number], ['outFeatures', C.number], ['options', C.options({ bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['bias'] })]));
export type NonDynamicallyQuantizableLinear = NonDynamicallyQuantizableLinearRaw;
/** TransformerEncoderLayer, checked. */
export const TransformerEncoderLayer = C.checkedClass(TransformerEncoderLayerRaw, C.sig('TransformerEncoderLayer', ['dModel', C.number], ['nhead', C.number], ['options', C.options({ dimFeedforward: C.number, dropout: C.number, activation: C.union(C.string, C.func), layerNormEps: C.number, batchFirst: C.bool, normFirst: C.bool, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'bias'] })]));
export type TransformerEncoderLayer = TransformerEncoderLayerRaw;
/** TransformerEncoder, checked. */
export const TransformerEncoder = C.checkedClass(TransformerEncoderRaw, C.sig('TransformerEncoder', ['encoderLayer', C.instance(TransformerEncoderLayerRaw, 'a TransformerEncoderLayer')], ['numLayers', C.number], ['options', C.options({ norm: C.any }, { positional: ['norm'] })]));
export type TransformerEncoder = TransformerEncoderRaw;
/** Embedding, checked. */
export const Embedding = C.checkedClass(EmbeddingRaw, C.sig('Embedding', ['numEmbeddings', C.number], ['embeddingDim', C.number], ['options', C.options({ paddingIdx: C.nullable(C.number), dtype: C.floatDtype, generator: C.generator }, { positional: ['paddingIdx'] })]));
export type Embedding = EmbeddingRaw;
/** RNNCell, checked. */
export const RNNCell = C.checkedClass(RNNCellRaw, C.sig('RNNCell', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ nonlinearity: C.string, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['bias', 'nonlinearity'] })]));
export type RNNCell = RNNCellRaw;
/** LSTMCell, checked. */
export const LSTMCell = C.checkedClass(LSTMCellRaw, C.sig('LSTMCell', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['bias'] })]));
export type LSTMCell = LSTMCellRaw;
/** GRUCell, checked. */
export const GRUCell = C.checkedClass(GRUCellRaw, C.sig('GRUCell', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['bias'] })]));
export type GRUCell = GRUCellRaw;
/** RNN, checked. */
export const RNN = C.checkedClass(RNNRaw, C.sig('RNN', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ nonlinearity: C.string, numLayers: C.number, batchFirst: C.bool, dropout: C.number, bidirectional: C.bool, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['numLayers'] })]));
export type RNN = RNNRaw;
/** LSTM, checked. */
export const LSTM = C.checkedClass(LSTMRaw, C.sig('LSTM', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ numLayers: C.number, batchFirst: C.bool, dropout: C.number, bidirectional: C.bool, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['numLayers'] })]));
export type LSTM = LSTMRaw;
/** GRU, checked. */
export const GRU = C.checkedClass(GRURaw, C.sig('GRU', ['inputSize', C.number], ['hiddenSize', C.number], ['options', C.options({ numLayers: C.number, batchFirst: C.bool, dropout: C.number, bidirectional: C.bool, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['numLayers'] })]));
export type GRU = GRURaw;
/** SiLU, checked. */
export const SiLU = C.checkedClass(SiLURaw, C.sig('SiLU'));
export type SiLU = SiLURaw;
/** Softplus, checked. */
export const Softplus = C.checkedClass(SoftplusRaw, C.sig('Softplus', ['options', C.options({ beta: C.number, threshold: C.number }, { positional: ['beta', 'threshold'] })]));
export type Softplus = SoftplusRaw;
/** ELU, checked. */
export const ELU = C.checkedClass<typeof ELURaw, (new (alpha: number) => ELURaw)>(ELURaw, C.sig('ELU', ['options', C.options({ alpha: C.number }, { positional: ['alpha'] })]));
export type ELU = ELURaw;
/** Hardtanh, checked. */
export const Hardtanh = C.checkedClass(HardtanhRaw, C.sig('Hardtanh', ['options', C.options({ minVal: C.number, maxVal: C.number }, { positional: ['minVal', 'maxVal'] })]));
export type Hardtanh = HardtanhRaw;
/** ReLU6, checked. */
export const ReLU6 = C.checkedClass(ReLU6Raw, C.sig('ReLU6'));
export type ReLU6 = ReLU6Raw;
/** Mish, checked. */
export const Mish = C.checkedClass(MishRaw, C.sig('Mish'));
export type Mish = MishRaw;
/** SmoothL1Loss, checked. */
export const SmoothL1Loss = C.checkedClass(SmoothL1LossRaw, C.sig('SmoothL1Loss', ['options', C.options({ reduction: C.string, beta: C.number })]));
export type SmoothL1Loss = SmoothL1LossRaw;
/** HuberLoss, checked. */
export const HuberLoss = C.checkedClass(HuberLossRaw, C.sig('HuberLoss', ['options', C.options({ reduction: C.string, delta: C.number })]));
export type HuberLoss = HuberLossRaw;
/** KLDivLoss, checked. */
export const KLDivLoss = C.checkedClass(KLDivLossRaw, C.sig('KLDivLoss', ['options', C.options({ reduction: C.string, logTarget: C.bool })]));
export type KLDivLoss = KLDivLossRaw;
/** AdaptiveAvgPool2d, checked. */
export const AdaptiveAvgPool2d = C.checkedClass(AdaptiveAvgPool2dRaw, C.sig('AdaptiveAvgPool2d', ['outputSize', adaptiveSize]));
export type AdaptiveAvgPool2d = AdaptiveAvgPool2dRaw;
/** Conv1d, checked. */
export const Conv1d = C.checkedClass<typeof Conv1dRaw, (new (inChannels: number, outChannels: number, kernelSize: number, stride: number, padding?: number | 'same' | 'valid', dilation?: number) => Conv1dRaw)>(Conv1dRaw, C.sig('Conv1d', ['inChannels', C.number], ['outChannels', C.number], ['kernelSize', size], ['options', C.options({ stride: size, padding: C.union(size, C.oneOf('same', 'valid')), dilation: size, bias: C.bool, dtype: C.floatDtype, generator: C.generator }, { positional: ['stride', 'padding', 'dilation'] })]));
export type Conv1d = Conv1dRaw;
/** ParameterList, checked. */
export const ParameterList = C.checkedClass(ParameterListRaw, C.sig('ParameterList', ['parameters', C.optional(C.kind('parameters', 'an iterable of Parameters', (v) => typeof v === 'object' && v !== null && !(v instanceof Tensor) && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'))]));
export type ParameterList = ParameterListRaw;
