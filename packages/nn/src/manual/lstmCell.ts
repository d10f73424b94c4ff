import { add, cat, chunk, matmul, mul, rand, sigmoid, sub, sum, tanh, transpose, zeros, type DType, type Generator, type Tensor, DlError } from '@dl/autograd';
import { withoutGrad } from '../checks.js';
import { cached, checkDtype, checkInt, fmt } from './layer.js';
import type { ManualLayerOptions } from './linear.js';

/**
 * The course's LSTM cell with a hand-written backward: gates [i, f, g, o] = x·Wx + h·Wh + b, with
 * Wx [in, 4H] and Wh [H, 4H] (the transposes of `nn.LSTMCell`'s weight_ih and weight_hh; b plays
 * bias_ih + bias_hh); c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
 * @example
 * const cell = new manual.LSTMCell(3, 4, { dtype: 'float64' });
 * const [h, c] = cell.forward(x, [h0, c0]);
 * const dx = cell.backward(dh, dc);   // cell.dWx, cell.dWh, cell.db, cell.dhPrev, cell.dcPrev
 */
export class LSTMCell {
  /** Input weight [inputSize, 4·hiddenSize]. */
  Wx: Tensor;
  /** Hidden weight [hiddenSize, 4·hiddenSize]. */
  Wh: Tensor;
  /** Bias [4·hiddenSize]. */
  b: Tensor;
  /** Gradients after `backward` (null before). */
  dWx: Tensor | null = null;
  dWh: Tensor | null = null;
  db: Tensor | null = null;
  /** ∂loss/∂h and ∂loss/∂c of the previous state after `backward`. */
  dhPrev: Tensor | null = null;
  dcPrev: Tensor | null = null;
  private cache: { x: Tensor; h: Tensor; c: Tensor; i: Tensor; f: Tensor; g: Tensor; o: Tensor; tc: Tensor } | null = null;
  private readonly generator: Generator | undefined;

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: ManualLayerOptions = {},
  ) {
    checkInt('LSTMCell', 'inputSize', inputSize, 1);
    checkInt('LSTMCell', 'hiddenSize', hiddenSize, 1);
    this.generator = options.generator;
    const dtype: DType = options.dtype ?? 'float32';
    this.Wx = zeros([inputSize, 4 * hiddenSize], { dtype });
    this.Wh = zeros([hiddenSize, 4 * hiddenSize], { dtype });
    this.b = zeros([4 * hiddenSize], { dtype });
    this.initParams();
  }

  /** Draws every parameter from U(−1/√H, 1/√H), as `nn.LSTMCell`, and clears the gradients. */
  initParams(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of [this.Wx, this.Wh, this.b]) {
      const u = rand(p.shape, { dtype: p.dtype, generator: this.generator }).data;
      for (let i = 0; i < u.length; i++) p.data[i] = -bound + 2 * bound * u[i]!;
    }
    this.dWx = this.dWh = this.db = this.dhPrev = this.dcPrev = null;
  }

  /** One step: x [N, in] and the state [h, c] (zeros when omitted) → [h', c']; caches what backward needs. */
  forward(x: Tensor, state?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    if (x.ndim !== 2 || x.shape[1] !== this.inputSize) throw new DlError(`LSTMCell: expected input [N, ${this.inputSize}], got shape ${fmt(x.shape)}`);
    checkDtype('LSTMCell', x, this.Wx);
    const N = x.shape[0]!;
    const H = this.hiddenSize;
    for (const s of state ?? []) {
      if (s.ndim !== 2 || s.shape[0] !== N || s.shape[1] !== H) throw new DlError(`LSTMCell: state must be [${N},${H}] each, got ${fmt(s.shape)}`);
    }
    return withoutGrad(() => {
      const h = state?.[0].detach() ?? zeros([N, H], { dtype: x.dtype });
      const c = state?.[1].detach() ?? zeros([N, H], { dtype: x.dtype });
      const gates = add(add(matmul(x.detach(), this.Wx), matmul(h, this.Wh)), this.b);
      const [ai, af, ag, ao] = chunk(gates, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
      const [i, f, g, o] = [sigmoid(ai), sigmoid(af), tanh(ag), sigmoid(ao)];
      const c2 = add(mul(f, c), mul(i, g));
      const tc = tanh(c2);
      this.cache = { x: x.detach(), h, c, i, f, g, o, tc };
      return [mul(o, tc), c2];
    });
  }

  /** From dh = ∂loss/∂h' and dc = ∂loss/∂c' (zeros when omitted): stores dWx, dWh, db, dhPrev, dcPrev; returns dx. */
  backward(dh: Tensor, dc?: Tensor): Tensor {
    const { x, h, c, i, f, g, o, tc } = cached('LSTMCell', this.cache);
    if (dh.shape.join() !== h.shape.join()) throw new DlError(`LSTMCell.backward: dh must have shape ${fmt(h.shape)}, got ${fmt(dh.shape)}`);
    return withoutGrad(() => {
      const dC = add(dc?.detach() ?? zeros(h.shape, { dtype: h.dtype }), mul(mul(dh, o), sub(1, mul(tc, tc))));
      const dsig = (s: Tensor) => mul(s, sub(1, s)); // σ' = σ(1 − σ)
      const dGates = cat([
        mul(mul(dC, g), dsig(i)),
        mul(mul(dC, c), dsig(f)),
        mul(mul(dC, i), sub(1, mul(g, g))),
        mul(mul(dh, tc), dsig(o)),
      ], 1);
      this.dWx = matmul(transpose(x, 0, 1), dGates);
      this.dWh = matmul(transpose(h, 0, 1), dGates);
      this.db = sum(dGates, { dim: 0 });
      this.dhPrev = matmul(dGates, transpose(this.Wh, 0, 1));
      this.dcPrev = mul(dC, f);
      return matmul(dGates, transpose(this.Wx, 0, 1));
    });
  }
}
