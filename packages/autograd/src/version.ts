import type { Tensor } from './tensor.js';
import { api, sig, userCall } from './checks/guard.js';
import * as K from './checks/kinds.js';

// One counter per storage (ArrayBuffer), so views that share values (reshape, detach, Parameter) share it.
const versions = new WeakMap<ArrayBufferLike, number>();

/** How many times `t`'s storage was changed in place through `markModified` (0 for fresh values). */
export const versionOf = api(sig('versionOf', ['t', K.tensor]), function versionOf(t: Tensor): number {
  const base = bases.get(t);
  return (versions.get(t.data.buffer) ?? 0) + (base === undefined ? 0 : versionOf(base));
});

/**
 * Records that `t`'s values were changed in place. Optimizers, the `init` functions and
 * `loadStateDict` call it; a later backward through a graph recorded before the change then throws
 * instead of computing gradients from values that are gone (PyTorch's version counter). Call it
 * after writing into `.data` yourself; plain `.data` writes are not tracked, as in PyTorch.
 * @example for (let i = 0; i < w.numel(); i++) w.data[i] -= lr * w.grad!.data[i]!; markModified(w);
 */
export const markModified = api(sig('markModified', ['t', K.tensor]), function markModified(t: Tensor): void {
  versions.set(t.data.buffer, (versions.get(t.data.buffer) ?? 0) + 1);
});

// A transposed copy counts its base's changes, as a PyTorch view shares its base's counter: a backward
// that saved `w.T` refuses to run after `w` changed in place (an optimizer step), as one that saved `w` does.
const bases = new WeakMap<Tensor, Tensor>();

/** @internal Makes `view`'s version follow `base`'s too (set by the view-like ops: permute, transpose). */
export function followVersion(view: Tensor, base: Tensor): void {
  if (view !== base) bases.set(view, base);
}

/** @internal Sets the version of `t`'s storage: a storage swapped into a tensor in place continues its count. */
export function setVersion(t: Tensor, version: number): void {
  versions.set(t.data.buffer, version);
}
