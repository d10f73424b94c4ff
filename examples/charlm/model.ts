// The character-level language model: embedding → recurrent layers (RNN, GRU or LSTM) → linear head.
import { Generator, noGrad, tensor, type Tensor } from '@dl/autograd';
import { sampleName } from '../shared/sampling.js';
import { Embedding, GRU, LSTM, Linear, Module, RNN } from '@dl/nn';

/** Which recurrent layer the model uses. */
export type CellKind = 'rnn' | 'gru' | 'lstm';

/** The recurrent state between calls: h for RNN and GRU, [h, c] for LSTM. */
export type State = Tensor | [Tensor, Tensor];

/** Sizes of the model. */
export interface CharModelOptions {
  vocabSize: number;
  embedding: number;
  hidden: number;
  layers: number;
  dropout: number;
  generator?: Generator;
}

/** Embedding → RNN/GRU/LSTM (batch first) → Linear to vocabulary logits. */
export class CharModel extends Module {
  readonly kind: CellKind;
  embed: Embedding;
  rnn: RNN | GRU | LSTM;
  head: Linear;

  constructor(kind: CellKind, o: CharModelOptions) {
    super();
    this.kind = kind;
    const generator = o.generator;
    this.embed = new Embedding(o.vocabSize, o.embedding, { generator });
    const rnnOptions = { numLayers: o.layers, batchFirst: true, dropout: o.layers > 1 ? o.dropout : 0, generator };
    this.rnn =
      kind === 'lstm' ? new LSTM(o.embedding, o.hidden, rnnOptions)
      : kind === 'gru' ? new GRU(o.embedding, o.hidden, rnnOptions)
      : new RNN(o.embedding, o.hidden, rnnOptions);
    this.head = new Linear(o.hidden, o.vocabSize, { generator });
  }

  /** Token indices [B, T] → logits [B, T, vocab], and the final state. */
  forward(x: Tensor, state?: State): [Tensor, State] {
    const e = this.embed.forward(x);
    const [out, next] = (this.rnn.forward as (x: Tensor, h?: State) => [Tensor, State])(e, state);
    return [this.head.forward(out), next];
  }
}

/** Options of `sampleNames`. */
export interface SampleOptions {
  count: number;
  temperature: number;
  maxLength: number;
  generator: Generator;
}

/**
 * Draws names one character at a time from the model's softmax(logits / temperature), starting from
 * the boundary token (index 0) and stopping at the next boundary or at `maxLength` characters.
 */
export function sampleNames(model: Module & { forward(x: Tensor, s?: State): [Tensor, State] }, chars: readonly string[], o: SampleOptions): string[] {
  const wasTraining = model.training;
  model.eval();
  const names = noGrad(() =>
    Array.from({ length: o.count }, () => {
      let state: State | undefined;
      return sampleName((tokens) => {
        const [logits, next] = model.forward(tensor([[tokens.at(-1)!]]), state);
        state = next;
        return logits.reshape(chars.length);
      }, chars, o.temperature, o.maxLength, o.generator);
    }),
  );
  model.train(wasTraining);
  return names;
}
