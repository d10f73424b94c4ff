// The public surface of @dl/autograd, read top to bottom.
export { DlError, type DlErrorDetails } from './checks/error.js';
/** The shared argument checker (kinds, signatures, `api`), for the other @dl packages and your own layers. */
export * as checks from './checks/index.js';
export { Tensor, type TensorLike, type NestedArray, type GradHook, type RemovableHandle } from './tensor.js';
export { type DType, type FloatDType, type TypedArray, type FloatArray, defaultDType } from './dtype.js';
export { type Shape } from './shape.js';
export {
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, rand, randn, randint, randnLike, randLike,
  type TensorOptions, type RandomOptions, type ArangeOptions,
} from './creation.js';
export { manualSeed, defaultGenerator } from './random.js';
export { setBackend, getBackend, availableBackends, allocate, addScaledInto } from './backend/select.js';
export { type Backend, type BackendName } from './backend/backend.js';
export { setNumThreads, getNumThreads } from './threads.js';
export { initWebGpu, webgpuReady, synchronize, type Device } from './device.js';
export { noGrad, enableGrad, detectAnomaly, type Node } from './tape.js';
export { markModified, versionOf } from './version.js';
export { type BackwardOptions } from './engine.js';
export {
  defineOp, defineOpWithAux, type OpSpec, type OpSpecWithAux, type PublicOpSpec, type PublicOp, type Op, type OpWithAux, type OpInputs, type BackwardContext,
  type BackwardContextWithAux, type ForwardResult, type ForwardWithAux,
} from './op.js';
export { gradients, grad, valueAndGrad, vjp, jvp, hessian, type GradientsOptions, type ArgnumsOptions } from './functional.js';
export { gradcheck, gradgradcheck, GradcheckError, type GradcheckOptions } from './gradcheck.js';
// Checked at the export (issue 10): Generator, broadcastShapes, isGradEnabled.
export { Generator, broadcastShapes, isGradEnabled } from './public.js';
export * from './ops/elementwise.js';
export * from './ops/activation.js';
export * from './ops/reduce.js';
export * from './ops/linalg.js';
export * from './ops/movement.js';
export * from './ops/indexing.js';
export * from './ops/image.js';
export * from './ops/convolution.js';
export * from './ops/compare.js';
export * from './ops/attention.js';
export * from './ops/recurrent.js';
export * from './ops/cumulative.js';
export * from './ops/sorting.js';
export { flip, roll, repeat, tile, triu, tril, type IntList } from './ops/shaping.js';
export * from './ops/linalgExtra.js';
export * from './ops/rounding.js';
export * from './ops/sampling.js';
export { setDType_, setDevice_, setDeviceAsync_, add_, sub_, mul_, div_, zero_, fill_, copy_, clamp_, type AlphaOptions, type ClampBounds } from './ops/inplace.js';
export { index, indexPut, indexPut_, select, narrow, take, maskedFill, maskedSelect, scatter, scatterAdd, type IndexPutOptions } from './ops/select.js';
export { type IndexItem, type MaskIndex } from './ops/indexExpr.js';
// Every op above is built in; ops defined from here on are users' (defineOp then checks for views of inputs).
import { endBuiltinDefinitions } from './op.js';
endBuiltinDefinitions();
