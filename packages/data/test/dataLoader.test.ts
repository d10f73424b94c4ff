import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arange, manualSeed, tensor, Tensor, zeros, type DType } from '@dl/autograd';
import { DataLoader, defaultCollate, randomSplit, TensorDataset, type Dataset } from '@dl/data';

/** A dataset whose row i of x is [3i, 3i+1, 3i+2] and whose label is i, so batches say which rows they hold. */
function numbered(n: number, dtype: DType = 'float32'): TensorDataset {
  return new TensorDataset(arange(3 * n, undefined, { dtype }).reshape(n, 3), arange(n, undefined, { dtype }));
}

/** Checks the batch pairs rows correctly and returns its labels. */
function labelsOf([x, y]: Tensor[]): number[] {
  const b = y!.shape[0]!;
  expect(x!.shape).toEqual([b, 3]);
  expect(y!.shape).toEqual([b]);
  const ids = [...y!.data];
  ids.forEach((id, k) => expect([...x!.data.subarray(3 * k, 3 * k + 3)]).toEqual([3 * id, 3 * id + 1, 3 * id + 2]));
  return ids;
}

const loaderOptions = fc.record({
  batchSize: fc.integer({ min: 1, max: 12 }),
  shuffle: fc.boolean(),
  dropLast: fc.boolean(),
  seed: fc.integer(),
});

describe('DataLoader over a TensorDataset', () => {
  it('visits every sample exactly once per epoch, in full batches but maybe the last, rows kept together', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), loaderOptions, fc.constantFrom<DType>('float32', 'float64'), (n, opts, dtype) => {
        const loader = new DataLoader(numbered(n, dtype), opts);
        const expectedBatches = opts.dropLast ? Math.floor(n / opts.batchSize) : Math.ceil(n / opts.batchSize);
        expect(loader.length).toBe(expectedBatches);
        for (let epoch = 0; epoch < 2; epoch++) {
          const batches = [...loader];
          expect(batches.length).toBe(expectedBatches);
          const seen = batches.flatMap((b) => {
            expect(b[0]!.dtype).toBe(dtype);
            return labelsOf(b);
          });
          batches.forEach((b, i) => {
            const size = b[1]!.shape[0];
            if (i < batches.length - 1 || opts.dropLast || n % opts.batchSize === 0) expect(size).toBe(opts.batchSize);
            else expect(size).toBe(n % opts.batchSize);
          });
          const covered = opts.dropLast ? expectedBatches * opts.batchSize : n;
          expect(seen.length).toBe(covered);
          expect(new Set(seen).size).toBe(covered);
          if (!opts.shuffle) expect(seen).toEqual([...Array(covered).keys()]);
          if (!opts.dropLast) expect([...seen].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('batches a Subset of a TensorDataset from its rows too, and matches the generic path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), loaderOptions, (n, opts) => {
        const [part] = randomSplit(numbered(n), [n - 1, 1], { seed: opts.seed });
        const fast = [...new DataLoader(part!, opts)];
        // A custom collate turns off the row-copying path: both must give the same batches.
        const slow = [...new DataLoader(part!, { ...opts, collate: (s: Tensor[][]) => defaultCollate(s) })];
        expect(fast.map((b) => b.map((t) => t.toArray()))).toEqual(slow.map((b) => b.map((t) => t.toArray())));
        if (!opts.shuffle) {
          const ids = fast.flatMap(labelsOf);
          expect(ids).toEqual([...part!.indices].slice(0, ids.length));
        }
      }),
      { numRuns: 30 },
    );
  });

  it('yields batches that own their data', () => {
    const ds = numbered(4);
    const [[x]] = [...new DataLoader(ds, { batchSize: 4 })] as [[Tensor]];
    x.data.fill(-1);
    expect(ds.tensors[0]!.data[0]).toBe(0);
  });

  it('reshuffles each epoch, reproducibly for a seed', () => {
    const order = (loader: DataLoader<Tensor[]>) => [...loader].flatMap(labelsOf);
    const a = new DataLoader(numbered(40), { batchSize: 8, shuffle: true, seed: 5 });
    const b = new DataLoader(numbered(40), { batchSize: 8, shuffle: true, seed: 5 });
    const a1 = order(a);
    const a2 = order(a);
    expect(a1).not.toEqual(a2);
    expect(a1).not.toEqual([...Array(40).keys()]);
    expect(order(b)).toEqual(a1);
    expect(order(b)).toEqual(a2);

    manualSeed(2);
    const c1 = order(new DataLoader(numbered(40), { batchSize: 8, shuffle: true }));
    manualSeed(2);
    expect(order(new DataLoader(numbered(40), { batchSize: 8, shuffle: true }))).toEqual(c1);
  });
});

describe('DataLoader over other datasets', () => {
  it('stacks samples of tensors, numbers and objects with defaultCollate', () => {
    const ds: Dataset<{ image: Tensor; label: number }> = {
      length: 5,
      get: (i) => ({ image: tensor([[i, -i]], { dtype: 'float64' }), label: i * 10 }),
    };
    const batches = [...new DataLoader(ds, { batchSize: 2 })];
    expect(batches.length).toBe(3);
    const first = batches[0]!;
    expect(first.image.shape).toEqual([2, 1, 2]);
    expect(first.image.dtype).toBe('float64');
    expect(first.image.toArray()).toEqual([[[0, -0]], [[1, -1]]]);
    expect(first.label.dtype).toBe('float32');
    expect(first.label.toArray()).toEqual([0, 10]);
    expect(batches[2]!.label.toArray()).toEqual([40]);
  });

  it('uses a custom collate when given', () => {
    const ds: Dataset<number> = { length: 7, get: (i) => i };
    const sums = [...new DataLoader(ds, { batchSize: 3, collate: (s: number[]) => s.reduce((a, b) => a + b, 0) })];
    expect(sums).toEqual([3, 12, 6]);
  });
});

describe('defaultCollate', () => {
  it('batches tuples position by position and keeps strings as lists', () => {
    const batch = defaultCollate([
      [tensor([1, 2]), 0, 'a'],
      [tensor([3, 4]), 1, 'b'],
    ] as [Tensor, number, string][]);
    expect(batch[0].toArray()).toEqual([[1, 2], [3, 4]]);
    expect(batch[1].toArray()).toEqual([0, 1]);
    expect(batch[2]).toEqual(['a', 'b']);
  });

  it('names the samples that cannot be stacked', () => {
    expect(() => defaultCollate([zeros([2]), zeros([3])])).toThrow(/defaultCollate: cannot stack sample 1 \(shape \[3\], float32\) with sample 0 \(shape \[2\], float32\)/);
    expect(() => defaultCollate([zeros([2]), zeros([2], { dtype: 'float64' })])).toThrow(/cannot stack sample 1 \(shape \[2\], float64\)/);
    expect(() => defaultCollate([1, 'x'] as unknown[])).toThrow(/defaultCollate: sample 1 is string, but sample 0 is a number/);
    expect(() => defaultCollate([true])).toThrow(/defaultCollate: cannot batch boolean/);
    expect(() => defaultCollate([{ a: 1 }, { b: 2 }] as object[])).toThrow(/sample 1 has no key 'a'/);
  });
});

describe('DataLoader errors', () => {
  it('rejects a batch size that is not a positive integer', () => {
    for (const batchSize of [0, -1, 1.5, Number.NaN]) {
      expect(() => new DataLoader(numbered(3), { batchSize })).toThrow(/DataLoader: batchSize must be a positive integer, got/);
    }
  });

  it('rejects an empty dataset', () => {
    expect(() => new DataLoader(new TensorDataset(zeros([0, 2])))).toThrow(/DataLoader: the dataset is empty/);
    expect(() => new DataLoader({ length: 0, get: () => 0 })).toThrow(/DataLoader: the dataset is empty/);
  });
});
