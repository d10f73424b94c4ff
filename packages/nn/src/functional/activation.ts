import { defaultGenerator, mul, Tensor, type Generator } from '@dl/autograd';
import { checkRange } from '../checks.js';

export { relu, sigmoid, tanh, leakyRelu, gelu, softmax, logSoftmax, type LeakyReluOptions, type GeluOptions } from '@dl/autograd';

/** Options of `dropout`. */
export interface DropoutOptions {
  /** The probability of zeroing an element (0.5). */
  p?: number;
  /** Whether to drop at all (true); modules pass their `training` flag. */
  training?: boolean;
  /** The generator to draw the mask from (the default, seeded one unless given). */
  generator?: Generator;
}

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 − p), as PyTorch's
 * `F.dropout`; returns x unchanged when not training.
 * @example dropout(h, { p: 0.2, training: model.training })
 */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const p = checkRange('dropout', 'p', options.p ?? 0.5, 0, 1);
  if (options.training === false || p === 0) return x;
  const g = options.generator ?? defaultGenerator;
  const mask = new Tensor(x.dtype === 'float64' ? new Float64Array(x.numel()) : new Float32Array(x.numel()), x.shape);
  if (p < 1) {
    const keep = 1 / (1 - p);
    const m = mask.data;
    for (let i = 0; i < m.length; i++) m[i] = g.uniform() < p ? 0 : keep;
  }
  return mul(x, mask);
}
