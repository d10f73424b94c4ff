import { add, gelu, relu, zeros, type DType, type Generator, type Tensor, DlError } from '@dl/autograd';
import { Module } from '../module.js';
import { ModuleList } from '../containers.js';
import { checkInt, checkRange } from '../checks.js';
import { MultiheadAttention } from './attention.js';
import { Linear } from './linear.js';
import { LayerNorm } from './normalization.js';
import { Dropout } from './shape.js';

/** Options of `TransformerEncoderLayer` (PyTorch's keywords in camelCase). */
export interface TransformerEncoderLayerOptions {
  /** The hidden width of the feed-forward block (2048). */
  dimFeedforward?: number;
  /** The dropout probability after attention, inside and after the feed-forward block (0.1). */
  dropout?: number;
  /** The feed-forward activation: `'relu'` (the default), `'gelu'`, or a function. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** The LayerNorms' eps (1e-5). */
  layerNormEps?: number;
  /** Whether inputs are [N, S, E] (true) or [S, N, E] (false, the default). */
  batchFirst?: boolean;
  /** Pre-norm (true: x + f(norm(x))) or post-norm (false, the default: norm(x + f(x))). */
  normFirst?: boolean;
  /** Whether the linear layers and LayerNorms have biases (true). */
  bias?: boolean;
  dtype?: DType;
  /** The generator for init and dropout. */
  generator?: Generator;
}

/** Options of `TransformerEncoderLayer.forward`: bool masks (true = not allowed, as PyTorch's) or additive float ones (0 keeps, −∞ blocks). */
export interface TransformerEncoderLayerForwardOptions {
  /** [S, S] or [N·nhead, S, S], added to the attention scores. */
  srcMask?: Tensor | null;
  /** [N, S] (or [S] unbatched), added to the scores of each key: pads get −∞. */
  srcKeyPaddingMask?: Tensor | null;
  /** Applies the causal mask (position i sees positions j ≤ i), besides any `srcMask`. */
  isCausal?: boolean;
}

/**
 * One Transformer encoder block, as PyTorch's `nn.TransformerEncoderLayer`: self-attention and a
 * feed-forward block (linear1 → activation → dropout → linear2), each with a residual connection and
 * a LayerNorm, after (post-norm, the default) or before (`normFirst`). Sub-modules and state-dict keys
 * as PyTorch's: `self_attn`, `linear1`, `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`.
 * @example
 * const layer = new TransformerEncoderLayer(512, 8, { batchFirst: true });
 * layer.forward(x, { isCausal: true }); // [N, S, 512] → [N, S, 512]
 */
export class TransformerEncoderLayer extends Module {
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  readonly dModel: number;
  readonly nhead: number;
  private readonly options: TransformerEncoderLayerOptions;

  constructor(dModel: number, nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const name = 'TransformerEncoderLayer';
    this.dModel = checkInt(name, 'dModel', dModel, 1);
    this.nhead = checkInt(name, 'nhead', nhead, 1);
    this.options = { ...options };
    const dff = checkInt(name, 'dimFeedforward', options.dimFeedforward ?? 2048, 1);
    const p = checkRange(name, 'dropout', options.dropout ?? 0.1, 0, 1);
    const eps = options.layerNormEps ?? 1e-5;
    const { dtype, generator, bias } = options;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: options.batchFirst, dtype, generator });
    this.linear1 = new Linear(dModel, dff, { bias, dtype, generator });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, { bias, dtype, generator });
    this.normFirst = options.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps, bias, dtype });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    const act = options.activation ?? 'relu';
    if (typeof act === 'function') this.activation = act;
    else if (act === 'relu') this.activation = relu;
    else if (act === 'gelu') this.activation = (x) => gelu(x);
    else throw new DlError(`${name}: activation should be 'relu' or 'gelu' or a function, got ${JSON.stringify(act)}`);
  }

  /** `self_attn` under its camelCase name. */
  get selfAttn(): MultiheadAttention {
    return this.self_attn;
  }

  /** A deep copy: a layer with the same settings, values and mode (PyTorch's `copy.deepcopy`). */
  copy(): TransformerEncoderLayer {
    const c = new TransformerEncoderLayer(this.dModel, this.nhead, { ...this.options, dtype: this.linear1.weight.dtype });
    c.loadStateDict(this.stateDict());
    return c.train(this.training);
  }

  /** src [S, N, E] (or [N, S, E] with batchFirst, or [S, E] unbatched) → the same shape. */
  forward(src: Tensor, options: TransformerEncoderLayerForwardOptions = {}): Tensor {
    const sa = (x: Tensor): Tensor => {
      const [y] = this.self_attn.forward(x, x, x, {
        attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal, needWeights: false,
      });
      return this.dropout1.forward(y);
    };
    const ff = (x: Tensor): Tensor =>
      this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
    let x = src;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.forward(x)));
      return add(x, ff(this.norm2.forward(x)));
    }
    x = this.norm1.forward(add(x, sa(x)));
    return this.norm2.forward(add(x, ff(x)));
  }
}

/** The encoder's `layers`: a `ModuleList` (printed as one) whose items are typed as encoder layers. */
export class TransformerEncoderLayerList extends ModuleList {
  /** The layer at position i (negative counts from the end). */
  override at(i: number): TransformerEncoderLayer {
    return super.at(i) as TransformerEncoderLayer;
  }
  /** Iterates over the layers in order. */
  override [Symbol.iterator](): Iterator<TransformerEncoderLayer> {
    return super[Symbol.iterator]() as Iterator<TransformerEncoderLayer>;
  }
  protected override reprName(): string {
    return 'ModuleList';
  }
}

/** Options of `TransformerEncoder`. */
export interface TransformerEncoderOptions {
  /** A final normalisation (a `LayerNorm`, say) applied after the last layer; none by default. */
  norm?: Module | null;
}

/** Options of `TransformerEncoder.forward`: additive float masks, as the layer's. */
export interface TransformerEncoderForwardOptions {
  /** [S, S] or [N·nhead, S, S], added to every layer's attention scores. */
  mask?: Tensor | null;
  /** [N, S] (or [S] unbatched): pads get −∞. */
  srcKeyPaddingMask?: Tensor | null;
  /** Applies the causal mask in every layer, besides any `mask`. */
  isCausal?: boolean;
}

/**
 * A stack of `numLayers` copies of `encoderLayer` (each starts with its values, as PyTorch's deep
 * copies do), then an optional `norm`, as PyTorch's `nn.TransformerEncoder`. Keys: `layers.0.…`, `norm.…`.
 * @example
 * const enc = new TransformerEncoder(new TransformerEncoderLayer(64, 4), 6, { norm: new LayerNorm(64) });
 * enc.forward(src, { mask }); // [S, N, 64] → [S, N, 64]
 */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayerList;
  readonly numLayers: number;
  norm: Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, options: TransformerEncoderOptions = {}) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new DlError('TransformerEncoder: encoderLayer must be a TransformerEncoderLayer');
    this.numLayers = checkInt('TransformerEncoder', 'numLayers', numLayers, 1);
    this.layers = new TransformerEncoderLayerList(Array.from({ length: numLayers }, () => encoderLayer.copy()));
    this.norm = options.norm ?? null;
  }

  /**
   * The additive causal mask [size, size]: 0 on and below the diagonal, −∞ above, as PyTorch's
   * `nn.Transformer.generate_square_subsequent_mask`.
   * @example enc.forward(src, { mask: TransformerEncoder.generateSquareSubsequentMask(S), isCausal: true })
   */
  static generateSquareSubsequentMask(size: number, options: { dtype?: DType } = {}): Tensor {
    checkInt('generateSquareSubsequentMask', 'size', size, 0);
    const t = zeros([size, size], { dtype: options.dtype });
    for (let i = 0; i < size; i++) t.data.fill(-Infinity, i * size + i + 1, (i + 1) * size);
    return t;
  }

  /** src [S, N, E] (or as the layers' batchFirst says) → the same shape. */
  forward(src: Tensor, options: TransformerEncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) {
      x = layer.forward(x, { srcMask: options.mask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal });
    }
    return this.norm === null ? x : (this.norm.forward(x) as Tensor);
  }
}
