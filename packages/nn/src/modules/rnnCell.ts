import { add, lstmCell, gruCell, relu, tanh, unsqueeze, squeeze, zeros, type DType, type Generator, type Tensor, DlError } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt, fmt } from '../checks.js';
import { reprBool } from '../repr.js';
import { linearAs } from '../functional/linear.js';
import { uniform_ } from '../init.js';

/** Options shared by the recurrent cells and layers: bias (true), parameter dtype, init generator. */
export interface RecurrentBaseOptions {
  bias?: boolean;
  dtype?: DType;
  generator?: Generator;
}

/** Options of `RNNCell`: also the nonlinearity, `'tanh'` (default) or `'relu'`. */
export interface RNNCellOptions extends RecurrentBaseOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/** @internal Checks a layer's nonlinearity argument. */
export function checkNonlinearity(layer: string, v: unknown): 'tanh' | 'relu' {
  if (v !== undefined && v !== 'tanh' && v !== 'relu') throw new DlError(`${layer}: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(v)}`);
  return (v ?? 'tanh') as 'tanh' | 'relu';
}

/** @internal Draws every parameter of `m` from U(−1/√hidden, 1/√hidden), as PyTorch's recurrent layers. */
export function resetRecurrent(m: Module, hiddenSize: number, generator?: Generator): void {
  const bound = 1 / Math.sqrt(hiddenSize);
  for (const p of m.parameters()) uniform_(p, { a: -bound, b: bound, generator });
}

/** The base of the three cells: weight_ih [G·H, in], weight_hh [G·H, H], bias_ih and bias_hh [G·H]. */
abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(name: string, gates: number, inputSize: number, hiddenSize: number, options: RecurrentBaseOptions) {
    super();
    this.inputSize = checkInt(name, 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt(name, 'hiddenSize', hiddenSize, 1);
    this.bias = options.bias ?? true;
    const dtype = options.dtype ?? 'float32';
    const G = gates * hiddenSize;
    this.registerParameter('weight_ih', new Parameter(zeros([G, inputSize], { dtype })));
    this.registerParameter('weight_hh', new Parameter(zeros([G, hiddenSize], { dtype })));
    this.registerParameter('bias_ih', this.bias ? new Parameter(zeros([G], { dtype })) : null);
    this.registerParameter('bias_hh', this.bias ? new Parameter(zeros([G], { dtype })) : null);
    this.resetParameters(options.generator);
  }

  /** Re-draws every parameter from U(−1/√hiddenSize, 1/√hiddenSize), as PyTorch. */
  resetParameters(generator?: Generator): void {
    resetRecurrent(this, this.hiddenSize, generator);
  }

  /** x [N, in] or [in] (unbatched) → x as [N, in], and whether it was unbatched. */
  protected batched(x: Tensor): [Tensor, boolean] {
    const name = this.constructor.name;
    if (x.ndim !== 1 && x.ndim !== 2) throw new DlError(`${name}: expected a 1-D (unbatched) or 2-D (batched) input, got shape ${fmt(x.shape)}`);
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new DlError(`${name}: input of size ${x.shape[x.ndim - 1]} at the last dim, expected inputSize ${this.inputSize}`);
    }
    if (x.dtype !== this.weight_ih.dtype) throw new DlError(`${name}: input dtype ${x.dtype} does not match the parameters' ${this.weight_ih.dtype}`);
    return x.ndim === 1 ? [unsqueeze(x, 0), true] : [x, false];
  }

  /** A state argument as [N, H] (zeros when absent), checked against the input's batch. */
  protected state(h: Tensor | undefined, N: number, unbatched: boolean, what: string): Tensor {
    if (h === undefined) return zeros([N, this.hiddenSize], { dtype: this.weight_ih.dtype });
    const want = unbatched ? [this.hiddenSize] : [N, this.hiddenSize];
    if (h.shape.join() !== want.join()) throw new DlError(`${this.constructor.name}: ${what} must have shape ${fmt(want)}, got ${fmt(h.shape)}`);
    return unbatched ? unsqueeze(h, 0) : h;
  }

  /** The two projections x·W_ihᵀ + b_ih and h·W_hhᵀ + b_hh. */
  protected projections(x: Tensor, h: Tensor): [Tensor, Tensor] {
    const name = this.constructor.name;
    return [linearAs(name, x, this.weight_ih, this.bias_ih), linearAs(name, h, this.weight_hh, this.bias_hh)];
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : `, bias=${reprBool(false)}`}`;
  }
}

/**
 * An Elman RNN cell, as PyTorch's `nn.RNNCell`: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu).
 * x [N, in] or [in]; h [N, H] or [H] (zeros when omitted) → h'.
 * @example const cell = new RNNCell(10, 20); let h = cell.forward(x0); h = cell.forward(x1, h);
 */
export class RNNCell extends CellBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const nonlinearity = checkNonlinearity('RNNCell', options.nonlinearity);
    super('RNNCell', 1, inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
  /** One step: x and the previous hidden state → the new hidden state. */
  forward(x: Tensor, h?: Tensor): Tensor {
    const [xb, unbatched] = this.batched(x);
    const [xg, hg] = this.projections(xb, this.state(h, xb.shape[0]!, unbatched, 'hx'));
    const out = this.nonlinearity === 'relu' ? relu(add(xg, hg)) : tanh(add(xg, hg));
    return unbatched ? squeeze(out, 0) : out;
  }
  override extraRepr(): string {
    return `${super.extraRepr()}${this.nonlinearity === 'tanh' ? '' : `, nonlinearity=${this.nonlinearity}`}`;
  }
}

/**
 * An LSTM cell, as PyTorch's `nn.LSTMCell` (gates i, f, g, o in the 4·H rows of each weight); the gate
 * math is one fused op (`lstmCell`). x [N, in] or [in]; state [h, c] (zeros when omitted) → [h', c'].
 * @example const cell = new LSTMCell(10, 20); const [h, c] = cell.forward(x); cell.forward(x2, [h, c]);
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentBaseOptions = {}) {
    super('LSTMCell', 4, inputSize, hiddenSize, options);
  }
  /** One step: x and the previous [h, c] → the new [h, c]. */
  forward(x: Tensor, hx?: readonly [Tensor, Tensor]): [Tensor, Tensor] {
    const [xb, unbatched] = this.batched(x);
    const N = xb.shape[0]!;
    const h = this.state(hx?.[0], N, unbatched, 'h');
    const c = this.state(hx?.[1], N, unbatched, 'c');
    const [xg, hg] = this.projections(xb, h);
    const [h2, c2] = lstmCell(add(xg, hg), c);
    return unbatched ? [squeeze(h2, 0), squeeze(c2, 0)] : [h2, c2];
  }
}

/**
 * A GRU cell, as PyTorch's `nn.GRUCell` (gates r, z, n; n = tanh(x_n + b_in + r·(h·W_hnᵀ + b_hn)));
 * the gate math is one fused op (`gruCell`). x [N, in] or [in]; h [N, H] or [H] → h'.
 * @example const cell = new GRUCell(4, 8); const h = cell.forward(x);
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentBaseOptions = {}) {
    super('GRUCell', 3, inputSize, hiddenSize, options);
  }
  /** One step: x and the previous hidden state → the new hidden state. */
  forward(x: Tensor, h?: Tensor): Tensor {
    const [xb, unbatched] = this.batched(x);
    const hp = this.state(h, xb.shape[0]!, unbatched, 'hx');
    const [xg, hg] = this.projections(xb, hp);
    const out = gruCell(xg, hg, hp);
    return unbatched ? squeeze(out, 0) : out;
  }
}
