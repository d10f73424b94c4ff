// Issue 10's findings in @dl/io: load takes only paths (and bytes); save leaves no temporaries behind.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, type Tensor } from '@dl/autograd';
import { load, save, serialize } from '@dl/io';

describe('load', () => {
  it('load(0) is refused at once instead of reading standard input', () => {
    expect(() => load(0 as never)).toThrow(/^load: path must be a file path \(a non-empty string\) or the file's bytes \(a Uint8Array\), got 0/);
    expect(() => load('' as never)).toThrow(/^load: path must be/);
  });
  it('loads bytes as well as paths', () => {
    const bytes = serialize({ w: tensor([1, 2]) });
    expect(load(bytes).w!.toArray()).toEqual([1, 2]);
  });
});

describe('save and temporaries', () => {
  it('a failed save removes its temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-hardening-'));
    expect(() => save({ w: 'x' as unknown as Tensor }, join(dir, 'm.safetensors'))).toThrow(/^save: /);
    expect(() => save({ w: tensor([1]) }, join(dir, 'missing', 'm.safetensors'))).toThrow(/^save: cannot write/);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('sweeps the stale temporaries a killed save left for the same target, and only those', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-hardening-'));
    // A pid that is not running (above Linux's pid_max default), and one that is (ours, busy writing).
    writeFileSync(join(dir, '.m.safetensors.99999999.abc123.tmp'), 'stale');
    writeFileSync(join(dir, `.m.safetensors.${process.ppid}.def456.tmp`), 'live');
    writeFileSync(join(dir, '.other.safetensors.99999999.abc123.tmp'), 'another target');
    save({ w: tensor([1]) }, join(dir, 'm.safetensors'));
    expect(readdirSync(dir).sort()).toEqual([`.m.safetensors.${process.ppid}.def456.tmp`, '.other.safetensors.99999999.abc123.tmp', 'm.safetensors']);
  });
});
