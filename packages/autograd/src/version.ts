import type { Tensor } from './tensor.js';
import { api, sig, userCall } from './checks/guard.js';
import * as K from './checks/kinds.js';

// One counter per storage (ArrayBuffer), so views that share values (reshape, detach, Parameter) share it.
const versions = new WeakMap<ArrayBufferLike, number>();

/** How many times `t`'s storage was changed in place through `markModified` (0 for fresh values). */
export const versionOf = api(sig('versionOf', ['t', K.tensor]), function versionOf(t: Tensor): number {
  return versions.get(t.data.buffer) ?? 0;
});

/**
 * Records that `t`'s values were changed in place. Optimizers, the `init` functions and
 * `loadStateDict` call it; a later backward through a graph recorded before the change then throws
 * instead of computing gradients from values that are gone (PyTorch's version counter). Call it
 * after writing into `.data` yourself; plain `.data` writes are not tracked, as in PyTorch.
 * @example for (let i = 0; i < w.numel(); i++) w.data[i] -= lr * w.grad!.data[i]!; markModified(w);
 */
export const markModified = api(sig('markModified', ['t', K.tensor]), function markModified(t: Tensor): void {
  versions.set(t.data.buffer, versionOf(t) + 1);
});
