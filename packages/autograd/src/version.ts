import type { Tensor } from './tensor.js';
import { api, sig } from './checks/guard.js';
import * as K from './checks/kinds.js';

// The in-place version counter lives on the storage: the typed array a backend allocated for a tensor's
// values, which every tensor sharing those values (reshape, detach, a Parameter) holds as its `data`.
// Only storage changed in place has an entry; looking up one that has none (every op output) costs a
// few nanoseconds and allocates nothing. Keying on `data.buffer` instead would make V8 materialize an
// ArrayBuffer object for every small on-heap typed array it is read from.
const versions = new WeakMap<object, number>();

/** How many times `t`'s storage was changed in place through `markModified` (0 for fresh values). */
export const versionOf = api(sig('versionOf', ['t', K.tensor]), function versionOf(t: Tensor): number {
  return storageVersion(t);
});

/** @internal `versionOf` without the argument check, for the tape's hot path. */
export function storageVersion(t: Tensor): number {
  const own = versions.get(t.storage) ?? 0;
  return t.versionBase === null ? own : own + storageVersion(t.versionBase);
}

/**
 * Records that `t`'s values were changed in place. Optimizers, the `init` functions and
 * `loadStateDict` call it; a later backward through a graph recorded before the change then throws
 * instead of computing gradients from values that are gone (PyTorch's version counter). Call it
 * after writing into `.data` yourself; plain `.data` writes are not tracked, as in PyTorch.
 * @example for (let i = 0; i < w.numel(); i++) w.data[i] -= lr * w.grad!.data[i]!; markModified(w);
 */
export const markModified = api(sig('markModified', ['t', K.tensor]), function markModified(t: Tensor): void {
  versions.set(t.storage, (versions.get(t.storage) ?? 0) + 1);
});

/**
 * @internal Makes `view`'s version follow `base`'s too (set by the view-like ops: permute, transpose): a
 * transposed copy counts its base's changes, as a PyTorch view shares its base's counter, so a backward
 * that saved `w.T` refuses to run after `w` changed in place (an optimizer step), as one that saved `w` does.
 */
export function followVersion(view: Tensor, base: Tensor): void {
  if (view !== base) view.versionBase = base;
}

/** @internal Sets the version of `t`'s storage: a storage swapped into a tensor in place continues its count. */
export function setVersion(t: Tensor, version: number): void {
  versions.set(t.storage, version);
}
