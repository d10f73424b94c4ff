// Random layer sizes and parameters shared by the manual-vs-autograd property tests, and their closeness check.
import fc from 'fast-check';
import { Generator, type Tensor } from '@dl/autograd';

/** Overwrites `t` in place with standard normal values from `seed` (to give biases non-trivial values). */
export function fillNormal(t: Tensor, seed: number): Tensor {
  const g = new Generator(seed);
  for (let i = 0; i < t.data.length; i++) t.data[i] = g.normal();
  return t;
}

/** A small positive size. */
export const size = (max = 4): fc.Arbitrary<number> => fc.integer({ min: 1, max });

/** A seed for parameters and upstream gradients. */
export const seed = fc.nat({ max: 2 ** 31 - 1 });

/** Elementwise |a − b| ≤ tol·(1 + |b|) over two arrays of the same length. */
export function allClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= tol * (1 + Math.abs(b[i]!)))) return false;
  return true;
}
