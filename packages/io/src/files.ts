import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
    throw new Error(`${where}: cannot write ${path}: ${(e as Error).message}`);
  }
}

function readBytes(path: string, where: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`${where}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * Saves a state dict to a safetensors file that Python's `safetensors` (and any other reader) opens.
 * The file is written atomically, so a failure never leaves a half-written file. Node only.
 * @example
 * save(model.stateDict(), 'mnist-cnn.safetensors', { metadata: { epochs: '3' } });
 */
export function save(stateDict: StateDict, path: string, options: SerializeOptions = {}): void {
  const bytes = serialize(stateDict, options);
  writeFileAtomic(path, bytes, 'save');
}

/**
 * Loads the tensors of a safetensors file, checked in full before anything is returned. Node only.
 * @example
 * model.loadStateDict(load('mnist-cnn.safetensors'));
 */
export function load(path: string): Record<string, Tensor> {
  return decode(readBytes(path, 'load'), `load(${path})`).tensors;
}

/** Loads the tensors and the `__metadata__` of a safetensors file. @example const { tensors, metadata } = loadWithMetadata('w.safetensors'); */
export function loadWithMetadata(path: string): Deserialized {
  return decode(readBytes(path, 'loadWithMetadata'), `loadWithMetadata(${path})`);
}

/**
 * Saves a nested state (an optimizer's `stateDict()`, or a whole checkpoint object) atomically; see
 * `serializeState` for the format. Node only.
 * @example
 * saveState({ model: model.stateDict(), optimizer: opt.stateDict(), epoch }, 'checkpoint.safetensors');
 */
export function saveState(state: NestedState, path: string, options: SerializeOptions = {}): void {
  writeFileAtomic(path, serializeState(state, options), 'saveState');
}

/**
 * Loads a nested state saved by `saveState`. Node only.
 * @example
 * opt.loadStateDict(loadState('optimizer.safetensors'));
 */
export function loadState<T = NestedState>(path: string): T {
  return decodeState(readBytes(path, 'loadState'), `loadState(${path})`) as T;
}
