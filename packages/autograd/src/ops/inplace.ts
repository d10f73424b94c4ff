// In-place ops: they write into a tensor's own values and bump its version counter (`markModified`), so
// a backward through a graph recorded before the write refuses to run on values that are gone.
import { DlError } from '../checks/error.js';
import { Tensor, trustedTensor } from '../tensor.js';
import { full, zerosLike } from '../creation.js';
import { dtypeOf, dtypes, isFloat, promoteTypes, withArticle, type DType, type TypedArray } from '../dtype.js';
import { k } from '../kernels/index.js';
import { fmt } from '../shape.js';
import { markModified, setVersion, versionOf } from '../version.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';
import { isGradEnabled, withGradMode } from '../tape.js';
import { add, clamp, div, mul, sub } from './elementwise.js';
import { expand, toDevice } from './movement.js';
import { deviceKind, gpuContext, type Device } from '../device.js';
import { cast as gpuCast } from '../kernels/webgpu/elementwise.js';
import { GpuArray, type GpuDType } from '../kernels/webgpu/context.js';


/** Replaces the values of `t` (same object) with `data`, as a new version of its storage. */
function swapStorage(t: Tensor, data: TypedArray | GpuArray): void {
  const version = versionOf(t);
  // `storage`, `device` and `dtype` are readonly to users; only the in-place conversions swap them.
  const w = t as unknown as { storage: TypedArray | GpuArray; dtype: DType; device: Device };
  w.storage = data;
  if (data instanceof GpuArray) {
    w.dtype = data.dtype;
    w.device = 'webgpu';
  } else {
    w.dtype = dtypeOf(data);
    w.device = 'cpu';
  }
  setVersion(t, version + 1);
}

/**
 * Moves the leaf `t` to `device` in place: the same tensor object gets its values (and its `.grad`'s)
 * on the new device, so whatever holds it (a module, an optimizer built before) sees the move; what
 * `Module.to('webgpu')` does to parameters and buffers. Only uploads are synchronous: back to the CPU
 * is `await setDeviceAsync_(t, 'cpu')`.
 * @example await initWebGpu(); setDevice_(w, 'webgpu'); w.device // 'webgpu', same object
 */
export const setDevice_ = api(sig('setDevice_', ['t', K.tensor], ['device', deviceKind]), function setDevice_(t: Tensor, device: Device): Tensor {
  if (t.device === device) return t;
  if (!t.isLeaf) throw new DlError(`setDevice_: cannot move a non-leaf tensor (made by '${t.gradFn!.op}') in place; use x.to('${device}')`);
  if (device === 'cpu') throw new DlError('setDevice_', `reading the values of a tensor on '${t.device}' is asynchronous`, { hint: "use await setDeviceAsync_(t, 'cpu')" });
  const moved = toDevice(t.detach(), device);
  const g = t.grad;
  if (g !== null) t.grad = null;
  swapStorage(t, moved.storage);
  if (g !== null) t.grad = g.isLeaf && g !== t ? setDevice_(g, device) : toDevice(g.detach(), device);
  return t;
});

/** `setDevice_` in either direction: awaits the read of GPU values when moving to the CPU. */
export const setDeviceAsync_ = api(sig('setDeviceAsync_', ['t', K.tensor], ['device', deviceKind]), async function setDeviceAsync_(t: Tensor, device: Device): Promise<Tensor> {
  if (t.device === device || device !== 'cpu') return setDevice_(t, device);
  if (!t.isLeaf) throw new DlError(`setDeviceAsync_: cannot move a non-leaf tensor (made by '${t.gradFn!.op}') in place; use await x.cpuAsync()`);
  const values = await t.dataAsync();
  const g = t.grad;
  const gValues = g === null ? null : await g.dataAsync();
  if (g !== null) t.grad = null;
  swapStorage(t, values);
  if (g !== null) t.grad = trustedTensor(gValues!, g.shape);
  return t;
});

/**
 * Converts the leaf `t` to `dtype` in place: the same tensor object gets new values of the new dtype
 * (and its `.grad` is converted too), so whatever holds it (a module, an optimizer) sees the change.
 * This is what `Module.to(dtype)`, `double()` and `float()` do to parameters and buffers. Tensors that
 * shared `t`'s values before (views, `detach()`, a `stateDict()`) keep the old ones. The new storage
 * continues `t`'s version count, so a graph recorded before the conversion refuses to backward.
 * @example setDType_(w, 'float64'); w.dtype // 'float64', same object
 */
export const setDType_ = api(sig('setDType_', ['t', K.tensor], ['dtype', K.dtype]), function setDType_(t: Tensor, dtype: DType): Tensor {
  if (!t.isLeaf) {
    throw new DlError(`setDType_: cannot convert a non-leaf tensor (made by '${t.gradFn!.op}') in place; use x.to('${dtype}')`);
  }
  if (t.dtype === dtype) return t;
  if (t.requiresGrad && !isFloat(dtype)) {
    throw new DlError('setDType_', `cannot convert a tensor that requires grad to ${dtype}: only float tensors take part in autograd`, { arg: 'dtype' });
  }
  const g = t.grad;
  if (g !== null) t.grad = null;
  swapStorage(t, k.cast(t.data, dtype));
  if (g !== null) {
    if (g.isLeaf && g !== t) setDType_(g, dtype);
    t.grad = g.dtype === dtype ? g : new Tensor(k.cast(g.data, dtype), g.shape);
  }
  return t;
});

/** @internal The shape check every in-place op shares: `shape` must be `t`'s. */
export function checkSameShape(op: string, t: Tensor, shape: readonly number[]): void {
  if (shape.length !== t.ndim || shape.some((s, i) => s !== t.shape[i])) {
    throw new DlError(`${op}: output with shape ${fmt(t.shape)} doesn't match the broadcast shape ${fmt(shape)}`);
  }
}

/**
 * @internal PyTorch's rules for writing into `t` while grad mode is on: a leaf that requires grad is refused with
 * PyTorch's message; so is a tensor recorded on the tape, or an operand that requires grad (dl does not
 * rebase a graph onto a changed tensor: use the out-of-place op there). Under `noGrad` anything goes.
 */
export function checkWritable(op: string, t: Tensor, others: readonly unknown[] = []): void {
  if (!isGradEnabled()) return;
  if (t.requiresGrad && t.isLeaf) {
    throw new DlError(op, 'a leaf Variable that requires grad is being used in an in-place operation.', {
      hint: 'write under noGrad(() => ...) as optimizers and init do, or use the out-of-place op',
    });
  }
  if (t.requiresGrad) {
    throw new DlError(op, `cannot write in place into a tensor recorded on the tape (made by '${t.gradFn!.op}') while grad mode is on`, {
      hint: `use the out-of-place op (${op.replace(/_$/, '')}), which records the gradient`,
    });
  }
  if (others.some((o) => o instanceof Tensor && o.requiresGrad)) {
    throw new DlError(op, 'an operand requires grad, so the result would need a gradient, which an in-place op into a tensor that does not require grad cannot record', {
      hint: `use the out-of-place op (${op.replace(/_$/, '')})`,
    });
  }
}

/** Writes the values of `r` (of `t`'s shape and device) into `t` and bumps its version. */
function write(t: Tensor, r: Tensor): Tensor {
  if (t.device === 'cpu') t.data.set(r.dtype === t.dtype ? r.data : k.cast(r.data, t.dtype));
  else {
    const gpu = gpuContext('in-place write');
    const src = r.dtype === t.dtype ? (r.storage as GpuArray) : gpuCast(gpu, r.storage as GpuArray, t.dtype as GpuDType);
    gpu.copyInto(src, t.storage as GpuArray);
  }
  markModified(t);
  return t;
}

/** A float operand of an in-place op into a float tensor, in `t`'s dtype (PyTorch casts it to the destination's). */
function operand(t: Tensor, other: Tensor | number): Tensor | number {
  return other instanceof Tensor && other.dtype !== t.dtype && isFloat(t.dtype) && isFloat(other.dtype) ? other.detach().to(t.dtype) : other;
}

/** PyTorch's `can_cast`: a result may be written into `to` unless that narrows its kind (float to int32 or bool, int32 to bool). */
function canCast(from: DType, to: DType): boolean {
  return dtypes.indexOf(from) <= dtypes.indexOf(to) || (isFloat(from) && isFloat(to));
}

/** `t ← f(t, other)` for an elementwise binary op: the result must keep `t`'s shape (other broadcasts to it). */
function binary_(op: string, t: Tensor, other: Tensor | number, f: (a: Tensor, b: Tensor | number) => Tensor): Tensor {
  checkWritable(op, t, [other]);
  const r = withGradMode(false, () => f(t, operand(t, other)));
  checkSameShape(op, t, r.shape);
  if (!canCast(r.dtype, t.dtype)) {
    throw new DlError(op, `the result is ${r.dtype}, which cannot be written into ${withArticle(t.dtype)} tensor in place`, { hint: `use the out-of-place op (${op.replace(/_$/, '')})` });
  }
  return write(t, r);
}

const tensorOrNumber = K.tensorLike;
const alphaOptions = opts({ alpha: K.number });

/** Options of `add_` and `sub_`: `other` is scaled by `alpha` first (PyTorch's `alpha`). */
export interface AlphaOptions {
  alpha?: number;
}

/**
 * `t += alpha · other` in place, as PyTorch's `t.add_(other, alpha=1)`; `other` broadcasts to `t`'s
 * shape and is cast to its dtype. Refused on a leaf that requires grad unless under `noGrad`.
 * @example noGrad(() => w.add_(w.grad!, { alpha: -lr })) // an SGD step
 */
export const add_ = api(sig('add_', ['t', K.tensor], ['other', tensorOrNumber], ['options', alphaOptions]), function add_(t: Tensor, other: Tensor | number, options: AlphaOptions = {}): Tensor {
  const a = options.alpha ?? 1;
  return binary_('add_', t, other, (x, y) => add(x, a === 1 ? y : mul(y, a)));
});

/** `t −= alpha · other` in place (PyTorch's `sub_`). */
export const sub_ = api(sig('sub_', ['t', K.tensor], ['other', tensorOrNumber], ['options', alphaOptions]), function sub_(t: Tensor, other: Tensor | number, options: AlphaOptions = {}): Tensor {
  const a = options.alpha ?? 1;
  return binary_('sub_', t, other, (x, y) => sub(x, a === 1 ? y : mul(y, a)));
});

/** `t *= other` in place (PyTorch's `mul_`). @example noGrad(() => w.mul_(0.9)) */
export const mul_ = api(sig('mul_', ['t', K.tensor], ['other', tensorOrNumber]), function mul_(t: Tensor, other: Tensor | number): Tensor {
  return binary_('mul_', t, other, mul);
});

/** `t /= other` in place (PyTorch's `div_`). */
export const div_ = api(sig('div_', ['t', K.tensor], ['other', tensorOrNumber]), function div_(t: Tensor, other: Tensor | number): Tensor {
  return binary_('div_', t, other, div);
});

/** Sets every value of `t` to 0, in place (PyTorch's `zero_`). @example noGrad(() => bias.zero_()) */
export const zero_ = api(sig('zero_', ['t', K.tensor]), function zero_(t: Tensor): Tensor {
  checkWritable('zero_', t);
  if (t.device !== 'cpu') return write(t, zerosLike(t));
  t.data.fill(0);
  markModified(t);
  return t;
});

/** Sets every value of `t` to `value` (a number or a one-element tensor), in place (PyTorch's `fill_`). */
export const fill_ = api(sig('fill_', ['t', K.tensor], ['value', tensorOrNumber]), function fill_(t: Tensor, value: Tensor | number): Tensor {
  checkWritable('fill_', t, [value]);
  if (value instanceof Tensor && value.numel() !== 1) {
    throw new DlError('fill_', `only supports a 0-dim value tensor, got one of shape ${fmt(value.shape)}`, { arg: 'value' });
  }
  if (t.device !== 'cpu' || (value instanceof Tensor && value.device !== 'cpu')) {
    // On the GPU: t·0 + value would keep NaN and ∞ of t, so the value is broadcast from a fresh scalar.
    const v = value instanceof Tensor ? value.to(t.device) : full([], value, { dtype: t.dtype, device: t.device });
    return write(t, withGradMode(false, () => expand(v.detach().reshape([]), [...t.shape])));
  }
  const v = value instanceof Tensor ? value.data[0]! : value;
  t.data.fill(t.dtype === 'bool' ? +(v !== 0) : v);
  markModified(t);
  return t;
});

/** Copies `src`'s values into `t` in place, broadcasting `src` to `t`'s shape and casting to its dtype (PyTorch's `copy_`). */
export const copy_ = api(sig('copy_', ['t', K.tensor], ['src', K.tensor]), function copy_(t: Tensor, src: Tensor): Tensor {
  checkWritable('copy_', t, [src]);
  const lead = t.ndim - src.ndim;
  if (lead < 0 || src.shape.some((s, i) => s !== 1 && s !== t.shape[lead + i])) {
    throw new DlError('copy_', `src of shape ${fmt(src.shape)} cannot be broadcast to the destination's shape ${fmt(t.shape)}`, { arg: 'src' });
  }
  if (src.device !== t.device) {
    throw new DlError('copy_', `src is on '${src.device}' and the destination on '${t.device}'`, { arg: 'src', hint: t.device === 'cpu' ? 'read it with await src.cpuAsync() first' : `move it with .to('${t.device}')` });
  }
  return write(t, withGradMode(false, () => expand(src.detach(), [...t.shape])));
});

/** Bounds of `clamp_`; either may be left out (or null). */
export interface ClampBounds {
  min?: number | null;
  max?: number | null;
}

/**
 * Limits every value of `t` to [min, max] in place (PyTorch's `clamp_`): `t.clamp_(0, 1)`,
 * `t.clamp_({ max: 1 })`; NaN stays NaN.
 */
export const clamp_ = api(
  sig('clamp_', ['t', K.tensor], ['min', K.optional(K.union(K.nullable(K.number), opts({ min: K.nullable(K.number), max: K.nullable(K.number) })))], ['max', K.optional(K.nullable(K.number))]),
  function clamp_(t: Tensor, min?: number | null | ClampBounds, max?: number | null): Tensor {
    const b: ClampBounds = typeof min === 'object' && min !== null ? min : { min, max };
    if (typeof min === 'object' && min !== null && max !== undefined) throw new DlError('clamp_', 'give the bounds either as numbers or as an options object, not both', { arg: 'max' });
    const lo = b.min ?? -Infinity;
    const hi = b.max ?? Infinity;
    if ((b.min ?? null) === null && (b.max ?? null) === null) throw new DlError('clamp_', 'give at least one of min and max');
    if (Number.isNaN(lo) || Number.isNaN(hi)) throw new DlError('clamp_', `bounds must not be NaN (min ${lo}, max ${hi})`);
    checkWritable('clamp_', t);
    // PyTorch's result type: integer bounds are int, others float; a bool or int32 tensor cannot take a wider one.
    const bounds = [b.min, b.max].filter((v): v is number => v !== null && v !== undefined);
    const result = promoteTypes(t.dtype, bounds.every(Number.isInteger) ? 'int32' : 'float32') ?? t.dtype;
    if (!canCast(result, t.dtype)) {
      throw new DlError('clamp_', `the result is ${result}, which cannot be written into ${withArticle(t.dtype)} tensor in place`, { hint: 'use the out-of-place op (clamp)' });
    }
    const outside = t.dtype === 'int32' ? bounds.find((v) => v < -(2 ** 31) || v >= 2 ** 31) : undefined;
    if (outside !== undefined) throw new DlError('clamp_', `the bound ${outside} does not fit an int32 tensor`, { hint: "convert the tensor first with .to('float64')" });
    // On the GPU: the out-of-place clamp's kernel, written back into t.
    if (t.device !== 'cpu') return write(t, withGradMode(false, () => clamp(t, { min: lo, max: hi })));
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      d[i] = Math.min(Math.max(v, lo), hi); // NaN stays NaN; min > max gives max, as PyTorch
    }
    markModified(t);
    return t;
  },
);
