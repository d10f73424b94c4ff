// The hand-written model of the names example: one-hot characters → manual.RNN (tanh) → manual.Linear,
// trained with the cross-entropy gradient, backpropagation through time and the SGD step all by hand.
import { Generator, Tensor, noGrad, softmax, zeros } from '@dl/autograd';
import { manual } from '@dl/nn';
import { PAD_TARGET, type Batch } from './data.js';
import { sampleName } from '../shared/sampling.js';

/** The course's RNN language model: no tape, every gradient written out. */
export class ManualCharModel {
  readonly rnn: manual.RNN;
  readonly head: manual.Linear;

  constructor(
    readonly vocabSize: number,
    readonly hidden: number,
    g: Generator,
  ) {
    this.rnn = new manual.RNN(vocabSize, hidden, { generator: g });
    this.head = new manual.Linear(hidden, vocabSize, { generator: g });
    // The course's N(0, 1) weights saturate tanh at once; start the head as nn.Linear does, U(±1/√H).
    const bound = 1 / Math.sqrt(hidden);
    for (const p of [this.head.W, this.head.b]) for (let i = 0; i < p.data.length; i++) p.data[i] = (2 * g.uniform() - 1) * bound;
  }

  /** Token indices [B, T] as one-hot vectors [T, B, vocab] (time first, as manual.RNN reads them). */
  #oneHot(x: Tensor): Tensor {
    const [B, T] = x.shape as [number, number];
    const V = this.vocabSize;
    const out = new Float32Array(T * B * V);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[(t * B + b) * V + x.data[b * T + t]!] = 1;
    return new Tensor(out, [T, B, V]);
  }

  /** Logits [T·B, vocab] in time-major order, and the hidden states [T, B, H]. */
  #logits(x: Tensor, h0?: Tensor): { logits: Tensor; hs: Tensor } {
    const hs = this.rnn.forward(this.#oneHot(x), h0);
    const [T, B] = hs.shape as [number, number];
    return { logits: this.head.forward(hs.reshape(T * B, this.hidden)), hs };
  }

  /** Summed cross-entropy over the non-padding targets, and its gradient w.r.t. the logits divided by `count`. */
  #loss(logits: Tensor, y: Tensor, count: number): { loss: number; dLogits: Tensor } {
    const [B, T] = y.shape as [number, number];
    const V = this.vocabSize;
    const p = noGrad(() => softmax(logits, 1));
    const d = new Float32Array(p.data.length);
    let loss = 0;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const target = y.data[b * T + t]!;
        if (target === PAD_TARGET) continue;
        const row = (t * B + b) * V;
        loss -= Math.log(Math.max(p.data[row + target]!, 1e-30));
        // ∂(mean cross-entropy)/∂logits = (softmax − onehot) / count
        for (let v = 0; v < V; v++) d[row + v] = p.data[row + v]! / count;
        d[row + target]! -= 1 / count;
      }
    }
    return { loss, dLogits: new Tensor(d, logits.shape) };
  }

  /** One SGD step on a batch, the gradient norm clipped to `clip`; returns the summed loss. */
  trainStep(b: Batch, lr: number, clip: number): number {
    const { logits, hs } = this.#logits(b.x);
    const { loss, dLogits } = this.#loss(logits, b.y, b.count);
    const dhs = this.head.backward(dLogits).reshape(...hs.shape);
    this.rnn.backward(dhs);
    const pairs: [Tensor, Tensor][] = [
      [this.rnn.Wxh, this.rnn.dWxh!], [this.rnn.Whh, this.rnn.dWhh!], [this.rnn.bh, this.rnn.dbh!],
      [this.head.W, this.head.dW!], [this.head.b, this.head.db!],
    ];
    let sq = 0;
    for (const [, g] of pairs) for (let i = 0; i < g.data.length; i++) sq += g.data[i]! * g.data[i]!;
    const scale = Math.min(1, clip / (Math.sqrt(sq) + 1e-6));
    for (const [p, g] of pairs) for (let i = 0; i < p.data.length; i++) p.data[i]! -= lr * scale * g.data[i]!;
    return loss;
  }

  /** The summed loss of a batch, without training. */
  loss(b: Batch): number {
    return this.#loss(this.#logits(b.x).logits, b.y, b.count).loss;
  }

  /** Samples names character by character from softmax(logits / temperature). */
  sample(chars: readonly string[], count: number, temperature: number, maxLength: number, g: Generator): string[] {
    return Array.from({ length: count }, () => {
      let h: Tensor | undefined;
      return sampleName((tokens) => {
        const { logits, hs } = this.#logits(new Tensor(Float32Array.of(tokens.at(-1)!), [1, 1]), h);
        h = hs.reshape(1, this.hidden);
        return logits.reshape(this.vocabSize);
      }, chars, temperature, maxLength, g);
    });
  }

  /**
   * The weights under the keys of a module { rnn: nn.RNN(vocab, hidden), head: nn.Linear(hidden, vocab) }
   * in PyTorch's layout (transposed back); bh is one bias, so bias_hh_l0 is zero.
   */
  stateDict(): Record<string, Tensor> {
    return noGrad(() => ({
      'rnn.weight_ih_l0': this.rnn.Wxh.transpose(0, 1),
      'rnn.weight_hh_l0': this.rnn.Whh.transpose(0, 1),
      'rnn.bias_ih_l0': this.rnn.bh,
      'rnn.bias_hh_l0': zeros([this.hidden]),
      'head.weight': this.head.W.transpose(0, 1),
      'head.bias': this.head.b,
    }));
  }
}
