import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '@dl/autograd';
import { BatchNorm1d } from '@dl/nn';
import { deserialize, load, loadInto } from '@dl/io';

// Files written by Python's safetensors from PyTorch tensors: see fixtures/integers/generate.py.
const dir = fileURLToPath(new URL('./fixtures/integers/', import.meta.url));
const bytesOf = (name: string) => new Uint8Array(readFileSync(`${dir}${name}.safetensors`));
const headerOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))))) as Record<string, { dtype: string }>;
const bn = JSON.parse(readFileSync(`${dir}batchnorm.json`, 'utf8')) as {
  state: Record<string, { shape: number[]; data: number[] }>;
  x: { shape: number[]; data: number[] };
  y: { shape: number[]; data: number[] };
};

describe('integer tensors (I32, I64) load as float64', () => {
  it('reads I32 and I64 values exactly, up to ±(2^53 − 1), with their shapes', () => {
    const bytes = bytesOf('ints');
    expect(headerOf(bytes).i32!.dtype).toBe('I32');
    expect(headerOf(bytes).i64!.dtype).toBe('I64');
    const { tensors } = deserialize(bytes);
    expect(tensors.i32!.dtype).toBe('float64');
    expect(tensors.i32!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.i32!.data)).toEqual([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 7]);
    expect(Array.from(tensors.i64!.data)).toEqual([0, -5, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 40]);
    expect(tensors.scalar!.shape).toEqual([]);
    expect(tensors.scalar!.item()).toBe(42);
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
