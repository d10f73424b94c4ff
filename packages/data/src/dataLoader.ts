import { Generator, defaultGenerator, DlError, checks as C } from '@dl/autograd';
import type { Dataset } from './dataset.js';
import { defaultCollate, gatherRows, tensorRowsOf, type Collated, type TensorRows } from './collate.js';
import { randperm } from './sampling.js';

/** Options of `DataLoader`. */
export interface DataLoaderOptions<T, B> {
  /** Samples per batch (a positive integer); 1 by default, as in PyTorch. */
  batchSize?: number;
  /** Visits the samples in a fresh random order each epoch (each `for...of`). */
  shuffle?: boolean;
  /** Drops the last batch when it has fewer than `batchSize` samples. */
  dropLast?: boolean;
  /** Seeds the loader's own generator: the sequence of epoch orders is the same on every run. */
  seed?: number;
  /** The generator for shuffling when no seed is given (the default generator otherwise). */
  generator?: Generator;
  /** Turns a list of samples into a batch; `defaultCollate` (stacking) unless given. */
  collate?: (samples: T[]) => B;
}

const dataLoaderSig = C.sig('DataLoader',
  ['dataset', C.kind('dataset', 'a Dataset (an object with length and get(i))', (v) =>
    typeof v === 'object' && v !== null && typeof (v as { get?: unknown }).get === 'function')],
  ['options', C.options({
    batchSize: C.int({ min: 1 }), shuffle: C.bool, dropLast: C.bool, seed: C.int(), generator: C.generator, collate: C.func,
  })],
);

/**
 * Iterates over a dataset in batches (PyTorch's `DataLoader`, single process). A `TensorDataset`, or a
 * `Subset` of one, is batched by copying its rows straight from the typed arrays into a buffer of the
 * batch's size, yielding one tensor [batch, ...] per dataset tensor; other datasets have their samples
 * stacked by `collate`. Each `for...of` is one epoch.
 * @example
 * const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true, seed: 0 });
 * for (const [x, y] of loader) { ... } // x [64,1,28,28], y [64]
 * loader.length // number of batches per epoch
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  /** The dataset batches are drawn from. */
  readonly dataset: Dataset<T>;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;
  private readonly generator: Generator | null;
  private readonly collate: ((samples: T[]) => B) | null;
  private readonly rows: TensorRows | null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    C.checkCall(dataLoaderSig, arguments);
    const batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new DlError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    if (!Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new DlError(`DataLoader: the dataset's length must be a non-negative integer, got ${dataset.length}`);
    }
    if (dataset.length === 0) throw new DlError('DataLoader: the dataset is empty');
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.seed !== undefined ? new Generator(options.seed) : (options.generator ?? null);
    this.collate = options.collate ?? null;
    this.rows = this.collate === null ? tensorRowsOf(dataset as Dataset<unknown>) : null;
  }

  /** The number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch: the batches in order (a new random order per epoch when shuffling). */
  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    let order: Int32Array;
    if (this.shuffle) {
      order = randperm(n, this.generator ?? defaultGenerator);
    } else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, n);
      if (this.rows !== null) {
        yield gatherRows(this.rows, order, start, end) as B;
      } else {
        const samples: T[] = [];
        for (let k = start; k < end; k++) samples.push(this.dataset.get(order[k]!));
        yield this.collate !== null ? this.collate(samples) : (defaultCollate(samples) as B);
      }
    }
  }
}
