// The shared argument checker of every @dl package: one error type, kinds of arguments, signatures.
export { DlError, type DlErrorDetails } from './error.js';
export { describe } from './describe.js';
export { MAX_NUMEL, MAX_PIECES, checkNumel, checkPieces } from './limits.js';
export {
  type Kind, kind, tensor, floatTensor, tensorLike, number, bool, string, func, any, finite, int, dim, dims, shape, sizes, ints, dtype, floatDtype, oneOf,
  instance, list, optional, nullable, union, required,
} from './kinds.js';
export { options, checkOptions, camelCase, isPlainObject } from './options.js';
export { type Param, type Signature, type ParamSpec, type Checked, sig, checkArgs, normalizeArgs, api, checkedClass, guard, userCall, asDlError, checkCall } from './guard.js';
// A `generator` option: an instance of Generator.
export { generatorKind as generator } from '../random.js';
// Sliding-window geometry (convolution, pooling, unfold): the same checks and messages in every package.
export { pair, checkPoolPadding, checkWindowFits, checkOutputPadding, transposeOutputSize, type TransposeGeometry } from '../ops/windowGeometry.js';
// Internal to the @dl packages: run without recording, without noGrad's public-call bookkeeping.
export { withGradMode } from '../tape.js';
