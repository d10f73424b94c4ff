// Argument checks shared by the layers: each error names the layer and the offending value or shape.
import { DlError, checks as C } from '@dl/autograd';
import type { Tensor } from '@dl/autograd';

/** A size for both spatial dims, or `[height, width]`, as PyTorch's `int | (int, int)`. */
export type Size2 = number | readonly [number, number];

/** The argument kind of an integer or a list of them: a `Size2`, a normalized shape. */
export const sizesKind = C.union(C.number, C.list(C.number));
/** The same where null keeps the input's size (adaptive pools, interpolate's `size`). */
export const sizeOrKeepKind = C.union(C.number, C.list(C.nullable(C.number)));

/** Formats a shape for error messages: `[2,10]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Checks that `value` is an integer ≥ `min`, else throws naming the layer and the argument. */
export function checkInt(layer: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    const want = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw new DlError(`${layer}: ${name} must be ${want}, got ${String(value)}`);
  }
  return value;
}

/** Turns an int-or-pair argument into a checked `[h, w]` pair (autograd's shared check, naming the layer). */
export const checkPair: (layer: string, name: string, value: Size2, min: number) => [number, number] = C.pair;

/** Checks a floating-point argument lies in [lo, hi]. */
export function checkRange(layer: string, name: string, value: number, lo: number, hi: number): number {
  if (typeof value !== 'number' || !(value >= lo && value <= hi)) {
    throw new DlError(`${layer}: ${name} must be in [${lo}, ${hi}], got ${String(value)}`);
  }
  return value;
}

/** Checks that `x` is a tensor with `ndims` dims (one of them), else throws naming the layer and the layout. */
export function checkNdim(layer: string, x: Tensor, ndims: readonly number[], layout: string): void {
  if (!ndims.includes(x.ndim)) {
    throw new DlError(`${layer}: expected a ${ndims.map((d) => `${d}-D`).join(' or ')} input ${layout}, got shape ${fmt(x.shape)}`);
  }
}

/**
 * Runs `fn` without recording, as the library's own code (the internal counterpart of the public
 * `noGrad`): an error inside is reported by the public call in progress (the layer's forward or
 * backward), not passed through as the user's own.
 */
export function withoutGrad<T>(fn: () => T): T {
  return C.withGradMode(false, fn);
}
