import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@dl/autograd';
import { deserialize, load, loadInto, serialize } from '@dl/io';

/** A file with this header text (padded with spaces to 8 bytes unless `pad` is false) and data. */
function file(header: string, data: Uint8Array | number, pad = true): Uint8Array {
  const json = new TextEncoder().encode(header);
  const n = pad ? Math.ceil(json.length / 8) * 8 : json.length;
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + n + body.length).fill(0x20, 8, 8 + n);
  new DataView(out.buffer).setUint32(0, n, true);
  out.set(json, 8);
  out.set(body, 8 + n);
  return out;
}

function withHeaderLength(bytes: Uint8Array, lo: number, hi = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, lo, true);
  view.setUint32(4, hi, true);
  return out;
}

const good = serialize({ w: tensor([[1, 2, 3], [4, 5, 6]]), b: tensor([0.5, -0.5], { dtype: 'float64' }) }, { metadata: { epoch: '2' } });
const headerLength = new DataView(good.buffer).getUint32(0, true);
const entry = (dtype: string, shape: unknown, offsets: unknown) => JSON.stringify({ dtype, shape, data_offsets: offsets });

describe('deserialize rejects damaged files with a clear error', () => {
  it('reads a file that is intact, and one whose header is not padded', () => {
    expect(Object.keys(deserialize(good).tensors).sort()).toEqual(['b', 'w']);
    const unpadded = file(`{"x":${entry('F32', [1], [0, 4])}}`, new Uint8Array(new Float32Array([7]).buffer), false);
    expect(deserialize(unpadded).tensors['x']!.toArray()).toEqual([7]);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ['fewer than 8 bytes', good.subarray(0, 5), /deserialize: the file is truncated: it has 5 bytes, but a safetensors file starts with an 8-byte header length/],
    ['an empty file', new Uint8Array(0), /the file is truncated: it has 0 bytes/],
    ['a header length over 100 MB', withHeaderLength(good, 100_000_001), /deserialize: the header length 100000001 is over the 100000000-byte limit/],
    ['a header length of 2^64 - 1', withHeaderLength(good, 0xffffffff, 0xffffffff), /the header length 18446744073709551615 is over the 100000000-byte limit/],
    ['a header length beyond the file', withHeaderLength(good, good.length), new RegExp(`the header length ${good.length} goes beyond the end of the file \\(${good.length} bytes\\)`)],
    ['a file cut inside the header', good.subarray(0, 8 + headerLength - 3), /goes beyond the end of the file/],
    ['a file cut inside the data', good.subarray(0, good.length - 4), /tensor 'w' has data_offsets \[16,40\] beyond the 36 bytes of data: the file is truncated or corrupt/],
    ['a header length of 0', withHeaderLength(good, 0), /the header must be a JSON object starting with '\{', but starts with ""/],
    ['a header that is not UTF-8', file('{"\xff":1}', 0).map((b, i) => (i === 10 ? 0xff : b)), /deserialize: the header is not valid UTF-8/],
    ['a header that is not JSON', file('{"w": {dtype: F32}}', 0), /deserialize: the header is not valid JSON/],
    ['a header that is a JSON array', file('[1, 2]', 0), /the header must be a JSON object starting with '\{', but starts with "\[1, 2\]/],
    ['two JSON values in the header', file('{} {}', 0), /the header is not valid JSON/],
    ['an unknown dtype', file(`{"w":${entry('Q7', [1], [0, 4])}}`, 4), /tensor 'w' has unknown dtype "Q7" \(expected F32, F64, I32, I64 or BOOL\)/],
    ['a dtype we cannot hold', file(`{"w":${entry('U64', [1], [0, 8])}}`, 8), /tensor 'w' has dtype U64, which @dl\/io cannot load \(tensors here are F32, F64, I32 or BOOL; I64 loads as F64\)/],
    ['no dtype', file(`{"w":{"shape":[1],"data_offsets":[0,4]}}`, 4), /tensor 'w' has no dtype string/],
    ['an entry that is not an object', file(`{"w":[1,2]}`, 0), /tensor 'w' must be described by an object \{ dtype, shape, data_offsets \}/],
    ['a negative size in the shape', file(`{"w":${entry('F32', [2, -1], [0, 4])}}`, 4), /tensor 'w' has shape \[2,-1\], not a list of non-negative integers/],
    ['a fractional size in the shape', file(`{"w":${entry('F32', [1.5], [0, 4])}}`, 4), /tensor 'w' has shape \[1.5\]/],
    ['offsets that are not a pair', file(`{"w":${entry('F32', [1], [4])}}`, 4), /tensor 'w' has data_offsets \[4\], not \[begin, end\] with 0 <= begin <= end/],
    ['offsets backwards', file(`{"w":${entry('F32', [1], [8, 4])}}`, 8), /tensor 'w' has data_offsets \[8,4\], not \[begin, end\]/],
    ['negative offsets', file(`{"w":${entry('F32', [1], [-4, 0])}}`, 4), /tensor 'w' has data_offsets \[-4,0\]/],
    ['offsets that do not match shape and dtype', file(`{"w":${entry('F32', [2, 3], [0, 20])}}`, 20), /tensor 'w' has shape \[2,3\] and dtype F32 \(24 bytes\), but data_offsets \[0,20\] span 20 bytes/],
    ['offsets out of range', file(`{"w":${entry('F64', [2], [8, 24])}}`, 16), /tensor 'w' has data_offsets \[8,24\] beyond the 16 bytes of data/],
    ['overlapping tensors', file(`{"a":${entry('F32', [2], [0, 8])},"b":${entry('F32', [2], [4, 12])}}`, 12), /tensors 'a' \[0,8\] and 'b' \[4,12\] overlap/],
    ['a gap between tensors', file(`{"a":${entry('F32', [2], [0, 8])},"b":${entry('F32', [2], [16, 24])}}`, 24), /no tensor covers data bytes \[8,16\) before tensor 'b'/],
    ['bytes after the last tensor', file(`{"a":${entry('F32', [2], [0, 8])}}`, 12), /the data section has 12 bytes but the tensors cover only 8/],
    ['metadata that is not strings', file(`{"__metadata__":{"epoch":3}}`, 0), /'__metadata__' must map strings to strings, but 'epoch' holds 3/],
    ['metadata that is not an object', file(`{"__metadata__":"x"}`, 0), /'__metadata__' must be an object of strings/],
  ];

  it.each(cases)('%s', (_, bytes, message) => {
    expect(() => deserialize(bytes)).toThrow(message);
  });

  it('names the file when loading from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-io-corrupt-'));
    try {
      const path = join(dir, 'cut.safetensors');
      writeFileSync(path, good.subarray(0, good.length - 4));
      expect(() => load(path)).toThrow(new RegExp(`load\\(${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): tensor 'w' has data_offsets`));
      expect(() => load(join(dir, 'missing.safetensors'))).toThrow(/load: cannot read .*missing\.safetensors: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never half-loads: loadInto with a damaged file leaves the target as it was', () => {
    const target = { w: tensor([[0, 0, 0], [0, 0, 0]]), b: tensor([9, 9], { dtype: 'float64' }) };
    expect(() => loadInto(target, good.subarray(0, good.length - 4))).toThrow(/loadInto: tensor 'w' has data_offsets/);
    expect(target.w.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(target.b.toArray()).toEqual([9, 9]);
  });
});
