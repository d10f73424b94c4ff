import {
  cat, permute, recurrentLayer, reshape, slice, squeeze, stack, unsqueeze, zeros,
  type DType, type Generator, type RecurrentMode, type Tensor, DlError } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt, checkRange, fmt } from '../checks.js';
import { reprBool, reprFloat } from '../repr.js';
import { linearAs } from '../functional/linear.js';
import { dropout } from '../functional/activation.js';
import { checkNonlinearity, resetRecurrent, type RecurrentBaseOptions } from './rnnCell.js';

/** Options of `RNN`, `LSTM` and `GRU`, as PyTorch's (camelCase). */
export interface RecurrentOptions extends RecurrentBaseOptions {
  /** Stacked layers (1). */
  numLayers?: number;
  /** Input and output as [N, T, features] instead of [T, N, features] (false). */
  batchFirst?: boolean;
  /** Dropout on each layer's output but the last, in training only (0). */
  dropout?: number;
  /** A second, reversed direction per layer, its outputs concatenated after the forward ones (false). */
  bidirectional?: boolean;
}

/** Options of `RNN`: also the nonlinearity, `'tanh'` (default) or `'relu'`. */
export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: 'tanh' | 'relu';
}

/** Options of a recurrent layer's `forward`. */
export interface RecurrentForwardOptions {
  /**
   * Each sequence's length (1 to T) in a padded batch, as PyTorch's `pack_padded_sequence` with
   * `enforce_sorted=False`: outputs past a sequence's length are zero, its final state is taken at its
   * own length, and the reverse direction starts at its own last element.
   */
  lengths?: readonly number[] | Tensor;
}

/** The base of `RNN`, `LSTM` and `GRU`: parameters named and ordered as PyTorch's. */
abstract class RecurrentBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** @internal The cell every layer runs. */
  protected readonly mode: RecurrentMode;

  constructor(name: string, mode: RecurrentMode, inputSize: number, hiddenSize: number, options: RecurrentOptions) {
    super();
    this.inputSize = checkInt(name, 'inputSize', inputSize, 1);
    this.hiddenSize = checkInt(name, 'hiddenSize', hiddenSize, 1);
    this.numLayers = checkInt(name, 'numLayers', options.numLayers ?? 1, 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = checkRange(name, 'dropout', options.dropout ?? 0, 0, 1);
    this.bidirectional = options.bidirectional ?? false;
    this.mode = mode;
    const dtype: DType = options.dtype ?? 'float32';
    const G = (mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1) * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const inF = l === 0 ? inputSize : hiddenSize * dirs;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(zeros([G, inF], { dtype })));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(zeros([G, hiddenSize], { dtype })));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(zeros([G], { dtype })));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(zeros([G], { dtype })));
        }
      }
    }
    this.resetParameters(options.generator);
  }

  /** Re-draws every parameter from U(−1/√hiddenSize, 1/√hiddenSize), as PyTorch. */
  resetParameters(generator?: Generator): void {
    resetRecurrent(this, this.hiddenSize, generator);
  }

  /** @internal The parameter of layer `l`, direction `d`, by kind. */
  protected param(kind: 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh', l: number, d: number): Parameter | null {
    return ((this as unknown as Record<string, Parameter | undefined>)[`${kind}_l${l}${d === 1 ? '_reverse' : ''}`]) ?? null;
  }

  /** @internal Checks a state argument ([L·D, N, H], or [L·D, H] unbatched) and returns it as [L·D, N, H]. */
  protected checkState(s: Tensor | undefined, what: string, N: number, unbatched: boolean): Tensor {
    const LD = this.numLayers * (this.bidirectional ? 2 : 1);
    const name = this.constructor.name;
    if (s === undefined) return zeros([LD, N, this.hiddenSize], { dtype: this.weight().dtype, device: this.weight().device });
    const want = unbatched ? [LD, this.hiddenSize] : [LD, N, this.hiddenSize];
    if (s.shape.join() !== want.join()) throw new DlError(`${name}: ${what} must have shape ${fmt(want)}, got ${fmt(s.shape)}`);
    if (s.dtype !== this.weight().dtype) throw new DlError(`${name}: ${what} dtype ${s.dtype} does not match the parameters' ${this.weight().dtype}`);
    return unbatched ? unsqueeze(s, 1) : s;
  }

  private weight(): Parameter {
    return this.param('weight_ih', 0, 0)!;
  }

  /**
   * @internal Runs every layer and direction: x as given to forward, h0 (and c0) as given. Returns
   * output and the final states in the caller's layout.
   */
  protected run(x: Tensor, h0: Tensor | undefined, c0: Tensor | undefined, options: RecurrentForwardOptions): [Tensor, Tensor, Tensor | null] {
    const name = this.constructor.name;
    if (x.ndim !== 2 && x.ndim !== 3) throw new DlError(`${name}: expected a 2-D (unbatched) or 3-D (batched) input, got shape ${fmt(x.shape)}`);
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new DlError(`${name}: input of size ${x.shape[x.ndim - 1]} at the last dim, expected inputSize ${this.inputSize}`);
    }
    if (x.dtype !== this.weight().dtype) throw new DlError(`${name}: input dtype ${x.dtype} does not match the parameters' ${this.weight().dtype}`);
    const unbatched = x.ndim === 2;
    let seq = unbatched ? unsqueeze(x, 1) : this.batchFirst ? permute(x, [1, 0, 2]) : x;
    const [T, N] = seq.shape as [number, number];
    const lengths = this.checkLengths(options.lengths, T, N, unbatched);
    const lstm = this.mode === 'lstm';
    const h = this.checkState(h0, lstm ? 'h0' : 'hx', N, unbatched);
    const c = lstm ? this.checkState(c0, 'c0', N, unbatched) : null;
    const dirs = this.bidirectional ? 2 : 1;
    const H = this.hiddenSize;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    const at = (s: Tensor, i: number) => reshape(slice(s, 0, i, i + 1), [N, H]);
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && this.dropout > 0 && this.training) seq = dropout(seq, { p: this.dropout, training: true });
      const F = seq.shape[2]!;
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const i = l * dirs + d;
        const G = this.param('weight_hh', l, d)!.shape[0]!;
        // One product for the input projections of every step: [T·N, F] · W_ihᵀ + b_ih.
        const xProj = reshape(linearAs(name, reshape(seq, [T * N, F]), this.param('weight_ih', l, d)!, this.param('bias_ih', l, d)), [T, N, G]);
        const r = recurrentLayer(xProj, this.param('weight_hh', l, d)!, this.param('bias_hh', l, d), at(h, i), c === null ? null : at(c, i), {
          mode: this.mode, reverse: d === 1, lengths,
        });
        outs.push(r.output);
        hs.push(r.hN);
        if (r.cN !== null) cs.push(r.cN);
      }
      seq = dirs === 1 ? outs[0]! : cat(outs, 2);
    }
    let output = seq;
    let hN = stack(hs, 0);
    let cN = lstm ? stack(cs, 0) : null;
    if (unbatched) {
      output = squeeze(output, 1);
      hN = squeeze(hN, 1);
      cN = cN === null ? null : squeeze(cN, 1);
    } else if (this.batchFirst) output = permute(output, [1, 0, 2]);
    return [output, hN, cN];
  }

  private checkLengths(lengths: RecurrentForwardOptions['lengths'], T: number, N: number, unbatched: boolean): Int32Array | null {
    if (lengths === undefined) return null;
    const name = this.constructor.name;
    const values = Array.isArray(lengths) ? (lengths as readonly number[]) : Array.from((lengths as Tensor).data);
    if (values.length !== N) throw new DlError(`${name}: lengths has ${values.length} entries, expected one per sequence (${unbatched ? 1 : N})`);
    return Int32Array.from(values, (v, b) => {
      if (!Number.isInteger(v) || v < 1 || v > T) throw new DlError(`${name}: lengths[${b}] = ${v} must be an integer in [1, ${T}]`);
      return v;
    });
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${reprBool(false)}`;
    if (this.batchFirst) s += `, batch_first=${reprBool(true)}`;
    if (this.dropout !== 0) s += `, dropout=${reprFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${reprBool(true)}`;
    return s;
  }
}

/**
 * A multi-layer Elman RNN, as PyTorch's `nn.RNN`: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)
 * (or relu). input [T, N, in] ([N, T, in] with batchFirst, [T, in] unbatched), h0 [L·D, N, H]
 * (zeros when omitted) → [output [T, N, D·H], hN [L·D, N, H]].
 * @example const rnn = new RNN(10, 20, { numLayers: 2 }); const [out, hN] = rnn.forward(x);
 */
export class RNN extends RecurrentBase {
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = checkNonlinearity('RNN', options.nonlinearity);
    super('RNN', nonlinearity === 'relu' ? 'rnnRelu' : 'rnnTanh', inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
  /** The whole sequence: input and optional h0 → [output, hN]; `lengths` for a padded batch. */
  forward(input: Tensor, h0?: Tensor, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const [out, hN] = this.run(input, h0, undefined, options);
    return [out, hN];
  }
}

/**
 * A multi-layer LSTM, as PyTorch's `nn.LSTM` (gates i, f, g, o). input [T, N, in] ([N, T, in] with
 * batchFirst, [T, in] unbatched), state [h0, c0] each [L·D, N, H] (zeros when omitted) →
 * [output [T, N, D·H], [hN, cN]]. Each layer and direction is one fused op over the sequence.
 * @example
 * const lstm = new LSTM(10, 20, { numLayers: 2, batchFirst: true });
 * const [out, [hN, cN]] = lstm.forward(x, undefined, { lengths: [5, 3, 2] });
 */
export class LSTM extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', 'lstm', inputSize, hiddenSize, options);
  }
  /** The whole sequence: input and optional [h0, c0] → [output, [hN, cN]]; `lengths` for a padded batch. */
  forward(input: Tensor, hx?: readonly [Tensor, Tensor], options: RecurrentForwardOptions = {}): [Tensor, [Tensor, Tensor]] {
    if (hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) throw new DlError('LSTM: the state must be a pair [h0, c0]');
    const [out, hN, cN] = this.run(input, hx?.[0], hx?.[1], options);
    return [out, [hN, cN!]];
  }
}

/**
 * A multi-layer GRU, as PyTorch's `nn.GRU` (gates r, z, n; n = tanh(x_n + b_in + r·(h·W_hnᵀ + b_hn))).
 * Shapes as `RNN`. @example const [out, hN] = new GRU(8, 16, { bidirectional: true }).forward(x);
 */
export class GRU extends RecurrentBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 'gru', inputSize, hiddenSize, options);
  }
  /** The whole sequence: input and optional h0 → [output, hN]; `lengths` for a padded batch. */
  forward(input: Tensor, h0?: Tensor, options: RecurrentForwardOptions = {}): [Tensor, Tensor] {
    const [out, hN] = this.run(input, h0, undefined, options);
    return [out, hN];
  }
}
