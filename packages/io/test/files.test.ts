import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, tensor } from '@dl/autograd';
import { load, loadState, loadWithMetadata, save, saveState, serialize } from '@dl/io';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dl-io-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const weights = () => ({ 'fc.weight': tensor([[1, 2], [3, 4]]), 'fc.bias': tensor([0.5, -0.5], { dtype: 'float64' }) });

describe('save and load', () => {
  it('round-trip a state dict through a file, with metadata', () => {
    const path = join(dir, 'model.safetensors');
    save(weights(), path, { metadata: { epochs: '3' } });
    const tensors = load(path);
    expect(tensors['fc.weight']!.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(tensors['fc.bias']!.dtype).toBe('float64');
    expect(loadWithMetadata(path).metadata).toEqual({ epochs: '3' });
    // The file is exactly what serialize gives.
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(serialize(weights(), { metadata: { epochs: '3' } })))).toBe(true);
  });

  it('replace an existing file whole and leave no temporary file', () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'x'.repeat(10_000));
    save(weights(), path);
    expect(load(path)['fc.weight']!.shape).toEqual([2, 2]);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('leave the old file untouched when the state dict is bad', () => {
    const path = join(dir, 'model.safetensors');
    save(weights(), path);
    const before = readFileSync(path);
    expect(() => save({ w: 'not a tensor' as unknown as Tensor }, path)).toThrow(/^save: entry 'w' is not a Tensor/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('leave nothing behind when the file cannot be put in place', () => {
    // A non-empty directory stands where the file should go, so the final rename fails.
    const path = join(dir, 'model.safetensors');
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), 'kept');
    expect(() => save(weights(), path)).toThrow(/save: cannot write .*model\.safetensors: /);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect(readFileSync(join(path, 'keep'), 'utf8')).toBe('kept');
  });

  it('say which path cannot be written or read', () => {
    expect(() => save(weights(), join(dir, 'no', 'such', 'dir', 'w.safetensors'))).toThrow(/save: cannot write .*w\.safetensors: ENOENT/);
    expect(() => load(join(dir, 'absent.safetensors'))).toThrow(/load: cannot read .*absent\.safetensors: ENOENT/);
    expect(() => loadState(join(dir, 'absent.safetensors'))).toThrow(/loadState: cannot read/);
  });
});

describe('saveState and loadState', () => {
  it('round-trip a checkpoint of model weights, optimizer state and counters', () => {
    const path = join(dir, 'checkpoint.safetensors');
    const checkpoint = {
      model: weights(),
      optimizer: { state: { 0: { step: 2, momentumBuffer: Float32Array.from([0.25, 0.5, 0.75, 1]) } }, paramGroups: [{ lr: 0.1, momentum: 0.9, params: [0, 1] }] },
      epoch: 4,
    };
    saveState(checkpoint, path);
    expect(loadState(path)).toEqual(checkpoint);
    // Plain readers see the tensors under their paths.
    expect(Object.keys(load(path)).sort()).toEqual(['model.fc.bias', 'model.fc.weight', 'optimizer.state.0.momentumBuffer']);
  });

  it('name the file when it holds no saved state', () => {
    const path = join(dir, 'plain.safetensors');
    save(weights(), path);
    expect(() => loadState(path)).toThrow(/loadState\(.*plain\.safetensors\): no 'dl.state' metadata/);
  });
});
