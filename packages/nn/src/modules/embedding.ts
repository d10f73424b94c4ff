import { markModified, zeros, type DType, type Generator, type Tensor } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt } from '../checks.js';
import { embeddingAs, normalizePaddingIdx } from '../functional/embedding.js';
import { normal_ } from '../init.js';

/** Options of `Embedding`: the padding row, the dtype of the weight, and the generator for init. */
export interface EmbeddingModuleOptions {
  /** A row (negative counts from the end) that starts at zero and gets no gradient, as PyTorch's `padding_idx`. */
  paddingIdx?: number | null;
  dtype?: DType;
  generator?: Generator;
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, as PyTorch's `nn.Embedding`:
 * input holds integer indices (as float values) of any shape → [...input.shape, embeddingDim].
 * The weight starts as N(0, 1), with the `paddingIdx` row zeroed; that row gets no gradient.
 * @example
 * const emb = new Embedding(1000, 32, { paddingIdx: 0 });
 * emb.forward(tensor([[5, 7, 0], [2, 0, 0]])); // [2, 3, 32]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, non-negative, or null. */
  readonly paddingIdx: number | null;
  /** [numEmbeddings, embeddingDim]. */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingModuleOptions = {}) {
    super();
    this.numEmbeddings = checkInt('Embedding', 'numEmbeddings', numEmbeddings, 1);
    this.embeddingDim = checkInt('Embedding', 'embeddingDim', embeddingDim, 1);
    this.paddingIdx = normalizePaddingIdx('Embedding', options.paddingIdx, numEmbeddings);
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' }));
    this.resetParameters(options.generator);
  }

  /** Re-draws the weight from N(0, 1) and zeroes the padding row, as PyTorch. */
  resetParameters(generator?: Generator): void {
    normal_(this.weight, { generator });
    if (this.paddingIdx !== null) {
      const d = this.embeddingDim;
      this.weight.data.fill(0, this.paddingIdx * d, (this.paddingIdx + 1) * d);
      markModified(this.weight);
    }
  }

  /** Indices of any shape → their rows, [...input.shape, embeddingDim]. */
  forward(input: Tensor): Tensor {
    return embeddingAs('Embedding', input, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
