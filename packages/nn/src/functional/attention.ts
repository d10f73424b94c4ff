import { allocate, Tensor, type DType, checks as C } from '@dl/autograd';
import { checkInt } from '../checks.js';

export {
  scaledDotProductAttention, scaledDotProductAttentionWithWeights, maskFromAllowed, maskFromBlocked,
  type ScaledDotProductAttentionOptions, type AttentionResult,
} from '@dl/autograd';

/** Options of `sinusoidalPositionalEncoding`. */
export interface PositionalEncodingOptions {
  /** The dtype of the table (float32). */
  dtype?: DType;
}

/**
 * The fixed positional encodings of "Attention Is All You Need" (Vaswani et al., 2017), [length, dModel]:
 * PE[pos, 2i] = sin(pos / 10000^(2i/dModel)) and PE[pos, 2i+1] = cos(pos / 10000^(2i/dModel)).
 * Add it to the (scaled) token embeddings; it carries no gradient. An odd dModel ends with a sine column.
 * @example const x = embed.forward(tokens).add(sinusoidalPositionalEncoding(T, 512)); // [B, T, 512]
 */
export const sinusoidalPositionalEncoding = C.api(C.sig('sinusoidalPositionalEncoding', ['length', C.number], ['dModel', C.number], ['options', C.options({ dtype: C.floatDtype })]), function sinusoidalPositionalEncoding(length: number, dModel: number, options: PositionalEncodingOptions = {}): Tensor {
  checkInt('sinusoidalPositionalEncoding', 'length', length, 0);
  checkInt('sinusoidalPositionalEncoding', 'dModel', dModel, 1);
  const data = allocate(options.dtype === 'float64' ? 'float64' : 'float32', length * dModel);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; i < dModel; i += 2) {
      const angle = pos / Math.pow(10000, i / dModel);
      data[pos * dModel + i] = Math.sin(angle);
      if (i + 1 < dModel) data[pos * dModel + i + 1] = Math.cos(angle);
    }
  }
  return new Tensor(data, [length, dModel]);
});
