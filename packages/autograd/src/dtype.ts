import { DlError } from './checks/error.js';

/**
 * The element types a tensor can hold: `float32` by default, `float64` for gradient checks, `int32`
 * for positions and class labels (what `argmax`, `sort` and `randint` return; dl's `long()`), and
 * `bool` for masks (what comparisons return). Only float tensors take part in autograd.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** The dtypes gradients flow through. */
export type FloatDType = 'float32' | 'float64';

/** The typed array behind a float tensor. */
export type FloatArray = Float32Array | Float64Array;

/** The typed array behind a tensor: Float32Array, Float64Array, Int32Array or (for bool, 0 and 1) Uint8Array. */
export type TypedArray = FloatArray | Int32Array | Uint8Array;

/** The dtype new tensors get when none is given. */
export const defaultDType: FloatDType = 'float32';

/** Every dtype name, in promotion order (bool < int32 < float32 < float64). */
export const dtypes: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** Allocates a zero-filled typed array of `n` elements for `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool': return new Uint8Array(n);
    default: return new Float32Array(n);
  }
}

/** The dtype of a typed array. */
export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return data instanceof Int32Array ? 'int32' : 'bool';
}

/** The dtype with its article, for messages: 'an int32', 'a bool', 'a float32'. */
export function withArticle(dtype: DType): string {
  return `${dtype === 'int32' ? 'an' : 'a'} ${dtype}`;
}

/** Whether `dtype` is a floating-point dtype (the ones that can require grad). */
export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/**
 * The dtype two operands of a binary op are computed in, after PyTorch's promotion by category:
 * bool < int32 < float; two float dtypes must agree (dl does not mix float32 and float64 silently), so
 * null is returned for that pair.
 */
export function promoteTypes(a: DType, b: DType): DType | null {
  if (a === b) return a;
  if (isFloat(a) && isFloat(b)) return null;
  return dtypes.indexOf(a) > dtypes.indexOf(b) ? a : b;
}

/** PyTorch dtype names a port may write, and what to write in dl instead. */
const hints: Record<string, string> = {
  float: "'float32'", double: "'float64'", int: "'int32'", long: "'int32' (dl has no int64; .long() gives int32)",
  int64: "'int32' (dl has no int64; .long() gives int32)", half: "'float32' (dl has no float16)",
  float16: "'float32' (dl has no float16)", bfloat16: "'float32' (dl has no bfloat16)",
  uint8: "'bool' for masks, or 'float32' for byte values",
};

/** Checks that a string names a supported dtype, else throws naming the operation. */
export function checkDType(op: string, dtype: string): DType {
  if (!(dtypes as readonly string[]).includes(dtype)) {
    const hint = typeof dtype === 'string' ? hints[dtype.replace(/^torch\./, '')] : undefined;
    throw new DlError(op, `unsupported dtype '${dtype}' (expected 'float32', 'float64', 'int32' or 'bool')`, {
      arg: 'dtype', hint: hint === undefined ? undefined : `use ${hint}`,
    });
  }
  return dtype as DType;
}
