import { DlError } from './error.js';

/**
 * The most elements one tensor may hold: 2^31 − 1, the last position an int32 (dl's index dtype, what
 * `argmax`, `sort` and `nonzero` return) can name. V8's typed arrays would go to 2^32 − 1, but the
 * indices of a larger tensor could not be returned, and such an allocation (16 GiB of float32) is
 * better refused at once than left to the system's memory.
 */
export const MAX_NUMEL = 2 ** 31 - 1;

/** The element count of `shape`, refused before any allocation when a typed array cannot hold it. */
export function checkNumel(fn: string, shape: readonly number[], arg = 'shape'): number {
  let n = 1;
  for (const s of shape) n *= s;
  if (shape.includes(0)) n = 0; // [1e300, 1e300, 0] holds nothing, though the product overflows first
  if (n > MAX_NUMEL) {
    throw new DlError(fn, `shape [${shape.join(',')}] has ${n} elements, more than the ${MAX_NUMEL} a tensor can hold`, { arg });
  }
  return n;
}

/**
 * The most tensors one call may return (split, chunk): work proportional to an argument stays bounded,
 * so `zeros([1e9, 0]).split(1)` is refused at once instead of building a billion empty tensors.
 */
export const MAX_PIECES = 2 ** 20;

/** Refuses a call that would return more than `MAX_PIECES` tensors. */
export function checkPieces(fn: string, pieces: number, arg: string): void {
  if (pieces > MAX_PIECES) {
    throw new DlError(fn, `${arg} would give ${pieces} tensors, more than the limit of ${MAX_PIECES}`, { arg });
  }
}
