import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor, tensor, type DType } from '@dl/autograd';
import { deserialize, serialize } from '@dl/io';
import { fromLittleEndianBytes, littleEndianBytes } from '../src/format.js';

const arbDType = fc.constantFrom<DType>('float32', 'float64');
// Any value a float can hold, NaN, ±Infinity and -0 included.
const arbValue = fc.double();

function arbTensor(): fc.Arbitrary<Tensor> {
  return fc
    .tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), arbDType)
    .chain(([shape, dtype]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.array(arbValue, { minLength: n, maxLength: n }).map((values) => {
        const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
        return new Tensor(data, shape);
      });
    });
}

// Names: any well-formed Unicode (fast-check's 'binary' unit gives code points, surrogates paired).
const arbName = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => s !== '__metadata__');
const arbStateDict = fc.uniqueArray(fc.tuple(arbName, arbTensor()), { selector: ([name]) => name, maxLength: 6 });
const arbMetadata = fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 16 }), { maxKeys: 4 }), { nil: undefined });

function bitsOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

describe('serialize then deserialize', () => {
  it('gives back every tensor (name, dtype, shape, bits) and the metadata', () => {
    fc.assert(
      fc.property(arbStateDict, arbMetadata, (entries, metadata) => {
        const bytes = serialize(new Map(entries), { metadata });
        const back = deserialize(bytes);
        expect(Object.keys(back.tensors).sort()).toEqual(entries.map(([n]) => n).sort());
        for (const [name, t] of entries) {
          const u = back.tensors[name]!;
          expect(u.dtype).toBe(t.dtype);
          expect(u.shape).toEqual(t.shape);
          expect(bitsOf(u)).toEqual(bitsOf(t));
          expect(u.data).not.toBe(t.data);
        }
        expect(back.metadata).toEqual(metadata ?? {});
      }),
      { numRuns: 50 },
    );
  });

  it('lays the file out as the format requires: header a multiple of 8, tensors aligned, tiling the data', () => {
    fc.assert(
      fc.property(arbStateDict, arbMetadata, (entries, metadata) => {
        const bytes = serialize(Object.fromEntries(entries), { metadata });
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        const n = view.getUint32(0, true);
        expect(view.getUint32(4, true)).toBe(0);
        expect(n % 8).toBe(0);
        const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; data_offsets: [number, number] }>;
        const spans = Object.entries(header)
          .filter(([k]) => k !== '__metadata__')
          .map(([, v]) => v)
          .sort((a, b) => a.data_offsets[0] - b.data_offsets[0] || a.data_offsets[1] - b.data_offsets[1]);
        let at = 0;
        for (const { dtype, data_offsets: [begin, end] } of spans) {
          expect(begin).toBe(at);
          expect((8 + n + begin) % (dtype === 'F64' ? 8 : 4)).toBe(0);
          at = end;
        }
        expect(8 + n + at).toBe(bytes.length);
      }),
      { numRuns: 50 },
    );
  });

  it('does not depend on the order the tensors are given in', () => {
    fc.assert(
      fc.property(arbStateDict, (entries) => {
        const a = serialize(new Map(entries));
        const b = serialize(new Map([...entries].reverse()));
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('keeps tensors shared with a model independent of the file', () => {
    const w = tensor([1, 2, 3]);
    const bytes = serialize({ w });
    w.data[0] = 100;
    expect(deserialize(bytes).tensors['w']!.toArray()).toEqual([1, 2, 3]);
  });

  it('writes a little-endian copy on big-endian hosts, and reads one back', () => {
    fc.assert(
      fc.property(arbTensor(), (t) => {
        const native = littleEndianBytes(t.data, true);
        const swapped = littleEndianBytes(t.data, false);
        expect(swapped).toEqual(new Uint8Array(native));
        expect(fromLittleEndianBytes(swapped, t.dtype, false)).toEqual(fromLittleEndianBytes(native, t.dtype, true));
      }),
      { numRuns: 30 },
    );
  });
});

describe('serialize errors', () => {
  it('rejects entries that are not tensors, reserved or invalid names, and non-string metadata', () => {
    expect(() => serialize({ w: [1, 2] as unknown as Tensor })).toThrow(/serialize: entry 'w' is not a Tensor/);
    expect(() => serialize({ __metadata__: tensor([1]) })).toThrow(/serialize: '__metadata__' is reserved/);
    expect(() => serialize({ ['bad\ud800']: tensor([1]) })).toThrow(/serialize: tensor name "bad\\ud800" is not valid Unicode/);
    expect(() => serialize(new Map([[1 as unknown as string, tensor([1])]]))).toThrow(/serialize: tensor names must be strings, got number/);
    expect(() => serialize({}, { metadata: { epoch: 3 as unknown as string } })).toThrow(/serialize: metadata values must be strings, but 'epoch' is number/);
    expect(() => serialize(null as unknown as Record<string, Tensor>)).toThrow(/serialize: expected a state dict/);
  });
});
