// Normalisation layers composed from differentiable ops (mean, sub, mul, sqrt, div), so their
// gradients, and gradients of gradients, come from the ops' own rules.
import { add, allocate, defaultGenerator, div, markModified, mean, mul, reshape, sqrt, sub, Tensor, type Generator, DlError } from '@dl/autograd';
import { checkRange, fmt, withoutGrad } from '../checks.js';
import { checks as C } from '@dl/autograd';

/** Options of `batchNorm`, as PyTorch's `F.batch_norm` keywords. */
export interface BatchNormOptions {
  /** The scale γ [C] (none by default). */
  weight?: Tensor | null;
  /** The shift β [C] (none by default). */
  bias?: Tensor | null;
  /** Whether to normalise with the batch statistics (and update the running ones); false by default, as PyTorch. */
  training?: boolean;
  /** The weight of the new batch statistics in the running ones (0.1). */
  momentum?: number;
  /** Added to the variance before the square root (1e-5). */
  eps?: number;
}

/** Options of `layerNorm` and `groupNorm`. */
export interface NormOptions {
  /** The elementwise scale (none by default). */
  weight?: Tensor | null;
  /** The elementwise shift (none by default). */
  bias?: Tensor | null;
  /** Added to the variance before the square root (1e-5). */
  eps?: number;
}

/** Options of `dropout2d`. */
export interface Dropout2dOptions {
  /** The probability of zeroing a channel (0.5). */
  p?: number;
  /** Whether to drop at all (true); modules pass their `training` flag. */
  training?: boolean;
  /** The generator to draw the mask from (the default, seeded one unless given). */
  generator?: Generator;
}

/** (x − mean) / √(var + eps) over `dims`, with the biased variance; also returns the batch mean and variance. */
function standardize(x: Tensor, dims: number[], eps: number): { y: Tensor; mu: Tensor; v: Tensor } {
  const mu = mean(x, { dim: dims, keepdim: true });
  const xc = sub(x, mu);
  const v = mean(mul(xc, xc), { dim: dims, keepdim: true });
  return { y: div(xc, sqrt(add(v, eps))), mu, v };
}

/** y·weight + bias, each reshaped to `shape` first when given. */
function affine(y: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined, shape?: number[]): Tensor {
  let out = y;
  if (weight) out = mul(out, shape ? reshape(weight, shape) : weight);
  if (bias) out = add(out, shape ? reshape(bias, shape) : bias);
  return out;
}

function checkVector(layer: string, name: string, t: Tensor | null | undefined, c: number): void {
  if (t && (t.ndim !== 1 || t.shape[0] !== c)) throw new DlError(`${layer}: ${name} must have shape [${c}], got ${fmt(t.shape)}`);
}

/** @internal `batchNorm` with errors naming `layer`. */
export function batchNormAs(layer: string, x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const { weight, bias } = options;
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (x.ndim < 2) throw new DlError(`${layer}: expected an input [N, C, *] with at least 2 dims, got shape ${fmt(x.shape)}`);
  const c = x.shape[1]!;
  checkVector(layer, 'weight', weight, c);
  checkVector(layer, 'bias', bias, c);
  checkVector(layer, 'runningMean', runningMean, c);
  checkVector(layer, 'runningVar', runningVar, c);
  if ((runningMean === null) !== (runningVar === null)) throw new DlError(`${layer}: give both runningMean and runningVar, or neither`);
  const statShape = x.shape.map((s, i) => (i === 1 ? s : 1));
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  if (!training) {
    if (runningMean === null || runningVar === null) throw new DlError(`${layer}: runningMean and runningVar must be given in evaluation mode`);
    const rm = reshape(runningMean.detach(), statShape);
    const rv = reshape(runningVar.detach(), statShape);
    return affine(div(sub(x, rm), sqrt(add(rv, eps))), weight, bias, statShape);
  }
  const count = x.numel() / c;
  if (count <= 1) throw new DlError(`${layer}: expected more than 1 value per channel when training, got input shape ${fmt(x.shape)}`);
  const { y, mu, v } = standardize(x, dims, eps);
  if (runningMean !== null && runningVar !== null) {
    withoutGrad(() => {
      // The running variance uses the unbiased batch variance; the normalisation above uses the biased one.
      const unbias = count / (count - 1);
      if (runningMean.device !== 'cpu') {
        // On the GPU, the same update in place with tensor ops (the statistics stay there).
        runningMean.mul_(1 - momentum).add_(reshape(mu, runningMean.shape), { alpha: momentum });
        runningVar.mul_(1 - momentum).add_(reshape(v, runningVar.shape), { alpha: momentum * unbias });
        return;
      }
      const rm = runningMean.data;
      const rv = runningVar.data;
      for (let i = 0; i < c; i++) {
        rm[i] = (1 - momentum) * rm[i]! + momentum * mu.data[i]!;
        rv[i] = (1 - momentum) * rv[i]! + momentum * v.data[i]! * unbias;
      }
      markModified(runningMean);
      markModified(runningVar);
    });
  }
  return affine(y, weight, bias, statShape);
}

/**
 * Batch normalisation over the channel dim 1 of x [N, C, *], as PyTorch's `F.batch_norm`: when
 * training, normalises each channel with the batch mean and biased variance and, if running stats
 * are given, updates them in place (running = (1 − momentum)·running + momentum·batch, with the
 * unbiased variance); otherwise normalises with the running stats. Then y·weight + bias.
 * @example
 * batchNorm(x, runningMean, runningVar, { weight, bias, training: true, momentum: 0.1 }) // [N, C, H, W]
 */
export const batchNorm = C.api(C.sig('batchNorm', ['x', C.tensor], ['runningMean', C.nullable(C.tensor)], ['runningVar', C.nullable(C.tensor)], ['options', C.options({ weight: C.nullable(C.tensor), bias: C.nullable(C.tensor), training: C.bool, momentum: C.number, eps: C.number }, { positional: ['weight', 'bias', 'training', 'momentum', 'eps'] })]), function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  return batchNormAs('batchNorm', x, runningMean, runningVar, options);
});

/** @internal `layerNorm` with errors naming `layer`. */
export function layerNormAs(layer: string, x: Tensor, normalizedShape: readonly number[], options: NormOptions = {}): Tensor {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((s, i) => s !== normalizedShape[i])) {
    throw new DlError(`${layer}: expected input with shape [*, ${normalizedShape.join(', ')}], got shape ${fmt(x.shape)}`);
  }
  for (const [name, t] of [['weight', options.weight], ['bias', options.bias]] as const) {
    if (t && t.shape.join() !== normalizedShape.join()) throw new DlError(`${layer}: ${name} must have shape ${fmt(normalizedShape)}, got ${fmt(t.shape)}`);
  }
  const dims = normalizedShape.map((_, i) => x.ndim - k + i);
  return affine(standardize(x, dims, options.eps ?? 1e-5).y, options.weight, options.bias);
}

/**
 * Layer normalisation over the trailing dims `normalizedShape`, as PyTorch's `F.layer_norm`: each
 * sample's last dims are standardised (biased variance), then scaled by weight and shifted by bias
 * (both of shape `normalizedShape`).
 * @example layerNorm(x, [8], { weight, bias }) // x [B, T, 8]
 */
export const layerNorm = C.api(C.sig('layerNorm', ['x', C.tensor], ['normalizedShape', C.list(C.number)], ['options', C.options({ weight: C.nullable(C.tensor), bias: C.nullable(C.tensor), eps: C.number }, { positional: ['weight', 'bias', 'eps'] })]), function layerNorm(x: Tensor, normalizedShape: readonly number[], options: NormOptions = {}): Tensor {
  return layerNormAs('layerNorm', x, normalizedShape, options);
});

/** @internal `groupNorm` with errors naming `layer`. */
export function groupNormAs(layer: string, x: Tensor, numGroups: number, options: NormOptions = {}): Tensor {
  if (x.ndim < 2) throw new DlError(`${layer}: expected an input [N, C, *] with at least 2 dims, got shape ${fmt(x.shape)}`);
  const [n, c] = x.shape as [number, number];
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new DlError(`${layer}: input has ${c} channels, which is not divisible by numGroups ${numGroups} (input shape ${fmt(x.shape)})`);
  }
  checkVector(layer, 'weight', options.weight, c);
  checkVector(layer, 'bias', options.bias, c);
  const perGroup = x.numel() / (n * numGroups);
  if (n * perGroup === 1) throw new DlError(`${layer}: expected more than 1 value per group, got input shape ${fmt(x.shape)}`);
  const grouped = reshape(x, [n, numGroups, perGroup]);
  const y = reshape(standardize(grouped, [2], options.eps ?? 1e-5).y, x.shape);
  return affine(y, options.weight, options.bias, x.shape.map((s, i) => (i === 1 ? s : 1)));
}

/**
 * Group normalisation, as PyTorch's `F.group_norm`: the C channels of x [N, C, *] are split into
 * `numGroups` groups, each sample's group is standardised (biased variance), then scaled and
 * shifted per channel by weight [C] and bias [C].
 * @example groupNorm(x, 2, { weight, bias }) // x [N, 4, H, W]
 */
export const groupNorm = C.api(C.sig('groupNorm', ['x', C.tensor], ['numGroups', C.number], ['options', C.options({ weight: C.nullable(C.tensor), bias: C.nullable(C.tensor), eps: C.number }, { positional: ['weight', 'bias', 'eps'] })]), function groupNorm(x: Tensor, numGroups: number, options: NormOptions = {}): Tensor {
  return groupNormAs('groupNorm', x, numGroups, options);
});

/** @internal `dropout2d` with errors naming `layer`. */
export function dropout2dAs(layer: string, x: Tensor, options: Dropout2dOptions = {}): Tensor {
  const p = checkRange(layer, 'p', options.p ?? 0.5, 0, 1);
  if (x.ndim !== 3 && x.ndim !== 4) throw new DlError(`${layer}: expected a 3-D or 4-D input [C, H, W] or [N, C, H, W], got shape ${fmt(x.shape)}`);
  if (options.training === false || p === 0) return x;
  const lead = x.shape.slice(0, x.ndim - 2);
  const n = lead.reduce((a, s) => a * s, 1);
  const mask = new Tensor(allocate(x.dtype === 'float64' ? 'float64' : 'float32', n), [...lead, 1, 1]);
  if (p < 1) {
    const g = options.generator ?? defaultGenerator;
    const keep = 1 / (1 - p);
    for (let i = 0; i < n; i++) mask.data[i] = g.uniform() < p ? 0 : keep;
  }
  return mul(x, mask.to(x.device));
}

/**
 * Zeroes whole channels with probability p and scales the rest by 1 / (1 − p), as PyTorch's
 * `F.dropout2d`, on [N, C, H, W] or unbatched [C, H, W] input (one draw per channel; PyTorch 2.13 still
 * reads 3-D input as [N, C, L] with a deprecation warning, we take the [C, H, W] it announces).
 * Returns x unchanged when not training.
 * @example dropout2d(features, { p: 0.2, training: model.training })
 */
export const dropout2d = C.api(C.sig('dropout2d', ['x', C.tensor], ['options', C.options({ p: C.finite({ min: 0, max: 1 }), training: C.bool, generator: C.generator }, { positional: ['p', 'training'] })]), function dropout2d(x: Tensor, options: Dropout2dOptions = {}): Tensor {
  return dropout2dAs('dropout2d', x, options);
});
