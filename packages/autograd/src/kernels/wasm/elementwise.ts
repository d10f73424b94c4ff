// The float32 elementwise kernels of elementwiseModule.ts on the caller's arrays, through copies in the
// GEMM instance's memory (regions.ts). Each returns false, having written nothing, when wasm cannot run.
import { inWasm } from './regions.js';

/** o = relu(x) over n > 0 elements. */
export function reluWasm(x: Float32Array, o: Float32Array, n: number): boolean {
  return inWasm([[x, 0, n, 'in'], [o, 0, n, 'out']], (w, [px, po]) => w.relu(px!, po!, n));
}

/** o = relu's gradient: g where x > 0 (or x is a NaN), else 0, over n > 0 elements. */
export function reluBackwardWasm(x: Float32Array, g: Float32Array, o: Float32Array, n: number): boolean {
  return inWasm([[x, 0, n, 'in'], [g, 0, n, 'in'], [o, 0, n, 'out']], (w, [px, pg, po]) => w.reluBackward(px!, pg!, po!, n));
}

/** o [rows, m] = a [rows, m] + b [m] in each row; rows > 0 and m a positive multiple of 4. */
export function addRowsWasm(a: Float32Array, b: Float32Array, o: Float32Array, rows: number, m: number): boolean {
  return inWasm([[a, 0, rows * m, 'in'], [b, 0, m, 'in'], [o, 0, rows * m, 'out']], (w, [pa, pb, po]) => w.addRows(pa!, pb!, po!, rows, m));
}

/** y += alpha·x over n > 0 elements, each in float64 and rounded once. */
export function addScaledWasm(y: Float32Array, x: Float32Array, alpha: number, n: number): boolean {
  // alpha travels as the eight bytes of a float64, in a region of two float32 words.
  const alphaWords = new Float32Array(new Float64Array([alpha]).buffer);
  return inWasm([[y, 0, n, 'inout'], [x, 0, n, 'in'], [alphaWords, 0, 2, 'in']], (w, [py, px, pa]) => w.addScaled(py!, px!, pa!, n));
}

/**
 * o = a op b over n > 0 elements, for op one of add, sub, mul and div: a and b are whole arrays, or one
 * of them is a single float standing for a scalar (the JS binary kernels' cases).
 */
export function binaryWasm(op: 'add' | 'sub' | 'mul' | 'div', a: Float32Array, b: Float32Array, o: Float32Array, n: number): boolean {
  const mode = a.length === n && b.length === n ? 0 : a.length === 1 ? 1 : 2;
  return inWasm([[a, 0, a.length, 'in'], [b, 0, b.length, 'in'], [o, 0, n, 'out']], (w, [pa, pb, po]) => w[op](pa!, pb!, po!, n, mode));
}

/** a += b in place over n > 0 elements (the binary add, writing over a). */
export function addIntoWasm(a: Float32Array, b: Float32Array, n: number): boolean {
  return inWasm([[a, 0, n, 'inout'], [b, 0, n, 'in']], (w, [pa, pb]) => w.add(pa!, pb!, pa!, n, 0));
}
