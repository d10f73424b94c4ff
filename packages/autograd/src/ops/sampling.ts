// Random sampling: randperm, multinomial and bernoulli, drawn from a seeded Generator.
import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { allocate, checkDType, type DType } from '../dtype.js';
import { lt } from './compare.js';
import { defaultGenerator, generatorKind, type Generator } from '../random.js';
import { fmt } from '../shape.js';
import { indexTensor } from './indices.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** Options of the samplers: the generator to draw from (the default, seeded one unless given). */
export interface SamplingOptions {
  generator?: Generator;
}

/**
 * A random permutation of 0 … n−1 (Fisher–Yates), as an index tensor (int32 unless `dtype`).
 * @example randperm(10, { generator: new Generator(0) })
 */
export const randperm = api(sig('randperm', ['n', K.int({ min: 0 })], ['options', opts({ generator: generatorKind, dtype: K.dtype })]), function randperm(n: number, options: SamplingOptions & { dtype?: DType } = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new DlError(`randperm: n must be a non-negative integer, got ${String(n)}`);
  const g = options.generator ?? defaultGenerator;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return indexTensor(perm, [n], checkDType('randperm', options.dtype ?? 'int32'));
});

/** Options of `multinomial`. */
export interface MultinomialOptions extends SamplingOptions {
  /** Draw with replacement (false: each category at most once per row). */
  replacement?: boolean;
}

/** Picks a category with probability proportional to `w` (length n, total `total`). */
function draw(w: Float64Array, total: number, g: Generator): number {
  let u = g.uniform() * total;
  let last = -1;
  for (let j = 0; j < w.length; j++) {
    if (w[j]! <= 0) continue;
    last = j;
    u -= w[j]!;
    if (u < 0) return j;
  }
  return last; // rounding left u a hair above 0: the last category with weight
}

/**
 * Draws `numSamples` category indices from each row of non-negative weights `probs` ([n] or
 * [rows, n]; they need not sum to 1), as PyTorch's `multinomial`; an index tensor of probs' dtype.
 * @example multinomial(softmax(logits, -1), 1, { generator })
 */
export const multinomial = api(sig('multinomial', ['probs', K.tensor], ['numSamples', K.int({ min: 1 })], ['options', opts({ generator: generatorKind, replacement: K.bool }, { positional: ['replacement'] })]), function multinomial(probs: Tensor, numSamples: number, options: MultinomialOptions = {}): Tensor {
  if (!(probs instanceof Tensor)) throw new DlError('multinomial: probs must be a tensor');
  if (probs.ndim !== 1 && probs.ndim !== 2) throw new DlError(`multinomial: probs must be 1-D or 2-D, got shape ${fmt(probs.shape)}`);
  const replacement = options.replacement ?? false;
  const n = probs.shape[probs.ndim - 1]!;
  const rows = probs.ndim === 1 ? 1 : probs.shape[0]!;
  if (!Number.isInteger(numSamples) || numSamples <= 0) throw new DlError(`multinomial: numSamples must be a positive integer, got ${String(numSamples)}`);
  if (!replacement && numSamples > n) {
    throw new DlError(`multinomial: cannot draw ${numSamples} samples without replacement from ${n} categories`);
  }
  const g = options.generator ?? defaultGenerator;
  const out = new Float64Array(rows * numSamples);
  for (let r = 0; r < rows; r++) {
    const w = Float64Array.from(probs.data.subarray(r * n, (r + 1) * n));
    let total = 0;
    for (const v of w) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new DlError(`multinomial: probabilities must be finite and non-negative, got ${v}`);
      total += v;
    }
    const positive = w.reduce((c, v) => c + (v > 0 ? 1 : 0), 0);
    if (total <= 0) throw new DlError(`multinomial: row ${r} of probs sums to 0`);
    if (!replacement && positive < numSamples) {
      throw new DlError(`multinomial: row ${r} has ${positive} non-zero categories, too few for ${numSamples} samples without replacement`);
    }
    for (let s = 0; s < numSamples; s++) {
      const j = draw(w, total, g);
      out[r * numSamples + s] = j;
      if (!replacement) {
        total -= w[j]!;
        w[j] = 0;
      }
    }
  }
  return indexTensor(out, probs.ndim === 1 ? [numSamples] : [rows, numSamples]);
});

/**
 * 1 with probability p and 0 otherwise, elementwise for a tensor of probabilities in [0, 1], as
 * PyTorch's `bernoulli`; the result has p's shape and dtype and no gradient.
 * @example bernoulli(fullLike(x, 0.3))
 */
export const bernoulli = api(sig('bernoulli', ['p', K.tensor], ['options', opts({ generator: generatorKind })]), function bernoulli(p: Tensor, options: SamplingOptions = {}): Tensor {
  if (!(p instanceof Tensor)) throw new DlError('bernoulli: p must be a tensor of probabilities');
  const g = options.generator ?? defaultGenerator;
  if (p.device !== 'cpu') {
    // The same uniform draws as on the CPU, moved to the GPU and compared there (out-of-range
    // probabilities cannot be checked synchronously: they give 0 below 0 and 1 above 1).
    const u = allocate(p.dtype, p.numel());
    for (let i = 0; i < u.length; i++) u[i] = g.uniform();
    return lt(new Tensor(u, p.shape).to(p.device), p).to(p.dtype);
  }
  const out = p.data.map((v) => {
    if (!(v >= 0 && v <= 1)) throw new DlError(`bernoulli: probabilities must be in [0, 1], got ${v}`);
    return g.uniform() < v ? 1 : 0;
  });
  return new Tensor(out, p.shape);
});
