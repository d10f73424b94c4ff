import type { TypedArray } from '../../dtype.js';

const BLOCK_K = 256;
const BLOCK_N = 512;

/**
 * out[oOff + M×N] += a[aOff + M×K] · b[bOff + K×N], all row-major. Cache-blocked over K and N, with
 * four rows of `a` per pass so that each loaded row of `b` serves four outputs.
 */
export function matmulInto(
  a: TypedArray, aOff: number,
  b: TypedArray, bOff: number,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
): void {
  for (let k0 = 0; k0 < K; k0 += BLOCK_K) {
    const k1 = Math.min(K, k0 + BLOCK_K);
    for (let j0 = 0; j0 < N; j0 += BLOCK_N) {
      const j1 = Math.min(N, j0 + BLOCK_N);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const r0 = oOff + i * N;
        const r1 = r0 + N;
        const r2 = r1 + N;
        const r3 = r2 + N;
        const a0 = aOff + i * K;
        for (let k = k0; k < k1; k++) {
          const x0 = a[a0 + k]!;
          const x1 = a[a0 + K + k]!;
          const x2 = a[a0 + 2 * K + k]!;
          const x3 = a[a0 + 3 * K + k]!;
          const bk = bOff + k * N;
          for (let j = j0; j < j1; j++) {
            const y = b[bk + j]!;
            out[r0 + j] += x0 * y;
            out[r1 + j] += x1 * y;
            out[r2 + j] += x2 * y;
            out[r3 + j] += x3 * y;
          }
        }
      }
      for (; i < M; i++) {
        const r = oOff + i * N;
        for (let k = k0; k < k1; k++) {
          const x = a[aOff + i * K + k]!;
          const bk = bOff + k * N;
          for (let j = j0; j < j1; j++) out[r + j] += x * b[bk + j]!;
        }
      }
    }
  }
}
