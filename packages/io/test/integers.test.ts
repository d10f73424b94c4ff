import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor, tensor } from '@dl/autograd';
import { BatchNorm1d } from '@dl/nn';
import { deserialize, load, loadInto, serialize } from '@dl/io';

// Files written by Python's safetensors from PyTorch tensors: see fixtures/integers/generate.py.
const dir = fileURLToPath(new URL('./fixtures/integers/', import.meta.url));
const bytesOf = (name: string) => new Uint8Array(readFileSync(`${dir}${name}.safetensors`));
const headerOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))))) as Record<string, { dtype: string }>;
const bn = JSON.parse(readFileSync(`${dir}batchnorm.json`, 'utf8')) as {
  state: Record<string, { shape: number[]; data: number[] }>;
  x: { shape: number[]; data: number[] };
  y: { shape: number[]; data: number[] };
};

describe('integer and bool tensors: I32 as int32, BOOL as bool, I64 as float64', () => {
  it('reads I32 as int32 and I64 as float64, exactly up to ±(2^53 − 1), with their shapes', () => {
    const bytes = bytesOf('ints');
    expect(headerOf(bytes).i32!.dtype).toBe('I32');
    expect(headerOf(bytes).i64!.dtype).toBe('I64');
    const { tensors } = deserialize(bytes);
    expect(tensors.i32!.dtype).toBe('int32');
    expect(tensors.i64!.dtype).toBe('float64');
    expect(tensors.i32!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.i32!.data)).toEqual([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 7]);
    expect(Array.from(tensors.i64!.data)).toEqual([0, -5, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 40]);
    expect(tensors.scalar!.shape).toEqual([]);
    expect(tensors.scalar!.item()).toBe(42);
  });

  it("reads PyTorch's BOOL masks as bool tensors", () => {
    const bytes = bytesOf('bools');
    expect(headerOf(bytes).mask!.dtype).toBe('BOOL');
    const { tensors } = deserialize(bytes);
    expect(tensors.mask!.dtype).toBe('bool');
    expect(tensors.mask!.toArray()).toEqual([[1, 0, 1], [0, 0, 1]]);
    expect(tensors.lengths!.dtype).toBe('int32');
    expect(tensors.lengths!.toArray()).toEqual([3, 1]);
  });

  it('writes int32 as I32 and bool as BOOL, and reads them back unchanged', () => {
    const ints = tensor([[-(2 ** 31), 5], [2 ** 31 - 1, 0]], { dtype: 'int32' });
    const mask = tensor([true, false, true]);
    const bytes = serialize({ ints, mask, w: tensor([0.5]) });
    expect(headerOf(bytes).ints!.dtype).toBe('I32');
    expect(headerOf(bytes).mask!.dtype).toBe('BOOL');
    const { tensors } = deserialize(bytes);
    expect([tensors.ints!.dtype, tensors.mask!.dtype, tensors.w!.dtype]).toEqual(['int32', 'bool', 'float32']);
    expect(tensors.ints!.toArray()).toEqual(ints.toArray());
    expect(tensors.mask!.toArray()).toEqual([1, 0, 1]);
  });

  it('refuses a BOOL byte other than 0 and 1, naming the tensor and element', () => {
    const bytes = serialize({ mask: tensor([true, false]) });
    bytes[bytes.length - 1] = 2;
    expect(() => deserialize(bytes)).toThrow(/^deserialize: tensor 'mask' \(BOOL\) holds the byte 2 at element 1; a bool is 0 or 1$/);
  });

  it('refuses an I64 value that a float64 cannot hold exactly, naming the tensor, element and value', () => {
    expect(() => deserialize(bytesOf('too_big'))).toThrow(
      /^deserialize: tensor 'n' \(I64\) holds 9007199254740992 at element 1, which a float64 cannot hold exactly \(\|value\| must be below 2\^53\)$/,
    );
  });

  it("loads PyTorch's BatchNorm1d state dict (num_batches_tracked is I64) into BatchNorm1d, which then matches PyTorch", () => {
    const bytes = bytesOf('batchnorm');
    expect(headerOf(bytes).num_batches_tracked!.dtype).toBe('I64');
    const m = new BatchNorm1d(3, { dtype: 'float64' });
    m.loadStateDict(load(`${dir}batchnorm.safetensors`));
    for (const [k, v] of Object.entries(bn.state)) expect(Array.from(m.stateDict()[k]!.data)).toEqual(v.data);
    expect(m.numBatchesTracked!.item()).toBe(2);
    m.eval();
    const y = m.forward(new Tensor(Float64Array.from(bn.x.data), bn.x.shape));
    y.data.forEach((v, i) => expect(Math.abs(v - bn.y.data[i]!)).toBeLessThan(1e-12));
    // A float32 module loads it too, and so does loadInto on the state dict.
    const f32 = new BatchNorm1d(3);
    f32.loadStateDict(load(`${dir}batchnorm.safetensors`));
    expect(f32.numBatchesTracked!.item()).toBe(2);
    const target = new BatchNorm1d(3, { dtype: 'float64' }).stateDict();
    loadInto(target, bytes);
    expect(target.num_batches_tracked!.item()).toBe(2);
  });
});
