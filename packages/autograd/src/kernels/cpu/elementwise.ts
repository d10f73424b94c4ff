import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';
import { mapKernel } from './transcendental.js';

// Binary kernels take two arrays of equal length, or one array and a length-1 array standing for a
// scalar (the ops layer broadcasts everything else first). The scalar loops save the broadcast copy
// that mul(x, 0.5) and the like would otherwise make; each case is its own loop so the JIT keeps it tight.
// The hottest loops (add, sub, mul over whole arrays, and with a scalar second operand) do four elements
// per iteration: V8 neither unrolls nor vectorizes them, and a float32 multiply over 800k elements took
// 1.9 ms one at a time against 1.1 ms four at a time here.

/** The output of a binary kernel: as long as the operand that is not a lone scalar. */
function binaryOut(a: TypedArray, b: TypedArray): TypedArray {
  return like(a, a.length === 1 ? b.length : a.length);
}

export function add(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) {
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        o[i] = a[i]! + b[i]!;
        o[i + 1] = a[i + 1]! + b[i + 1]!;
        o[i + 2] = a[i + 2]! + b[i + 2]!;
        o[i + 3] = a[i + 3]! + b[i + 3]!;
      }
      for (; i < n; i++) o[i] = a[i]! + b[i]!;
    } else for (let i = 0, s = a[0]!; i < n; i++) o[i] = s + b[i]!;
  } else {
    const s = b[0]!;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      o[i] = a[i]! + s;
      o[i + 1] = a[i + 1]! + s;
      o[i + 2] = a[i + 2]! + s;
      o[i + 3] = a[i + 3]! + s;
    }
    for (; i < n; i++) o[i] = a[i]! + s;
  }
  return o;
}

/** a += b in place, for arrays of equal length (the engine's sums of gradients it owns). */
export function addInto(a: TypedArray, b: TypedArray): void {
  const n = a.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a[i] = a[i]! + b[i]!;
    a[i + 1] = a[i + 1]! + b[i + 1]!;
    a[i + 2] = a[i + 2]! + b[i + 2]!;
    a[i + 3] = a[i + 3]! + b[i + 3]!;
  }
  for (; i < n; i++) a[i] = a[i]! + b[i]!;
}

/** a [outer, m, inner] + b [m] repeated over outer and inner (a bias), without a broadcast copy of b. */
export function addRows(a: TypedArray, b: TypedArray, outer: number, m: number, inner: number): TypedArray {
  const o = like(a);
  if (inner === 1) {
    // A bias over the last dim ([B, F] + [F]): each row adds b whole, four at a time.
    for (let x = 0, p = 0; x < outer; x++, p += m) {
      let j = 0;
      for (; j + 4 <= m; j += 4) {
        o[p + j] = a[p + j]! + b[j]!;
        o[p + j + 1] = a[p + j + 1]! + b[j + 1]!;
        o[p + j + 2] = a[p + j + 2]! + b[j + 2]!;
        o[p + j + 3] = a[p + j + 3]! + b[j + 3]!;
      }
      for (; j < m; j++) o[p + j] = a[p + j]! + b[j]!;
    }
    return o;
  }
  for (let x = 0, p = 0; x < outer; x++) {
    for (let j = 0; j < m; j++) {
      const s = b[j]!;
      for (const end = p + inner; p < end; p++) o[p] = a[p]! + s;
    }
  }
  return o;
}

export function sub(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) {
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        o[i] = a[i]! - b[i]!;
        o[i + 1] = a[i + 1]! - b[i + 1]!;
        o[i + 2] = a[i + 2]! - b[i + 2]!;
        o[i + 3] = a[i + 3]! - b[i + 3]!;
      }
      for (; i < n; i++) o[i] = a[i]! - b[i]!;
    } else for (let i = 0, s = a[0]!; i < n; i++) o[i] = s - b[i]!;
  } else {
    const s = b[0]!;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      o[i] = a[i]! - s;
      o[i + 1] = a[i + 1]! - s;
      o[i + 2] = a[i + 2]! - s;
      o[i + 3] = a[i + 3]! - s;
    }
    for (; i < n; i++) o[i] = a[i]! - s;
  }
  return o;
}

export function mul(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) {
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        o[i] = a[i]! * b[i]!;
        o[i + 1] = a[i + 1]! * b[i + 1]!;
        o[i + 2] = a[i + 2]! * b[i + 2]!;
        o[i + 3] = a[i + 3]! * b[i + 3]!;
      }
      for (; i < n; i++) o[i] = a[i]! * b[i]!;
    } else for (let i = 0, s = a[0]!; i < n; i++) o[i] = s * b[i]!;
  } else {
    const s = b[0]!;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      o[i] = a[i]! * s;
      o[i + 1] = a[i + 1]! * s;
      o[i + 2] = a[i + 2]! * s;
      o[i + 3] = a[i + 3]! * s;
    }
    for (; i < n; i++) o[i] = a[i]! * s;
  }
  return o;
}

export function div(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = a[i]! / b[i]!;
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = s / b[i]!;
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = a[i]! / s;
  return o;
}

export function pow(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = Math.pow(a[i]!, b[i]!);
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = Math.pow(s, b[i]!);
  } else {
    const s = b[0]!;
    // Squares and cubes by multiplication, as PyTorch does: exact for ±0, ±inf and NaN too, and
    // about 10x faster than Math.pow.
    if (s === 2) for (let i = 0; i < n; i++) o[i] = a[i]! * a[i]!;
    else if (s === 3) for (let i = 0; i < n; i++) o[i] = a[i]! * a[i]! * a[i]!;
    else for (let i = 0; i < n; i++) o[i] = Math.pow(a[i]!, s);
  }
  return o;
}

// On a tie the first operand is kept, as PyTorch's maximum and minimum do (which decides the sign of a zero:
// minimum(-0, 0) is -0, minimum(0, -0) is 0); a NaN in either operand gives NaN.
export function maximum(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = a[i]! >= b[i]! || Number.isNaN(a[i]!) ? a[i]! : b[i]!;
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = s >= b[i]! || Number.isNaN(s) ? s : b[i]!;
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = a[i]! >= s || Number.isNaN(a[i]!) ? a[i]! : s;
  return o;
}

export function minimum(a: TypedArray, b: TypedArray): TypedArray {
  const o = binaryOut(a, b);
  const n = o.length;
  if (b.length === n) {
    if (a.length === n) for (let i = 0; i < n; i++) o[i] = a[i]! <= b[i]! || Number.isNaN(a[i]!) ? a[i]! : b[i]!;
    else for (let i = 0, s = a[0]!; i < n; i++) o[i] = s <= b[i]! || Number.isNaN(s) ? s : b[i]!;
  } else for (let i = 0, s = b[0]!; i < n; i++) o[i] = a[i]! <= s || Number.isNaN(a[i]!) ? a[i]! : s;
  return o;
}
/** `cond[i] !== 0 ? a[i] : b[i]`. */
export function where(cond: TypedArray, a: TypedArray, b: TypedArray): TypedArray {
  const o = like(a);
  for (let i = 0; i < o.length; i++) o[i] = cond[i] !== 0 ? a[i]! : b[i]!;
  return o;
}

export function neg(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < o.length; i++) o[i] = -x[i]!;
  return o;
}
/** eˣ. */
export const exp = mapKernel('exp');
/** The natural logarithm. */
export const log = mapKernel('log');
export function sqrt(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(x[i]!);
  return o;
}
export function abs(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < o.length; i++) o[i] = Math.abs(x[i]!);
  return o;
}
export function sign(x: TypedArray): TypedArray {
  const o = like(x);
  for (let i = 0; i < o.length; i++) o[i] = Math.sign(x[i]!);
  return o;
}
/** sin x. */
export const sin = mapKernel('sin');
/** cos x. */
export const cos = mapKernel('cos');
/** The hyperbolic tangent. */
export const tanh = mapKernel('tanh');
/** Logistic sigmoid, computed without overflow for large |x|. */
export const sigmoid = mapKernel('sigmoid');
/** max(x, 0); NaN stays NaN and −0 becomes 0, as in PyTorch. */
export function relu(x: TypedArray): TypedArray {
  const o = like(x);
  const n = o.length;
  if (x instanceof Float32Array) {
    // On the float32 bits, without a branch (on random signs `x <= 0 ? 0 : x` mispredicts half the
    // time and runs 3x slower): a set sign bit clears the word unless the value is a NaN.
    const xi = new Int32Array(x.buffer, x.byteOffset, n);
    const oi = new Int32Array(o.buffer, o.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const u = xi[i]!;
      oi[i] = u & (~(u >> 31) | -+((u & 0x7fffffff) > 0x7f800000));
    }
  } else for (let i = 0; i < n; i++) o[i] = x[i]! <= 0 ? 0 : x[i]!;
  return o;
}
/** The gradient of relu: `grad[i] · (x[i] > 0)`, in one pass (as mul(grad, gt(x, 0)), bit for bit). */
export function reluBackward(grad: TypedArray, x: TypedArray): TypedArray {
  const o = like(grad);
  const n = o.length;
  // PyTorch's threshold_backward: 0 where x ≤ 0 (even for an infinite grad), else grad (NaN x passes it).
  if (x instanceof Float32Array && grad instanceof Float32Array) {
    // On the bits, without a branch (as relu): x passes when its word is positive (x > 0 or a
    // positive NaN) or it is a NaN of either sign; the mask is all ones or all zeros.
    const xi = new Int32Array(x.buffer, x.byteOffset, n);
    const gi = new Int32Array(grad.buffer, grad.byteOffset, n);
    const oi = new Int32Array(o.buffer, o.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const u = xi[i]!;
      oi[i] = gi[i]! & -(+(u > 0) | +((u & 0x7fffffff) > 0x7f800000));
    }
  } else for (let i = 0; i < n; i++) o[i] = x[i]! <= 0 ? 0 : grad[i]!;
  return o;
}
/**
 * y += alpha·x in place (y and x of one length), each element computed in float64 and rounded once
 * to y's type: the plain SGD step is `addScaledInPlace(param, grad, −lr)`.
 */
export function addScaledInPlace(y: TypedArray, x: TypedArray, alpha: number): void {
  // Eight at a time: V8 does not unroll, and this is most of an optimizer's time on large layers.
  const n = y.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    y[i] = y[i]! + alpha * x[i]!;
    y[i + 1] = y[i + 1]! + alpha * x[i + 1]!;
    y[i + 2] = y[i + 2]! + alpha * x[i + 2]!;
    y[i + 3] = y[i + 3]! + alpha * x[i + 3]!;
    y[i + 4] = y[i + 4]! + alpha * x[i + 4]!;
    y[i + 5] = y[i + 5]! + alpha * x[i + 5]!;
    y[i + 6] = y[i + 6]! + alpha * x[i + 6]!;
    y[i + 7] = y[i + 7]! + alpha * x[i + 7]!;
  }
  for (; i < n; i++) y[i] = y[i]! + alpha * x[i]!;
}
/** The error function, to about 1e-15 (see transcendental.ts's `erfScalar`). */
export const erf = mapKernel('erf');
/** min(max(x, lo), hi), as PyTorch: NaN stays NaN, and lo > hi gives hi everywhere. */
export function clamp(x: TypedArray, lo: number, hi: number): TypedArray {
  const o = like(x);
  for (let i = 0; i < o.length; i++) {
    let v = x[i]!;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    o[i] = v;
  }
  return o;
}

