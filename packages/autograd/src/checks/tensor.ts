// The checks of the Tensor class itself: construction, `.grad` assignment and hooks keep dtypes honest.
import { Tensor } from '../tensor.js';
import { GpuArray } from '../kernels/webgpu/context.js';
import { DlError } from './error.js';
import { withArticle } from '../dtype.js';
import { describe } from './describe.js';
import { checkArgs, sig } from './guard.js';
import * as K from './kinds.js';
import { options } from './options.js';

const backwardOptions = options({ retainGraph: K.bool, createGraph: K.bool });
/** `x.backward(gradient?, options?)`, options first when there is no gradient. */
export const backwardSig = sig('backward', ['gradient', K.any], ['options', backwardOptions]);
/** `x.size(dim?)`. */
export const sizeSig = sig('size', ['dim', K.optional(K.dim)]);
/** `x.requiresGrad_(requiresGrad?)`. */
export const requiresGradSig = sig('requiresGrad_', ['requiresGrad', K.optional(K.bool)]);

const constructorSig = sig('Tensor', ['data', K.any], ['shape', K.shape], ['options', options({ requiresGrad: K.bool })]);

/**
 * `new Tensor(data, shape)`: the typed array decides the dtype (Float32Array, Float64Array, Int32Array,
 * or Uint8Array for bool, which must hold only 0 and 1); only float tensors may require grad.
 */
export function checkConstructor(data: unknown, shape: unknown, opts: unknown): void {
  if (data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array || data instanceof GpuArray) {
    // the common case: nothing to scan (GPU storage comes from another tensor: a Parameter of a GPU tensor)
  } else if (data instanceof Uint8Array && !(data instanceof Uint8ClampedArray)) {
    const bad = data.findIndex((v) => v > 1);
    if (bad >= 0) {
      throw new DlError('Tensor', `a Uint8Array makes a bool tensor and must hold only 0 and 1, got ${data[bad]} at ${bad}`, {
        arg: 'data', hint: 'for byte values use tensor(bytes) (float32) or tensor(bytes, { dtype: \'int32\' })',
      });
    }
  } else {
    throw new DlError('Tensor', `data must be a Float32Array, Float64Array, Int32Array or Uint8Array (it decides the dtype), got ${describe(data)}`, {
      arg: 'data', hint: 'convert it with Float32Array.from(data), or copy any array with tensor(values, { dtype })',
    });
  }
  checkArgs(constructorSig, [data, shape, opts]);
}

/** Setting `requiresGrad` on a tensor: only float tensors take part in autograd (PyTorch's rule). */
export function checkRequiresGrad(t: Tensor, fn: string): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') {
    throw new DlError(fn, `only float tensors can require grad, not ${withArticle(t.dtype)} tensor`, { arg: 'requiresGrad', hint: "convert it first with .float() or .to('float64')" });
  }
}

/** A gradient assigned to `t.grad`: a tensor of `t`'s dtype and shape. */
export function checkGrad(t: Tensor, g: unknown): void {
  if (!(g instanceof Tensor)) {
    throw new DlError('grad', `a gradient must be a Tensor or null, got ${describe(g)}`, { arg: 'grad' });
  }
  const gt = g;
  if (gt.dtype !== t.dtype) {
    throw new DlError('grad', `a ${gt.dtype} gradient cannot be assigned to a ${t.dtype} tensor`, { arg: 'grad', hint: `convert it with .to('${t.dtype}')` });
  }
  if (gt.device !== t.device) {
    throw new DlError('grad', `a gradient on '${gt.device}' cannot be assigned to a tensor on '${t.device}'`, { arg: 'grad', hint: `move it with .to('${t.device}')` });
  }
  if (gt.shape.length !== t.shape.length || gt.shape.some((s, i) => s !== t.shape[i])) {
    throw new DlError('grad', `a gradient of shape [${gt.shape.join(',')}] cannot be assigned to a tensor of shape [${t.shape.join(',')}]`, { arg: 'grad' });
  }
}

/** `registerHook(hook)`: a function. */
export function checkHook(hook: unknown): void {
  if (typeof hook !== 'function') throw new DlError('registerHook', `hook must be a function, got ${describe(hook)}`, { arg: 'hook' });
}

/** What a hook returned: nothing, or a tensor of the gradient's dtype and shape. */
export function checkHookResult(t: Tensor, g: Tensor, replaced: unknown): void {
  if (replaced === undefined) return;
  if (!(replaced instanceof Tensor)) {
    throw new DlError('registerHook', `a hook must return a Tensor or nothing, got ${describe(replaced)}`, { arg: 'hook' });
  }
  const r = replaced;
  if (r.dtype !== g.dtype) {
    throw new DlError('registerHook', `a hook returned a ${r.dtype} gradient for a ${t.dtype} tensor`, { arg: 'hook', hint: `return it as .to('${g.dtype}')` });
  }
}
