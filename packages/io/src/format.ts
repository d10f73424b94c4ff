import { DlError } from '@dl/autograd';
import type { DType, Tensor, TypedArray } from '@dl/autograd';

/** A state dict: tensor names to tensors, as an object (`model.stateDict()`) or a Map. */
export type StateDict = Record<string, Tensor> | Map<string, Tensor>;

/** Free-form text metadata stored in the header under `__metadata__`. */
export type Metadata = Record<string, string>;

/** The header key that holds the metadata. */
export const METADATA_KEY = '__metadata__';

/** The largest header the reference implementation accepts (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** The safetensors dtypes we read and write, with their sizes. */
export const DTYPES = {
  F32: { dtype: 'float32', bytes: 4 },
  F64: { dtype: 'float64', bytes: 8 },
  I32: { dtype: 'int32', bytes: 4 },
  BOOL: { dtype: 'bool', bytes: 1 },
} as const satisfies Record<string, { dtype: DType; bytes: number }>;

/** A safetensors dtype code we write (and read). */
export type SafetensorsDType = keyof typeof DTYPES;

/**
 * Integer dtype codes we read (not write), as float64 tensors: PyTorch saves counters such as
 * BatchNorm's `num_batches_tracked` and int64 labels as I64. Values must be below 2^53 in magnitude to be exact.
 */
export const INT_DTYPES = {
  I64: { dtype: 'float64', bytes: 8 },
} as const satisfies Record<string, { dtype: DType; bytes: number }>;

/** A safetensors integer dtype code we read as float64. */
export type SafetensorsIntDType = keyof typeof INT_DTYPES;

/** Dtype codes of the format that we recognise but cannot hold (our tensors are float32, float64, int32 or bool). */
export const OTHER_DTYPES: readonly string[] = [
  'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'I16', 'U16', 'F16', 'BF16',
  'U32', 'U64', 'C64',
];

/** The safetensors code of a tensor's dtype. */
export function codeOf(dtype: DType): SafetensorsDType {
  return dtype === 'float64' ? 'F64' : dtype === 'int32' ? 'I32' : dtype === 'bool' ? 'BOOL' : 'F32';
}

/** Whether this machine stores numbers little-endian (as the format does); every common CPU does. */
export const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The little-endian bytes of a typed array: a view on little-endian hosts, a swapped copy otherwise. */
export function littleEndianBytes(data: TypedArray, host = littleEndianHost): Uint8Array {
  if (host || data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i]!, true);
  else if (data instanceof Int32Array) for (let i = 0; i < data.length; i++) view.setInt32(4 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return out;
}

/** A new typed array of `dtype` holding the little-endian values in `bytes` (copied, so it is aligned and owned). */
export function fromLittleEndianBytes(bytes: Uint8Array, dtype: DType, host = littleEndianHost): TypedArray {
  // new Uint8Array(view) copies; Buffer#slice would not.
  if (dtype === 'bool') return new Uint8Array(bytes);
  const size = dtype === 'float64' ? 8 : 4;
  const n = bytes.length / size;
  if (host) {
    const copy = new Uint8Array(bytes);
    return dtype === 'float64' ? new Float64Array(copy.buffer, 0, n) : dtype === 'int32' ? new Int32Array(copy.buffer, 0, n) : new Float32Array(copy.buffer, 0, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'float64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  }
  if (dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
    return out;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Float64 values of little-endian signed 64-bit integers (`I64`); `bad` names the first value of 2^53 or
 * more in magnitude (a float64 could not hold it exactly), with its index.
 */
export function fromLittleEndianInts(bytes: Uint8Array, code: SafetensorsIntDType): { values: Float64Array; bad: { index: number; value: bigint } | null } {
  const size = INT_DTYPES[code].bytes;
  const n = bytes.length / size;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(n);
  const limit = 2n ** 53n;
  for (let i = 0; i < n; i++) {
    const v = view.getBigInt64(8 * i, true);
    if (v >= limit || v <= -limit) return { values, bad: { index: i, value: v } };
    values[i] = Number(v);
  }
  return { values, bad: null };
}

/**
 * Orders names by Unicode code point, which is the byte order of their UTF-8 (how the reference writer,
 * in Rust, sorts them). JavaScript's `<` compares UTF-16 units and differs above U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Whether a string is valid Unicode (no lone surrogate), so that it has a UTF-8 form other readers accept. */
export function isWellFormed(s: string): boolean {
  return !/\p{Cs}/u.test(s);
}

/** Formats a shape for messages: `[2,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** The entries of a state dict, with a clear error for anything that is not a name and a tensor. */
export function entriesOf(op: string, stateDict: StateDict, isTensor: (v: unknown) => v is Tensor): [string, Tensor][] {
  if (stateDict === null || typeof stateDict !== 'object') {
    throw new DlError(`${op}: expected a state dict (an object or Map of tensors), got ${stateDict === null ? 'null' : typeof stateDict}`);
  }
  const entries: [unknown, unknown][] = stateDict instanceof Map ? [...stateDict] : Object.entries(stateDict);
  return entries.map(([name, t]) => {
    if (typeof name !== 'string') throw new DlError(`${op}: tensor names must be strings, got ${typeof name}`);
    if (!isTensor(t)) throw new DlError(`${op}: entry '${name}' is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    return [name, t];
  });
}
