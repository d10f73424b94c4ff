import { Generator, defaultGenerator, Tensor, DlError, checks as C } from '@dl/autograd';
import { randperm } from './sampling.js';

/**
 * A map-style dataset: `length` samples, read by position with `get(i)` (PyTorch's `Dataset`).
 * Any object with these two members is a dataset.
 * @example
 * const squares: Dataset<number> = { length: 10, get: (i) => i * i };
 */
export interface Dataset<T> {
  /** The sample at `index` (0 ≤ index < length; negative indices count from the end). */
  get(index: number): T;
  /** The number of samples. */
  readonly length: number;
}

/** Formats a shape for error messages: `[2,3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Checks an index against a length (negative counts from the end) and returns it in [0, length). */
export function normalizeIndex(op: string, index: number, length: number): number {
  if (!Number.isInteger(index)) throw new DlError(`${op}: index must be an integer, got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) {
    throw new DlError(`${op}: index ${index} is out of range for a dataset of length ${length}`);
  }
  return i;
}

/**
 * A dataset of tensors that share their first dimension: sample `i` is the list of their rows `i`
 * (PyTorch's `TensorDataset`). `DataLoader` batches it by copying contiguous rows.
 * @example
 * const ds = new TensorDataset(images, labels); // images [N,1,28,28], labels [N]
 * const [x, y] = ds.get(0); // x [1,28,28], y []
 * The sample type is the tuple of the tensors given (`[Tensor, Tensor]` here), so a DataLoader's batches
 * destructure into tensors, not possibly-undefined elements.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> implements Dataset<T> {
  /** The tensors, each of shape [length, ...]. */
  readonly tensors: readonly Tensor[];
  /** The shared first dimension. */
  readonly length: number;

  constructor(...tensors: T) {
    if (tensors.length === 0) throw new DlError('TensorDataset: needs at least one tensor');
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new DlError(`TensorDataset: expects tensors, got ${typeof t}`);
      if (t.ndim === 0) throw new DlError('TensorDataset: a scalar tensor (shape []) has no first dimension to index');
    }
    const n = tensors[0]!.shape[0]!;
    if (tensors.some((t) => t.shape[0] !== n)) {
      const shapes = tensors.map((t) => formatShape(t.shape)).join(', ');
      throw new DlError(`TensorDataset: tensors must share their first dimension, got shapes ${shapes}`);
    }
    this.tensors = Object.freeze([...tensors]);
    this.length = n;
  }

  /** The rows `index` of every tensor, as copies of shape `t.shape.slice(1)`. */
  get(index: number): T {
    const i = normalizeIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => {
      const row = t.data.length / this.length;
      return new Tensor(t.data.slice(i * row, (i + 1) * row), t.shape.slice(1));
    }) as T;
  }
}

/**
 * The samples of `dataset` at `indices`, in that order (PyTorch's `Subset`); `randomSplit` returns these.
 * @example const firstTen = new Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class Subset<T> implements Dataset<T> {
  /** The dataset the samples come from. */
  readonly dataset: Dataset<T>;
  /** The positions in `dataset`, one per sample of the subset. */
  readonly indices: Int32Array;

  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    const n = dataset.length;
    const own = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) own[k] = normalizeIndex('Subset', indices[k]!, n);
    this.dataset = dataset;
    this.indices = own;
  }

  /** The number of samples. */
  get length(): number {
    return this.indices.length;
  }

  /** The sample `indices[index]` of the underlying dataset. */
  get(index: number): T {
    return this.dataset.get(this.indices[normalizeIndex('Subset.get', index, this.indices.length)]!);
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** Seeds a fresh generator, so the split is the same on every run. */
  seed?: number;
  /** The generator to draw from (the default generator, seeded by `manualSeed`, unless given). */
  generator?: Generator;
}

/**
 * Splits `dataset` into non-overlapping random subsets of the given lengths, or of the given fractions
 * of its length (PyTorch's `random_split`): fractions are floored, and the remainder is handed out one
 * by one, round-robin from the first subset.
 * @example
 * const [train, val] = randomSplit(ds, [0.8, 0.2], { seed: 0 });
 * const [a, b, c] = randomSplit(ds, [5, 3, 2], { seed: 1 }); // ds.length === 10
 */
export const randomSplit = C.api(C.sig('randomSplit', ['dataset', C.kind('dataset', 'a Dataset (an object with length and get(i))', (v) => typeof v === 'object' && v !== null && typeof (v as { get?: unknown }).get === 'function')], ['lengths', C.list(C.number)], ['options', C.options({ seed: C.int(), generator: C.generator })]), function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: RandomSplitOptions = {}): Subset<T>[] {
  const n = dataset.length;
  if (lengths.length === 0) throw new DlError('randomSplit: lengths must not be empty');
  const total = lengths.reduce((a, b) => a + b, 0);
  let sizes: number[];
  // PyTorch's rule: lengths that sum to (about) 1 and not above it are fractions.
  if (Math.abs(total - 1) <= 1e-9 && total <= 1) {
    lengths.forEach((f, i) => {
      if (!(f >= 0 && f <= 1)) throw new DlError(`randomSplit: fraction at index ${i} is not between 0 and 1: ${f}`);
    });
    sizes = lengths.map((f) => Math.floor(n * f));
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
  } else {
    lengths.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 0) {
        throw new DlError(`randomSplit: length at index ${i} must be a non-negative integer (or all lengths fractions summing to 1), got ${l}`);
      }
    });
    if (total !== n) {
      throw new DlError(`randomSplit: lengths [${lengths.join(', ')}] sum to ${total}, but the dataset has length ${n}`);
    }
    sizes = [...lengths];
  }
  const generator = options.seed !== undefined ? new Generator(options.seed) : (options.generator ?? defaultGenerator);
  const perm = randperm(n, generator);
  const subsets: Subset<T>[] = [];
  let offset = 0;
  for (const size of sizes) {
    subsets.push(new Subset(dataset, perm.subarray(offset, offset + size)));
    offset += size;
  }
  return subsets;
});
