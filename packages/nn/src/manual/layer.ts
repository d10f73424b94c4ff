import { allocate, DlError, checks as C } from '@dl/autograd';
import type { Tensor, TypedArray } from '@dl/autograd';
import { fmt } from '../checks.js';

export { checkInt, fmt } from '../checks.js';

/**
 * What every hand-written layer has: `forward(x)` caches what its backward needs, and
 * `backward(dupstream)` takes ∂loss/∂output and returns ∂loss/∂input (`dx`).
 * @example const y = relu.forward(x); const dx = relu.backward(dy);
 */
export interface ManualLayer {
  forward(x: Tensor): Tensor;
  backward(dupstream: Tensor): Tensor;
}

/**
 * A hand-written layer with learnable parameters, as the course names them: weight `W`, bias `b`,
 * and their gradients `dW`, `db` (null until `backward` has run).
 */
export interface ManualParamLayer extends ManualLayer {
  W: Tensor;
  b: Tensor;
  dW: Tensor | null;
  db: Tensor | null;
  /** Samples fresh parameters; `std` is the weight's standard deviation (each layer has its default). */
  initParams(std?: number): void;
  /**
   * How `W` lies against the twin's `weight`: 'transposed' (Linear's W [in, out] vs weight [out, in])
   * or 'same'. When absent, a 2-D W is taken as transposed and any other as the same.
   */
  readonly twinLayout?: 'same' | 'transposed';
}

/**
 * A hand-written layer that keeps running statistics, as batch normalisation does: `runningMean`,
 * `runningVar` (the twin's `running_mean`, `running_var`) and the number of training batches seen.
 */
export interface ManualRunningStats {
  runningMean: Tensor;
  runningVar: Tensor;
  numBatchesTracked: number;
}

/** Whether a layer keeps running statistics (`runningMean` and `runningVar` tensors). */
export const hasRunningStats = C.api(C.sig('hasRunningStats', ['layer', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)]), function hasRunningStats(layer: object): layer is ManualRunningStats {
  const l = layer as Partial<ManualRunningStats>;
  return isTensor(l.runningMean) && isTensor(l.runningVar) && typeof l.numBatchesTracked === 'number';
});

/**
 * Whether a layer has course-style parameters (`W` and `b` tensors).
 * @example net.layers.filter(hasParams) // the Linear and Conv2d layers
 */
export const hasParams = C.api(C.sig('hasParams', ['layer', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)]), function hasParams(layer: object): layer is ManualParamLayer {
  const l = layer as Partial<ManualParamLayer>;
  return isTensor(l.W) && isTensor(l.b);
});

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'data' in x && 'shape' in x;
}

/** The cached forward value, or an error saying backward came first. */
export function cached<T>(layer: string, value: T | null): T {
  if (value === null) throw new DlError(`${layer}.backward: called before forward (nothing cached)`);
  return value;
}

/** Checks that `dupstream` has the shape and dtype of the forward output. */
export function checkUpstream(layer: string, dupstream: Tensor, outShape: readonly number[], dtype: string): void {
  if (dupstream.shape.length !== outShape.length || dupstream.shape.some((s, i) => s !== outShape[i])) {
    throw new DlError(`${layer}.backward: dupstream of shape ${fmt(dupstream.shape)} does not match the forward output shape ${fmt(outShape)}`);
  }
  if (dupstream.dtype !== dtype) {
    throw new DlError(`${layer}.backward: dupstream is ${dupstream.dtype} but the forward output was ${dtype}`);
  }
}

/** Checks that the input's dtype matches the parameters'. */
export function checkDtype(layer: string, x: Tensor, params: Tensor): void {
  if (x.dtype !== params.dtype) {
    throw new DlError(`${layer}: input of shape ${fmt(x.shape)} is ${x.dtype} but the parameters are ${params.dtype}`);
  }
}

/** A zero-filled typed array of `n` elements of the same type as `data`. */
export function allocLike(data: TypedArray, n = data.length): TypedArray {
  return allocate(data instanceof Float64Array ? 'float64' : 'float32', n);
}
