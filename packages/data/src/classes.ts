// The public constructors of @dl/data, each checked against a full signature (issue 10) and taking PyTorch's
// positional forms (issue 9): `new DataLoader(ds, 64, true)` is (batchSize, shuffle), the options object
// still accepted last. index.ts exports these; the raw classes stay internal.
import { Tensor, checks as C } from '@dl/autograd';
import { TensorDataset as TensorDatasetRaw, Subset as SubsetRaw, type Dataset } from './dataset.js';
import { DataLoader as DataLoaderRaw } from './dataLoader.js';

/** A map-style dataset: any object with `length` and `get(i)`; an array or a tensor is named with what to do. */
export const dataset: C.Kind = {
  ...C.kind('dataset', 'a Dataset (an object with length and get(i))', (v) =>
    typeof v === 'object' && v !== null && typeof (v as { get?: unknown }).get === 'function' && typeof (v as { length?: unknown }).length === 'number'),
  check(fn, arg, v) {
    if (typeof v === 'object' && v !== null && typeof (v as { get?: unknown }).get === 'function' && typeof (v as { length?: unknown }).length === 'number') return;
    const hint = Array.isArray(v)
      ? 'wrap the samples in a dataset: new TensorDataset(x, y) for tensors, or { length: a.length, get: (i) => a[i] }'
      : v instanceof Tensor ? 'wrap it in a dataset: new TensorDataset(x) (and the targets: new TensorDataset(x, y))' : undefined;
    throw new C.DlError(fn, `${arg} must be a Dataset (an object with length and get(i)), got ${C.describe(v)}`, { arg, hint });
  },
};

/** TensorDataset, checked: tensors sharing their first dim. */
export const TensorDataset = C.checkedClass(TensorDatasetRaw, C.sig('TensorDataset', ['...tensors', C.tensor]));
export type TensorDataset<T extends Tensor[] = Tensor[]> = TensorDatasetRaw<T>;
/** Subset, checked. */
export const Subset = C.checkedClass(SubsetRaw, C.sig('Subset', ['dataset', dataset], ['indices', C.kind('indices', 'an array of integer indices', (v) =>
  (Array.isArray(v) || v instanceof Int32Array) && Array.from(v as ArrayLike<number>).every((i) => Number.isInteger(i)))]));
export type Subset<T> = SubsetRaw<T>;
/** DataLoader, checked; `new DataLoader(ds, 64, true)` is PyTorch's (batch_size, shuffle). */
export const DataLoader = C.checkedClass<typeof DataLoaderRaw, (new <T>(dataset: Dataset<T>, batchSize: number, shuffle?: boolean) => DataLoaderRaw<T>)>(DataLoaderRaw, C.sig('DataLoader', ['dataset', dataset], ['options', C.options({
  batchSize: C.int({ min: 1 }), shuffle: C.bool, dropLast: C.bool, seed: C.int(), generator: C.generator, collate: C.func,
}, { positional: ['batchSize', 'shuffle'] })]));
export type DataLoader<T, B = import('./collate.js').Collated<T>> = DataLoaderRaw<T, B>;
