import { add, matmul, mul, rand, reshape, slice, stack, sub, sum, tanh, transpose, zeros, type DType, type Generator, type Tensor, DlError } from '@dl/autograd';
import { withoutGrad } from '../checks.js';
import { cached, checkDtype, checkInt, fmt } from './layer.js';
import type { ManualLayerOptions } from './linear.js';

/** Options of `manual.RNN`'s backward. */
export interface ManualRNNBackwardOptions {
  /** ∂loss/∂hN [N, H], when the loss also reads the final state. */
  dhN?: Tensor;
}

/**
 * The course's one-layer tanh RNN with hand-written backpropagation through time:
 * h_t = tanh(x_t·Wxh + h_{t−1}·Whh + bh), weights stored [in, H] and [H, H] (the transposes of
 * `nn.RNN`'s weight_ih_l0 and weight_hh_l0; bh plays bias_ih_l0 + bias_hh_l0). x is [T, N, in].
 * @example
 * const rnn = new manual.RNN(3, 5, { dtype: 'float64' });
 * const hs = rnn.forward(x);                 // [T, N, 5]
 * const dx = rnn.backward(dhs);              // [T, N, 3]; rnn.dWxh, rnn.dWhh, rnn.dbh, rnn.dh0
 */
export class RNN {
  /** Input-to-hidden weight [inputSize, hiddenSize]. */
  Wxh: Tensor;
  /** Hidden-to-hidden weight [hiddenSize, hiddenSize]. */
  Whh: Tensor;
  /** Bias [hiddenSize]. */
  bh: Tensor;
  /** Gradients after `backward` (null before). */
  dWxh: Tensor | null = null;
  dWhh: Tensor | null = null;
  dbh: Tensor | null = null;
  /** ∂loss/∂h0 [N, hiddenSize] after `backward`. */
  dh0: Tensor | null = null;
  private cache: { xs: Tensor[]; hs: Tensor[] } | null = null;
  private readonly generator: Generator | undefined;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: ManualLayerOptions = {},
  ) {
    checkInt('RNN', 'inputSize', inputSize, 1);
    checkInt('RNN', 'hiddenSize', hiddenSize, 1);
    this.generator = options.generator;
    const dtype: DType = options.dtype ?? 'float32';
    this.Wxh = zeros([inputSize, hiddenSize], { dtype });
    this.Whh = zeros([hiddenSize, hiddenSize], { dtype });
    this.bh = zeros([hiddenSize], { dtype });
    this.initParams();
  }

  /** Draws every parameter from U(−1/√H, 1/√H), as `nn.RNN`, and clears the gradients. */
  initParams(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of [this.Wxh, this.Whh, this.bh]) {
      const u = rand(p.shape, { dtype: p.dtype, generator: this.generator }).data;
      for (let i = 0; i < u.length; i++) p.data[i] = -bound + 2 * bound * u[i]!;
    }
    this.dWxh = this.dWhh = this.dbh = this.dh0 = null;
  }

  /** The hidden states [T, N, H] for x [T, N, in] from h0 [N, H] (zeros when omitted); caches them. */
  forward(x: Tensor, h0?: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize) throw new DlError(`RNN: expected input [T, N, ${this.inputSize}], got shape ${fmt(x.shape)}`);
    checkDtype('RNN', x, this.Wxh);
    const [T, N] = x.shape as [number, number];
    if (h0 !== undefined && (h0.ndim !== 2 || h0.shape[0] !== N || h0.shape[1] !== this.hiddenSize)) {
      throw new DlError(`RNN: h0 must have shape [${N},${this.hiddenSize}], got ${fmt(h0.shape)}`);
    }
    return withoutGrad(() => {
      const hs = [h0?.detach() ?? zeros([N, this.hiddenSize], { dtype: x.dtype })];
      const xs: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        const xt = reshape(slice(x.detach(), 0, t, t + 1), [N, this.inputSize]);
        xs.push(xt);
        hs.push(tanh(add(add(matmul(xt, this.Wxh), matmul(hs[t]!, this.Whh)), this.bh)));
      }
      this.cache = { xs, hs };
      return stack(hs.slice(1), 0);
    });
  }

  /**
   * Backpropagation through time from dhs = ∂loss/∂hidden states [T, N, H] (and `dhN`): stores dWxh,
   * dWhh, dbh and dh0, and returns dx [T, N, in].
   */
  backward(dhs: Tensor, options: ManualRNNBackwardOptions = {}): Tensor {
    const { xs, hs } = cached('RNN', this.cache);
    const T = xs.length;
    const N = hs[0]!.shape[0]!;
    const H = this.hiddenSize;
    if (dhs.shape.join() !== [T, N, H].join()) throw new DlError(`RNN.backward: dhs must have shape [${T},${N},${H}], got ${fmt(dhs.shape)}`);
    return withoutGrad(() => {
      let dWxh = zeros(this.Wxh.shape, { dtype: this.Wxh.dtype });
      let dWhh = zeros(this.Whh.shape, { dtype: this.Whh.dtype });
      let dbh = zeros(this.bh.shape, { dtype: this.bh.dtype });
      let dhNext = options.dhN?.detach() ?? zeros([N, H], { dtype: dhs.dtype });
      const dxs: Tensor[] = new Array<Tensor>(T);
      for (let t = T - 1; t >= 0; t--) {
        const dh = add(reshape(slice(dhs.detach(), 0, t, t + 1), [N, H]), dhNext);
        const h = hs[t + 1]!;
        const da = mul(dh, sub(1, mul(h, h))); // tanh' = 1 − h²
        dWxh = add(dWxh, matmul(transpose(xs[t]!, 0, 1), da));
        dWhh = add(dWhh, matmul(transpose(hs[t]!, 0, 1), da));
        dbh = add(dbh, sum(da, { dim: 0 }));
        dxs[t] = matmul(da, transpose(this.Wxh, 0, 1));
        dhNext = matmul(da, transpose(this.Whh, 0, 1));
      }
      this.dWxh = dWxh;
      this.dWhh = dWhh;
      this.dbh = dbh;
      this.dh0 = dhNext;
      return stack(dxs, 0);
    });
  }
}
