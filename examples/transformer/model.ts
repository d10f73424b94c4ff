// The transformer of the attention example: token and position embeddings, a stack of encoder
// layers (bidirectional for sequence tasks, causal for the names language model), a linear head.
import { Generator, arange, noGrad, type Tensor } from '@dl/autograd';
import { Embedding, Linear, Module, TransformerEncoder, TransformerEncoderLayer, sinusoidalPositionalEncoding } from '@dl/nn';

/** How positions are encoded. */
export type PositionKind = 'learned' | 'sinusoidal';

/** Sizes and settings of the model. */
export interface TinyTransformerOptions {
  vocabSize: number;
  maxLength: number;
  dModel: number;
  heads: number;
  layers: number;
  dimFeedforward: number;
  dropout: number;
  /** Each position sees only itself and earlier ones (a language model). */
  causal: boolean;
  positions: PositionKind;
  generator?: Generator;
}

/** An encoder-only transformer over token indices [B, T], batch first, giving logits [B, T, vocab]. */
export class TinyTransformer extends Module {
  readonly causal: boolean;
  tokens: Embedding;
  positions: Embedding | null;
  encoder: TransformerEncoder;
  head: Linear;
  readonly #table: Tensor | null;

  constructor(o: TinyTransformerOptions) {
    super();
    const generator = o.generator;
    this.causal = o.causal;
    this.tokens = new Embedding(o.vocabSize, o.dModel, { generator });
    this.positions = o.positions === 'learned' ? new Embedding(o.maxLength, o.dModel, { generator }) : null;
    this.#table = o.positions === 'sinusoidal' ? sinusoidalPositionalEncoding(o.maxLength, o.dModel) : null;
    const layer = new TransformerEncoderLayer(o.dModel, o.heads, { dimFeedforward: o.dimFeedforward, dropout: o.dropout, batchFirst: true, generator });
    this.encoder = new TransformerEncoder(layer, o.layers);
    this.head = new Linear(o.dModel, o.vocabSize, { generator });
  }

  /** Token and position embeddings of x [B, T]: [B, T, dModel]. */
  embed(x: Tensor): Tensor {
    const T = x.shape[1]!;
    const pos = this.positions !== null ? this.positions.forward(arange(T)) : this.#table!.slice(0, 0, T);
    return this.tokens.forward(x).add(pos);
  }

  /** Logits [B, T, vocab] of tokens x [B, T]. */
  forward(x: Tensor): Tensor {
    return this.head.forward(this.encoder.forward(this.embed(x), { isCausal: this.causal }));
  }

  /**
   * The attention weights of every head of every layer for one sequence x [1, T], as the layers see
   * their inputs in eval mode: `weights[layer][head]` is a [T, T] array of rows (queries) over keys.
   */
  attentionMaps(x: Tensor): number[][][][] {
    const wasTraining = this.training;
    this.eval();
    const maps = noGrad(() => {
      let h = this.embed(x);
      const T = x.shape[1]!;
      const mask = this.causal ? TransformerEncoder.generateSquareSubsequentMask(T) : undefined;
      const out: number[][][][] = [];
      for (const layer of this.encoder.layers) {
        const [, w] = layer.selfAttn.forward(h, h, h, { attnMask: mask, needWeights: true, averageAttnWeights: false });
        const heads = w!.shape[1]!;
        out.push(Array.from({ length: heads }, (_, hd) => Array.from({ length: T }, (_, i) => Array.from(w!.data.subarray((hd * T + i) * T, (hd * T + i + 1) * T)))));
        h = layer.forward(h, { isCausal: this.causal });
      }
      return out;
    });
    this.train(wasTraining);
    return maps;
  }
}
