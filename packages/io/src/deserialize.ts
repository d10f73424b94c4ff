import { Tensor, DlError, checks as C } from '@dl/autograd';
import {
  DTYPES, formatShape, fromLittleEndianBytes, fromLittleEndianInts, INT_DTYPES, MAX_HEADER_BYTES, METADATA_KEY, OTHER_DTYPES,
  type Metadata, type SafetensorsDType, type SafetensorsIntDType,
} from './format.js';

/** What `deserialize` returns: the tensors by name (in header order) and the header's metadata ({} if none). */
export interface Deserialized {
  tensors: Record<string, Tensor>;
  metadata: Metadata;
}

/** One tensor's header entry, checked. */
interface Entry {
  name: string;
  code: SafetensorsDType | SafetensorsIntDType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Decodes safetensors bytes into tensors (each with its own copy of the values) and metadata. The whole
 * file is checked before any tensor is made, so a truncated, corrupt or unsupported file throws a clear
 * error and never gives a partial result. Works in browsers too.
 * @example
 * const { tensors, metadata } = deserialize(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 */
export const deserialize = C.api(C.sig('deserialize', ['bytes', C.kind('bytes', 'a Uint8Array', (v) => v instanceof Uint8Array)]), function deserialize(bytes: Uint8Array): Deserialized {
  return decode(bytes, 'deserialize');
});

/** `deserialize`, with `where` (the function and file) starting every error message. */
export function decode(bytes: Uint8Array, where: string): Deserialized {
  if (!(bytes instanceof Uint8Array)) throw new DlError(`${where}: expected a Uint8Array of file bytes, got ${typeof bytes}`);
  const fail = (message: string): never => {
    throw new DlError(`${where}: ${message}`);
  };
  if (bytes.length < 8) {
    fail(`the file is truncated: it has ${bytes.length} bytes, but a safetensors file starts with an 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    fail(`the header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit: this is not a safetensors file, or it is corrupt`);
  }
  const n = Number(headerLength);
  if (8 + n > bytes.length) {
    fail(`the header length ${n} goes beyond the end of the file (${bytes.length} bytes): the file is truncated or not safetensors`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`the header must be a JSON object starting with '{', but starts with ${JSON.stringify(text.slice(0, 10))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header must be a JSON object');

  const metadata: Metadata = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) readMetadata(info, metadata, fail);
    else entries.push(readEntry(name, info, fail));
  }
  checkLayout(entries, bytes.length - 8 - n, fail);

  const data = bytes.subarray(8 + n);
  const tensors: Record<string, Tensor> = {};
  const values = new Map<Entry, Tensor['data']>();
  for (const e of entries) {
    const bytes = data.subarray(e.begin, e.end);
    if (e.code === 'I64') {
      const ints = fromLittleEndianInts(bytes, e.code);
      if (ints.bad !== null) {
        fail(`tensor '${e.name}' (${e.code}) holds ${ints.bad.value} at element ${ints.bad.index}, which a float64 cannot hold exactly (|value| must be below 2^53)`);
      }
      values.set(e, ints.values);
    } else {
      const v = fromLittleEndianBytes(bytes, DTYPES[e.code].dtype);
      const bad = e.code === 'BOOL' ? v.findIndex((b) => b > 1) : -1;
      if (bad >= 0) fail(`tensor '${e.name}' (BOOL) holds the byte ${v[bad]} at element ${bad}; a bool is 0 or 1`);
      values.set(e, v);
    }
  }
  for (const e of entries) {
    // defineProperty, so that a tensor named '__proto__' is an entry like any other.
    Object.defineProperty(tensors, e.name, { value: new Tensor(values.get(e)!, e.shape), enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

function readMetadata(info: unknown, out: Metadata, fail: (m: string) => never): void {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`'${METADATA_KEY}' must be an object of strings`);
  for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
    if (typeof value !== 'string') fail(`'${METADATA_KEY}' must map strings to strings, but '${key}' holds ${JSON.stringify(value)}`);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function readEntry(name: string, info: unknown, fail: (m: string) => never): Entry {
  const where = `tensor '${name}'`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`${where} must be described by an object { dtype, shape, data_offsets }`);
  const { dtype, shape, data_offsets: offsets } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string') fail(`${where} has no dtype string`);
  if (!Object.hasOwn(DTYPES, dtype as string) && !Object.hasOwn(INT_DTYPES, dtype as string)) {
    if (OTHER_DTYPES.includes(dtype as string)) {
      fail(`${where} has dtype ${dtype as string}, which @dl/io cannot load (tensors here are F32, F64, I32 or BOOL; I64 loads as F64)`);
    }
    fail(`${where} has unknown dtype ${JSON.stringify(dtype)} (expected F32, F64, I32, I64 or BOOL)`);
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) fail(`${where} has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize) || offsets[0]! > offsets[1]!) {
    fail(`${where} has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with 0 <= begin <= end`);
  }
  const code = dtype as SafetensorsDType | SafetensorsIntDType;
  const [begin, end] = offsets as [number, number];
  const s = shape as number[];
  const expected = s.reduce((a, b) => a * b, 1) * (code === 'I64' ? INT_DTYPES[code] : DTYPES[code]).bytes;
  if (end - begin !== expected) {
    fail(`${where} has shape ${formatShape(s)} and dtype ${code} (${expected} bytes), but data_offsets [${begin},${end}] span ${end - begin} bytes`);
  }
  return { name, code, shape: s, begin, end };
}

/** The tensors must tile the data section exactly, as the reference reader requires: no gap, no overlap, nothing past the end. */
function checkLayout(entries: Entry[], dataLength: number, fail: (m: string) => never): void {
  for (const e of entries) {
    if (e.end > dataLength) {
      fail(`tensor '${e.name}' has data_offsets [${e.begin},${e.end}] beyond the ${dataLength} bytes of data: the file is truncated or corrupt`);
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < covered) {
      fail(`tensors '${previous!.name}' [${previous!.begin},${previous!.end}] and '${e.name}' [${e.begin},${e.end}] overlap`);
    }
    if (e.begin > covered) fail(`no tensor covers data bytes [${covered},${e.begin}) before tensor '${e.name}'`);
    covered = e.end;
    previous = e;
  }
  if (covered !== dataLength) fail(`the data section has ${dataLength} bytes but the tensors cover only ${covered}`);
}
