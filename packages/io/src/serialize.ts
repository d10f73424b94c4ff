import { Tensor, DlError, checks as C } from '@dl/autograd';
import {
  codeOf, compareNames, DTYPES, entriesOf, isWellFormed, littleEndianBytes, METADATA_KEY,
  type Metadata, type StateDict,
} from './format.js';

/** Options of `serialize` and `save`. */
export interface SerializeOptions {
  /** Text to store in the header's `__metadata__` (string values only; omitted when empty). */
  metadata?: Metadata;
}

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/**
 * Encodes a state dict in the safetensors format: an 8-byte little-endian header length, a JSON header
 * `{ "__metadata__": {...}, name: { dtype, shape, data_offsets } }` padded with spaces to a multiple
 * of 8 bytes, then the raw little-endian values. Tensors are laid out as the reference writer does
 * (float64 before float32, then by name), so the bytes equal those of Python's `safetensors`.
 * Works in browsers too.
 * @example
 * const bytes = serialize(model.stateDict(), { metadata: { epoch: '3' } });
 */
export const serialize = C.api(C.sig('serialize', ['stateDict', C.any], ['options', C.options({ metadata: C.any })]), function serialize(stateDict: StateDict, options: SerializeOptions = {}): Uint8Array {
  const entries = entriesOf('serialize', stateDict, isTensor);
  const names = new Set<string>();
  for (const [name] of entries) {
    if (name === METADATA_KEY) throw new DlError(`serialize: '${METADATA_KEY}' is reserved for metadata and cannot name a tensor`);
    if (!isWellFormed(name)) throw new DlError(`serialize: tensor name ${JSON.stringify(name)} is not valid Unicode (it has a lone surrogate)`);
    if (names.has(name)) throw new DlError(`serialize: two tensors are named '${name}'`);
    names.add(name);
  }
  const metadata = checkMetadata(options.metadata);

  // The reference writer sorts by dtype, larger alignment first, then by name.
  entries.sort(([na, a], [nb, b]) => DTYPES[codeOf(b.dtype)].bytes - DTYPES[codeOf(a.dtype)].bytes || compareNames(na, nb));

  const parts: string[] = [];
  if (metadata !== null) parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${codeOf(t.dtype)}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of entries) {
    out.set(littleEndianBytes(t.data), at);
    at += t.data.byteLength;
  }
  return out;
});

function checkMetadata(metadata: Metadata | undefined): Metadata | null {
  if (metadata === undefined) return null;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new DlError(`serialize: metadata must be an object of strings, got ${metadata === null ? 'null' : typeof metadata}`);
  }
  const keys = Object.keys(metadata);
  for (const key of keys) {
    const value: unknown = metadata[key];
    if (typeof value !== 'string') throw new DlError(`serialize: metadata values must be strings, but '${key}' is ${typeof value}`);
    if (!isWellFormed(key) || !isWellFormed(value)) throw new DlError(`serialize: metadata '${key}' is not valid Unicode (it has a lone surrogate)`);
  }
  return keys.length === 0 ? null : metadata;
}
