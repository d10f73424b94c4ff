import { defaultGenerator, Tensor, type Generator, type TypedArray, DlError } from '@dl/autograd';
import { allocLike, cached, checkUpstream, fmt, type ManualLayer } from './layer.js';
import { checkRange } from '../checks.js';

/** Options of the manual `Dropout`. */
export interface ManualDropoutOptions {
  /** The generator to draw masks from (the default one unless given); give both twins equally seeded ones to compare them. */
  generator?: Generator;
}

/**
 * The course's (inverted) dropout with a hand-written backward: in training mode y = x·m/(1 − p) with
 * a keep-mask m (each element kept with probability 1 − p), and dx = dupstream·m/(1 − p); in eval
 * mode (or with p = 0) the identity. The mask is drawn from the generator exactly as `nn.Dropout`
 * draws it (one uniform per element, dropped when below p), or given to `forward` as a 0/1 tensor.
 * @example
 * const drop = new manual.Dropout(0.5);
 * const y = drop.forward(x, keepMask); const dx = drop.backward(dy);
 */
export class Dropout implements ManualLayer {
  /** The probability of dropping an element. */
  readonly p: number;
  /** Training mode (drop) or eval mode (identity). */
  training = true;
  /** The scaled mask of the last forward (0 or 1/(1 − p) per element), or null for the identity. */
  mask: Tensor | null = null;
  private readonly generator: Generator;
  private shape: readonly number[] | null = null;
  private dtype = '';

  constructor(p = 0.5, options: ManualDropoutOptions = {}) {
    this.p = checkRange('Dropout', 'p', p, 0, 1);
    this.generator = options.generator ?? defaultGenerator;
  }

  /** Sets training mode (true) or eval mode (false). */
  train(mode = true): this {
    this.training = mode;
    return this;
  }
  /** Sets eval mode: the identity. */
  eval(): this {
    return this.train(false);
  }

  /**
   * x·m/(1 − p) in training mode, with `keep` (0/1, x's shape) as m when given, else a mask drawn from
   * the generator; x itself (copied) in eval mode. Caches the scaled mask.
   */
  forward(x: Tensor, keep?: Tensor): Tensor {
    this.shape = x.shape;
    this.dtype = x.dtype;
    if (keep !== undefined && keep.shape.join() !== x.shape.join()) {
      throw new DlError(`Dropout: the mask has shape ${fmt(keep.shape)} but the input has shape ${fmt(x.shape)}`);
    }
    if (!this.training || (this.p === 0 && keep === undefined)) {
      this.mask = null;
      return new Tensor(x.data.slice(), x.shape);
    }
    const m = allocLike(x.data);
    const scale = this.p < 1 ? 1 / (1 - this.p) : 0;
    if (keep !== undefined) {
      for (let i = 0; i < m.length; i++) m[i] = keep.data[i]! !== 0 ? scale : 0;
    } else if (this.p < 1) {
      for (let i = 0; i < m.length; i++) m[i] = this.generator.uniform() < this.p ? 0 : scale;
    }
    this.mask = new Tensor(m, x.shape);
    return new Tensor(times(x.data, m), x.shape);
  }

  /** dupstream·m/(1 − p) with the cached mask (dupstream itself in eval mode). */
  backward(dupstream: Tensor): Tensor {
    const shape = cached('Dropout', this.shape);
    checkUpstream('Dropout', dupstream, shape, this.dtype);
    if (this.mask === null) return new Tensor(dupstream.data.slice(), shape);
    return new Tensor(times(dupstream.data, this.mask.data), shape);
  }
}

function times(a: TypedArray, b: TypedArray): TypedArray {
  const out = allocLike(a);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  return out;
}
