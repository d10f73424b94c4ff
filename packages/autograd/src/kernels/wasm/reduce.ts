// The float32 sums of reduceModule.ts on the caller's arrays, through copies in the GEMM instance's memory
// (regions.ts). Each returns false, having written nothing, when wasm cannot run it.
import { inWasm } from './regions.js';

/**
 * o [outer, inner] = x [outer, n, inner] summed over its middle axis, with sumAxis's bits; outer and n at
 * least 1, inner 1 or even.
 */
export function sumAxisWasm(x: Float32Array, o: Float32Array, outer: number, n: number, inner: number): boolean {
  const size = outer * n * inner;
  if (inner === 1) return inWasm([[x, 0, size, 'in'], [o, 0, outer, 'out']], (w, [px, po]) => w.sumRows(px!, po!, outer, n));
  // The float64 sums of one outer block: 2·inner float32 words of scratch.
  return inWasm([[x, 0, size, 'in'], [o, 0, outer * inner, 'out'], [null, 0, 2 * inner, 'scratch']], (w, [px, po, pAcc]) => w.sumInner(px!, pAcc!, po!, outer, n, inner));
}
