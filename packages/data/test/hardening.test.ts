// Issue 10's findings in @dl/data: options are checked, not coerced.
import { describe, expect, it } from 'vitest';
import { DlError, zeros } from '@dl/autograd';
import { DataLoader, TensorDataset } from '@dl/data';

describe('DataLoader checks its options', () => {
  const ds = new TensorDataset(zeros([5, 2]));
  it("dropLast: 'false' is refused, not read as true", () => {
    expect(() => new DataLoader(ds, { dropLast: 'false' as never })).toThrow(/^DataLoader: dropLast must be true or false, got 'false' \(a string\)/);
  });
  it('a seed of 1.5 is refused, not read as 1', () => {
    expect(() => new DataLoader(ds, { seed: 1.5 })).toThrow(/^DataLoader: seed must be an integer, got 1.5/);
  });
  it('snake_case and unknown keys name the camelCase spelling and the valid keys', () => {
    const e = (() => { try { new DataLoader(ds, { batch_size: 4 } as never); } catch (x) { return x as DlError; } })()!;
    expect(e).toBeInstanceOf(DlError);
    expect(e.message).toMatch(/^DataLoader: unknown option 'batch_size'; the valid options are batchSize, shuffle, dropLast, seed, generator, collate \(did you mean 'batchSize'\? Options are camelCase\)/);
  });
  it('a plain array is not a dataset', () => {
    expect(() => new DataLoader([1, 2, 3] as never)).toThrow(/^DataLoader: dataset must be a Dataset/);
  });
});
