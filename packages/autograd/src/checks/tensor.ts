// The checks of the Tensor class itself: construction, `.grad` assignment and hooks keep dtypes honest.
import { Tensor } from '../tensor.js';
import { DlError } from './error.js';
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

/** `new Tensor(data, shape)`: the typed array decides the dtype, so only Float32Array and Float64Array are taken. */
export function checkConstructor(data: unknown, shape: unknown, opts: unknown): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new DlError('Tensor', `data must be a Float32Array or a Float64Array (it decides the dtype), got ${describe(data)}`, {
      arg: 'data', hint: 'convert it with Float32Array.from(data), or copy any array with tensor(values, { dtype })',
    });
  }
  checkArgs(constructorSig, [data, shape, opts]);
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
