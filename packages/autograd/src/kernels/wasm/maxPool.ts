// The 2×2 max pooling of maxPoolModule.ts on the caller's arrays, through copies in the GEMM instance's
// memory (regions.ts). Each returns false, having written nothing, when wasm cannot run it.
import { inWasm } from './regions.js';

/** The int32 indices as float32 words, for a region (a same-type copy keeps every bit). */
const words = (a: Int32Array): Float32Array => new Float32Array(a.buffer, a.byteOffset, a.length);

/** out [planes, oh, ow] and argmax = 2×2 max pooling at stride 2 of x [planes, H, W]; every count at least 1. */
export function maxPool2x2Wasm(x: Float32Array, out: Float32Array, argmax: Int32Array, planes: number, H: number, W: number, oh: number, ow: number): boolean {
  const n = planes * oh * ow;
  return inWasm([[x, 0, planes * H * W, 'in'], [out, 0, n, 'out'], [words(argmax), 0, n, 'out']],
    (w, [px, po, pa]) => w.maxPool2x2(px!, po!, pa!, planes, H, W, oh, ow));
}

/** out [planes, H, W] = maxPool2x2Wasm's gradient: 0 + grad at each window's argmax, +0 elsewhere. */
export function maxUnpool2x2Wasm(grad: Float32Array, argmax: Int32Array, out: Float32Array, planes: number, H: number, W: number, oh: number, ow: number): boolean {
  const n = planes * oh * ow;
  return inWasm([[grad, 0, n, 'in'], [words(argmax), 0, n, 'in'], [out, 0, planes * H * W, 'out']],
    (w, [pg, pa, po]) => w.maxUnpool2x2(pg!, pa!, po!, planes, H, W, oh, ow));
}
