import { DlError, Generator, checks as C } from '@dl/autograd';

/**
 * A uniformly random permutation of 0..n-1 (Fisher–Yates), drawn from `generator`.
 * @example randperm(5, new Generator(0)) // e.g. Int32Array [3, 0, 4, 1, 2]
 */
export const randperm = C.api(C.sig('randperm', ['n', C.int({ min: 0 })], ['generator', C.generator]), function randperm(n: number, generator: Generator): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new DlError(`randperm: n must be a non-negative integer, got ${n}`);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.integer(0, i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
});
