import { Tensor, DlError, checks as C } from '@dl/autograd';
import { serialize, type SerializeOptions } from './serialize.js';
import { decode } from './deserialize.js';
import type { Metadata } from './format.js';

/**
 * The metadata key under which `serializeState` stores the structure of a nested state, as JSON in
 * which every tensor or typed array is replaced by a reference to a tensor of the file.
 */
export const STATE_KEY = 'dl.state';

/** A nested state as `flattenState` takes it, e.g. an optimizer's `stateDict()` or a checkpoint object. */
export type NestedState = unknown;

/** A nested state split into named tensors and a JSON description of everything else. */
export interface FlatState {
  /** The tensors and typed arrays of the state, named by their dotted path (`state.0.expAvg`). */
  tensors: Record<string, Tensor>;
  /** The state as JSON, with `{"$tensor": name}` / `{"$typed": name}` where the values were. */
  structure: string;
}

/**
 * Splits a nested state into tensors and JSON, so it can be stored in a safetensors file: tensors and
 * Float32/Float64 arrays become named tensors; numbers (NaN, ±Infinity and -0 included), strings,
 * booleans, null, undefined, arrays, plain objects and Maps are kept in the JSON structure.
 * @example
 * const { tensors, structure } = flattenState({ state: { 0: { step: 3, expAvg: m } }, paramGroups: [{ lr: 0.1, params: [0] }] });
 * // tensors: { 'state.0.expAvg': Tensor }, structure: '{"state":{"0":{"step":3,"expAvg":{"$tensor":"state.0.expAvg"}}},...}'
 */
export const flattenState = C.api(C.sig('flattenState', ['state', C.any]), function flattenState(state: NestedState): FlatState {
  const tensors: Record<string, Tensor> = {};
  const taken = new Set<string>();
  const open = new Set<object>();

  const nameFor = (path: string): string => {
    const base = path === '' ? 'value' : path;
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}#${k}`;
    taken.add(name);
    return name;
  };
  const store = (t: Tensor, path: string): string => {
    const name = nameFor(path);
    Object.defineProperty(tensors, name, { value: t, enumerable: true, writable: true, configurable: true });
    return name;
  };

  const encode = (value: unknown, path: string): unknown => {
    const at = path === '' ? 'the top level' : `'${path}'`;
    if (value instanceof Tensor) return { $tensor: store(value.detach(), path) };
    if (value instanceof Float32Array || value instanceof Float64Array) return { $typed: store(new Tensor(value, [value.length]), path) };
    if (typeof value === 'number') {
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $number: Object.is(value, -0) ? '-0' : String(value) };
    }
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
    if (value === undefined) return { $undefined: true };
    if (typeof value !== 'object') throw new DlError(`flattenState: cannot save a ${typeof value} at ${at}`);
    if (open.has(value)) throw new DlError(`flattenState: the state contains itself at ${at}`);
    open.add(value);
    const join = (key: string) => (path === '' ? key : `${path}.${key}`);
    let out: unknown;
    if (Array.isArray(value)) {
      out = value.map((v, i) => encode(v, join(String(i))));
    } else if (value instanceof Map) {
      out = { $map: [...value].map(([k, v]) => [encode(k, join(`${String(k)}(key)`)), encode(v, join(String(k)))]) };
    } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
      const fields: Record<string, unknown> = {};
      let special = false;
      for (const [k, v] of Object.entries(value)) {
        if (k.startsWith('$')) special = true;
        Object.defineProperty(fields, k, { value: encode(v, join(k)), enumerable: true, writable: true, configurable: true });
      }
      // A user object with '$' keys is wrapped, so it cannot be mistaken for one of our tags.
      out = special ? { $object: fields } : fields;
    } else {
      throw new DlError(`flattenState: cannot save a ${value.constructor?.name ?? 'object'} at ${at} (only tensors, Float32/Float64 arrays, numbers, strings, booleans, null, arrays, plain objects and Maps)`);
    }
    open.delete(value);
    return out;
  };

  const structure = JSON.stringify(encode(state, ''));
  return { tensors, structure };
});

/**
 * Rebuilds a nested state from `flattenState`'s parts. Typed arrays come back as Float32Array or
 * Float64Array (as saved), tensors as tensors.
 * @example const state = unflattenState(tensors, structure);
 */
export const unflattenState = C.api(C.sig('unflattenState', ['tensors', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['structure', C.string]), function unflattenState(tensors: Record<string, Tensor>, structure: string): NestedState {
  const fail = (message: string): never => {
    throw new DlError(`unflattenState: ${message}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(structure);
  } catch (e) {
    return fail(`the structure is not valid JSON (${(e as Error).message})`);
  }
  const used = new Set<string>();
  const tensorNamed = (name: unknown): Tensor => {
    if (typeof name !== 'string' || !Object.hasOwn(tensors, name)) return fail(`the structure refers to a tensor ${JSON.stringify(name)} that is not in the file`);
    used.add(name);
    return tensors[name]!;
  };
  const decodeValue = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(decodeValue);
    const keys = Object.keys(v);
    const tag = keys.length === 1 && keys[0]!.startsWith('$') ? keys[0]! : null;
    const inner = tag === null ? undefined : (v as Record<string, unknown>)[tag];
    switch (tag) {
      case null:
        return decodeFields(v as Record<string, unknown>);
      case '$tensor':
        return tensorNamed(inner);
      case '$typed':
        return tensorNamed(inner).data;
      case '$number':
        if (inner === '-0') return -0;
        if (inner === 'NaN' || inner === 'Infinity' || inner === '-Infinity') return Number(inner);
        return fail(`bad number ${JSON.stringify(inner)}`);
      case '$undefined':
        return undefined;
      case '$object':
        if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return fail('$object must hold an object');
        return decodeFields(inner as Record<string, unknown>);
      case '$map':
        if (!Array.isArray(inner) || !inner.every((p) => Array.isArray(p) && p.length === 2)) return fail('$map must hold [key, value] pairs');
        return new Map((inner as [unknown, unknown][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]));
      default:
        return fail(`unknown tag ${tag}`);
    }
  };
  const decodeFields = (fields: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(fields)) Object.defineProperty(out, k, { value: decodeValue(x), enumerable: true, writable: true, configurable: true });
    return out;
  };
  const state = decodeValue(parsed);
  const unused = Object.keys(tensors).filter((name) => !used.has(name));
  if (unused.length > 0) fail(`the file has tensors the structure does not mention: ${unused.map((n) => `'${n}'`).join(', ')}`);
  return state;
});

/**
 * Encodes a nested state (an optimizer's `stateDict()`, or a checkpoint such as
 * `{ model: model.stateDict(), optimizer: opt.stateDict(), epoch: 3 }`) as safetensors bytes: the
 * tensors under their dotted paths, and the rest as JSON in the metadata key `dl.state`.
 * @example
 * const bytes = serializeState(optimizer.stateDict());
 * optimizer.loadStateDict(deserializeState(bytes));
 */
export const serializeState = C.api(C.sig('serializeState', ['state', C.any], ['options', C.options({ metadata: C.any })]), function serializeState(state: NestedState, options: SerializeOptions = {}): Uint8Array {
  const { tensors, structure } = flattenState(state);
  const m: unknown = options.metadata;
  if (m !== undefined && (m === null || typeof m !== 'object' || Array.isArray(m))) {
    throw new DlError('serializeState', `metadata must be an object of strings, got ${m === null ? 'null' : Array.isArray(m) ? 'an array' : typeof m}`, { arg: 'metadata' });
  }
  if (options.metadata !== undefined && Object.hasOwn(options.metadata, STATE_KEY)) {
    throw new DlError(`serializeState: the metadata key '${STATE_KEY}' is reserved for the state's structure`);
  }
  return serialize(tensors, { metadata: { ...options.metadata, [STATE_KEY]: structure } });
});

/** Decodes bytes written by `serializeState` back into the nested state. @example const state = deserializeState(bytes); */
export const deserializeState = C.api(C.sig('deserializeState', ['bytes', C.kind('bytes', 'a Uint8Array', (v) => v instanceof Uint8Array)]), function deserializeState<T = NestedState>(bytes: Uint8Array): T {
  return decodeState(bytes, 'deserializeState') as T;
});

/** `deserializeState`, with `where` starting every error message. */
export function decodeState(bytes: Uint8Array, where: string): NestedState {
  const { tensors, metadata } = decode(bytes, where);
  const structure: string | undefined = (metadata as Metadata)[STATE_KEY];
  if (structure === undefined) {
    throw new DlError(`${where}: no '${STATE_KEY}' metadata: this file holds plain tensors (read it with load or deserialize), not a saved state`);
  }
  try {
    return unflattenState(tensors, structure);
  } catch (e) {
    throw new DlError(`${where}: ${(e as Error).message}`);
  }
}
