import { allocate, Tensor, type TypedArray, DlError, checks as C } from '@dl/autograd';
import { formatShape, Subset, TensorDataset, type Dataset } from './dataset.js';

/**
 * The batch type `defaultCollate` makes from samples of type `T`: tensors and numbers become one
 * tensor with a leading batch dimension, strings a list, and arrays and objects are batched field by field.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : never;

function allocateLike(data: TypedArray, n: number): TypedArray {
  return allocate(data instanceof Float64Array ? 'float64' : 'float32', n);
}

/**
 * Batches samples as PyTorch's `default_collate`: tensors of one shape and dtype are stacked along a
 * new first dimension, numbers become a float32 tensor [n], strings a list, and arrays and plain
 * objects are batched position by position / key by key.
 * @example
 * defaultCollate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]) // [Tensor [2,2], Tensor [2]]
 */
export const defaultCollate = C.api(C.sig('defaultCollate', ['samples', C.list(C.any)]), function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  return collateValues(samples as readonly unknown[], 'sample') as Collated<T>;
});

function collateValues(values: readonly unknown[], where: string): unknown {
  if (values.length === 0) throw new DlError('defaultCollate: cannot batch zero samples');
  const first = values[0];
  if (first instanceof Tensor) return stackTensors(values, where);
  if (typeof first === 'number') {
    const out = allocate('float32', values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw new DlError(`defaultCollate: ${where} ${i} is ${describe(v)}, but ${where} 0 is a number`);
      out[i] = v;
    }
    return new Tensor(out, [values.length]);
  }
  if (typeof first === 'string') {
    values.forEach((v, i) => {
      if (typeof v !== 'string') throw new DlError(`defaultCollate: ${where} ${i} is ${describe(v)}, but ${where} 0 is a string`);
    });
    return [...values];
  }
  if (Array.isArray(first)) {
    const len = first.length;
    values.forEach((v, i) => {
      if (!Array.isArray(v) || v.length !== len) {
        throw new DlError(`defaultCollate: ${where} ${i} is ${describe(v)}, but ${where} 0 is an array of length ${len}`);
      }
    });
    return first.map((_, j) => collateValues(values.map((v) => (v as unknown[])[j]), `${where}[${j}] of sample`));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      out[key] = collateValues(
        values.map((v, i) => {
          if (v === null || typeof v !== 'object' || !(key in v)) throw new DlError(`defaultCollate: ${where} ${i} has no key '${key}'`);
          return (v as Record<string, unknown>)[key];
        }),
        `${where}.${key} of sample`,
      );
    }
    return out;
  }
  throw new DlError(`defaultCollate: cannot batch ${describe(first)} (expected tensors, numbers, strings, arrays or plain objects)`);
}

function describe(v: unknown): string {
  if (v instanceof Tensor) return `a tensor of shape ${formatShape(v.shape)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return v === null ? 'null' : typeof v;
}

function stackTensors(values: readonly unknown[], where: string): Tensor {
  const first = values[0] as Tensor;
  const row = first.data.length;
  const out = allocateLike(first.data, values.length * row);
  for (let i = 0; i < values.length; i++) {
    const t = values[i];
    if (!(t instanceof Tensor)) throw new DlError(`defaultCollate: ${where} ${i} is ${describe(t)}, but ${where} 0 is a tensor`);
    if (t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.some((s, d) => s !== first.shape[d])) {
      throw new DlError(
        `defaultCollate: cannot stack ${where} ${i} (shape ${formatShape(t.shape)}, ${t.dtype}) with ${where} 0 (shape ${formatShape(first.shape)}, ${first.dtype})`,
      );
    }
    out.set(t.data, i * row);
  }
  return new Tensor(out, [values.length, ...first.shape]);
}

/** The tensors behind a TensorDataset (possibly seen through Subsets), and the row each sample maps to. */
export interface TensorRows {
  tensors: readonly Tensor[];
  /** Row of each sample, or null when sample i is row i. */
  rows: Int32Array | null;
}

/** Finds the TensorDataset under a chain of Subsets, composing their indices; null for other datasets. */
export function tensorRowsOf(dataset: Dataset<unknown>): TensorRows | null {
  if (dataset instanceof TensorDataset) return { tensors: dataset.tensors, rows: null };
  if (dataset instanceof Subset) {
    const inner = tensorRowsOf(dataset.dataset as Dataset<unknown>);
    if (inner === null) return null;
    const rows = inner.rows === null ? dataset.indices : dataset.indices.map((i) => inner.rows![i]!);
    return { tensors: inner.tensors, rows };
  }
  return null;
}

/**
 * One batch of a tensor dataset: for each tensor, the rows `rows[order[start..end)]` copied into a
 * buffer of the batch's size. Runs of consecutive rows (the whole batch when unshuffled) move with a
 * single `set` of a `subarray`.
 */
export function gatherRows(source: TensorRows, order: Int32Array, start: number, end: number): Tensor[] {
  const count = end - start;
  const n = source.tensors[0]!.shape[0]!;
  const rows = new Int32Array(count);
  for (let k = 0; k < count; k++) rows[k] = source.rows === null ? order[start + k]! : source.rows[order[start + k]!]!;
  return source.tensors.map((t) => {
    const rowSize = n === 0 ? 0 : t.data.length / n;
    const out = allocateLike(t.data, count * rowSize);
    let k = 0;
    while (k < count) {
      const first = rows[k]!;
      let runEnd = k + 1;
      while (runEnd < count && rows[runEnd] === first + (runEnd - k)) runEnd++;
      out.set(t.data.subarray(first * rowSize, (first + runEnd - k) * rowSize), k * rowSize);
      k = runEnd;
    }
    return new Tensor(out, [count, ...t.shape.slice(1)]);
  });
}
