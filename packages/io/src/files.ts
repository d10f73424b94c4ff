import { DlError, checks as C } from '@dl/autograd';
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Tensor } from '@dl/autograd';
import { serialize, type SerializeOptions } from './serialize.js';
import { decode, type Deserialized } from './deserialize.js';
import { decodeState, serializeState, type NestedState } from './state.js';
import type { StateDict } from './format.js';

/**
 * Writes `bytes` to `path` atomically: into a temporary file beside it, flushed to disk, then renamed
 * over `path`. A failure at any point leaves the old file (if any) as it was and no temporary file.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, where = 'writeFileAtomic'): void {
  sweepStaleTemporaries(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx');
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already failing; the original error is the one to report.
      }
    }
    try {
      rmSync(tmp, { force: true });
    } catch {
      // As above.
    }
    throw new DlError(`${where}: cannot write ${path}: ${(e as Error).message}`);
  }
}

/** Whether process `pid` is alive (a signal-0 probe: EPERM means alive but not ours). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporaries of `path` (`.name.PID.random.tmp`) that a killed process left behind: those
 * whose process is gone. Best effort: a file that cannot be listed or removed is left as it is.
 */
export function sweepStaleTemporaries(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[a-z0-9]+\.tmp$/.exec(name.slice(prefix.length));
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      rmSync(join(dirname(path), name), { force: true });
    } catch {
      // Another process may be sweeping it too.
    }
  }
}

function readBytes(path: string | Uint8Array, where: string): Uint8Array {
  if (path instanceof Uint8Array) return path;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DlError(`${where}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * Saves a state dict to a safetensors file that Python's `safetensors` (and any other reader) opens.
 * The file is written atomically, so a failure never leaves a half-written file. Node only.
 * @example
 * save(model.stateDict(), 'mnist-cnn.safetensors', { metadata: { epochs: '3' } });
 */
/** A state dict: a plain object of tensors; a model or an optimizer is named with the call that gives one. */
const stateDictKind: C.Kind = {
  ...C.kind('object', 'a state dict (an object of tensors)', (v) => typeof v === 'object' && v !== null),
  check(fn, arg, v) {
    if (typeof v === 'object' && v !== null && typeof (v as { stateDict?: unknown }).stateDict === 'function') {
      throw new C.DlError(fn, `${arg} must be a state dict (an object of tensors), got ${C.describe(v)}`, { arg, hint: `save its weights: save(model.stateDict(), path)` });
    }
    if (typeof v !== 'object' || v === null) throw new C.DlError(fn, `${arg} must be a state dict (an object of tensors), got ${C.describe(v)}`, { arg });
  },
};

export const save = C.api(C.sig('save', ['stateDict', stateDictKind], ['path', C.kind('path', 'a file path (a non-empty string)', (v) => typeof v === 'string' && v.length > 0)], ['options', C.options({ metadata: C.kind('metadata', 'an object of strings', (v) => C.isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string')) })]), function save(stateDict: StateDict, path: string, options: SerializeOptions = {}): void {
  const bytes = serialize(stateDict, options);
  writeFileAtomic(path, bytes, 'save');
});

/**
 * Loads the tensors of a safetensors file, checked in full before anything is returned. Node only.
 * @example
 * model.loadStateDict(load('mnist-cnn.safetensors'));
 */
export const load = C.api(C.sig('load', ['path', C.kind('source', 'a file path (a non-empty string) or the file\'s bytes (a Uint8Array)', (v) => (typeof v === 'string' && v.length > 0) || v instanceof Uint8Array)]), function load(path: string | Uint8Array): Record<string, Tensor> {
  return decode(readBytes(path, 'load'), `load(${typeof path === 'string' ? path : 'bytes'})`).tensors;
});

/** Loads the tensors and the `__metadata__` of a safetensors file. @example const { tensors, metadata } = loadWithMetadata('w.safetensors'); */
export const loadWithMetadata = C.api(C.sig('loadWithMetadata', ['path', C.kind('source', 'a file path (a non-empty string) or the file\'s bytes (a Uint8Array)', (v) => (typeof v === 'string' && v.length > 0) || v instanceof Uint8Array)]), function loadWithMetadata(path: string | Uint8Array): Deserialized {
  return decode(readBytes(path, 'loadWithMetadata'), `loadWithMetadata(${typeof path === 'string' ? path : 'bytes'})`);
});

/**
 * Saves a nested state (an optimizer's `stateDict()`, or a whole checkpoint object) atomically; see
 * `serializeState` for the format. Node only.
 * @example
 * saveState({ model: model.stateDict(), optimizer: opt.stateDict(), epoch }, 'checkpoint.safetensors');
 */
export const saveState = C.api(C.sig('saveState', ['state', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['path', C.kind('path', 'a file path (a non-empty string)', (v) => typeof v === 'string' && v.length > 0)], ['options', C.options({ metadata: C.kind('metadata', 'an object of strings', (v) => C.isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string')) })]), function saveState(state: NestedState, path: string, options: SerializeOptions = {}): void {
  writeFileAtomic(path, serializeState(state, options), 'saveState');
});

/**
 * Loads a nested state saved by `saveState`. Node only.
 * @example
 * opt.loadStateDict(loadState('optimizer.safetensors'));
 */
export const loadState = C.api(C.sig('loadState', ['path', C.kind('source', 'a file path (a non-empty string) or the file\'s bytes (a Uint8Array)', (v) => (typeof v === 'string' && v.length > 0) || v instanceof Uint8Array)]), function loadState<T = NestedState>(path: string | Uint8Array): T {
  return decodeState(readBytes(path, 'loadState'), `loadState(${typeof path === 'string' ? path : 'bytes'})`) as T;
});
