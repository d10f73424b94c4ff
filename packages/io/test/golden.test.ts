import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deserialize, load, loadWithMetadata, serialize } from '@dl/io';

// Files written by Python's `safetensors` (the reference Rust writer): see fixtures/generate.py.
const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Expected {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: 'F32' | 'F64'; shape: number[]; values: (number | string)[] }>;
  headerLength: number;
  size: number;
}
const fixtures = JSON.parse(readFileSync(`${dir}fixtures.json`, 'utf8')) as { safetensors: string; files: Record<string, Expected> };
const cases = Object.entries(fixtures.files);

const toNumber = (v: number | string): number => (v === '-0' ? -0 : typeof v === 'string' ? Number(v) : v);

describe(`golden files from Python safetensors ${fixtures.safetensors}`, () => {
  it('covers the cases the generator writes', () => {
    expect(cases.map(([name]) => name).sort()).toEqual(['basic', 'empty', 'empty_with_metadata', 'mlp', 'names', 'special_values', 'zero_size']);
  });

  describe.each(cases)('%s.safetensors', (name, expected) => {
    const bytes = new Uint8Array(readFileSync(`${dir}${name}.safetensors`));

    it('reads every tensor (name, dtype, shape, values bit for bit) and the metadata', () => {
      expect(bytes.length).toBe(expected.size);
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true)).toBe(expected.headerLength);
      const { tensors, metadata } = deserialize(bytes);
      expect(metadata).toEqual(expected.metadata);
      expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
      for (const [key, e] of Object.entries(expected.tensors)) {
        const t = tensors[key]!;
        expect(t.dtype).toBe(e.dtype === 'F64' ? 'float64' : 'float32');
        expect(t.shape).toEqual(e.shape);
        const want = e.dtype === 'F64' ? Float64Array.from(e.values, toNumber) : Float32Array.from(e.values, toNumber);
        expect(t.data).toEqual(want);
        // toEqual treats NaN as NaN but not -0 as 0; check -0 and NaN explicitly as well.
        t.data.forEach((v, i) => expect(Object.is(v, want[i])).toBe(true));
      }
    });

    it('writes back exactly the same bytes', () => {
      const { tensors, metadata } = deserialize(bytes);
      const out = serialize(tensors, { metadata });
      expect(out.length).toBe(bytes.length);
      expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
    });

    it('writes the same bytes from tensors given in any order, as a Map too', () => {
      const { tensors, metadata } = deserialize(bytes);
      const reversed = new Map(Object.entries(tensors).reverse());
      expect(Buffer.from(serialize(reversed, { metadata })).equals(Buffer.from(bytes))).toBe(true);
    });
  });

  it('loads the files from disk with load and loadWithMetadata', () => {
    const tensors = load(`${dir}mlp.safetensors`);
    expect(Object.keys(tensors).sort()).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight']);
    expect(tensors['fc1.weight']!.shape).toEqual([4, 3]);
    expect(loadWithMetadata(`${dir}basic.safetensors`).metadata).toEqual({ format: 'pt' });
  });
});
