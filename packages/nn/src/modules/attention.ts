import {
  add, chunk, mean, permute, reshape, scaledDotProductAttention, scaledDotProductAttentionWithWeights, squeeze, transpose, unsqueeze,
  zeros, maskFromBlocked, Tensor, type DType, type Generator, DlError } from '@dl/autograd';
import { Module, Parameter } from '../module.js';
import { checkInt, checkRange, fmt } from '../checks.js';
import { linearAs } from '../functional/linear.js';
import { constant_, xavierUniform_ } from '../init.js';
import { Linear } from './linear.js';

/**
 * `nn.Linear` under the name PyTorch gives `MultiheadAttention.out_proj` (a marker class there, so
 * that dynamic quantization leaves it alone); it prints and loads as PyTorch's.
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of `MultiheadAttention`. `add_bias_kv` and `add_zero_attn` are not supported. */
export interface MultiheadAttentionOptions {
  /** Whether inputs are [N, L, E] (true) or [L, N, E] (false, the default). */
  batchFirst?: boolean;
  /** The dropout probability on the attention weights in training mode (0). */
  dropout?: number;
  /** Whether the input and output projections have biases (true). */
  bias?: boolean;
  /** The features of the keys (embedDim). */
  kdim?: number;
  /** The features of the values (embedDim). */
  vdim?: number;
  dtype?: DType;
  /** The generator for init and dropout. */
  generator?: Generator;
}

/**
 * Options of `MultiheadAttention.forward`. Masks are bool, as PyTorch's (true = not allowed to attend),
 * or additive floats (0 keeps, −∞ blocks); a 0/1 float mask becomes an additive one with `F.maskFromBlocked`.
 */
export interface MultiheadAttentionForwardOptions {
  /** [N, S] (or [S] unbatched), added to every query's scores for that key: pads get −∞. */
  keyPaddingMask?: Tensor | null;
  /** [L, S], or [N·numHeads, L, S] (or [numHeads, L, S] unbatched), added to the scores. */
  attnMask?: Tensor | null;
  /** Applies the causal mask (query i sees keys j ≤ i), besides any `attnMask`. */
  isCausal?: boolean;
  /** Whether to return the attention weights (true). */
  needWeights?: boolean;
  /** Whether the weights are averaged over the heads (true), else per head. */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention, as PyTorch's `nn.MultiheadAttention`: project query, key and value, attend
 * with `numHeads` heads of embedDim / numHeads features each, concatenate, project out. Parameters
 * and state-dict keys as PyTorch's: `in_proj_weight` [3E, E] (xavier-uniform) or, when kdim/vdim
 * differ from E, `q_proj_weight` [E, E], `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim];
 * `in_proj_bias` [3E] (zeros); `out_proj` (weight [E, E], bias zeros).
 * A query whose keys are all masked gets zeros, as PyTorch's SDPA path gives (its weights path gives NaN).
 * @example
 * const mha = new MultiheadAttention(64, 8, { batchFirst: true });
 * const [y, w] = mha.forward(x, x, x); // y [N, L, 64], w [N, L, L]
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  /** [3E, E] when kdim = vdim = E, else null. */
  declare in_proj_weight: Parameter | null;
  /** [E, E] when kdim or vdim differ from E, else null. */
  declare q_proj_weight: Parameter | null;
  /** [E, kdim] when kdim or vdim differ from E, else null. */
  declare k_proj_weight: Parameter | null;
  /** [E, vdim] when kdim or vdim differ from E, else null. */
  declare v_proj_weight: Parameter | null;
  /** [3E], or null without bias. */
  declare in_proj_bias: Parameter | null;
  /** The output projection. */
  out_proj: NonDynamicallyQuantizableLinear;
  private readonly generator: Generator | undefined;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const name = 'MultiheadAttention';
    this.embedDim = checkInt(name, 'embedDim', embedDim, 1);
    this.numHeads = checkInt(name, 'numHeads', numHeads, 1);
    if (embedDim % numHeads !== 0) throw new DlError(`${name}: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = checkInt(name, 'kdim', options.kdim ?? embedDim, 1);
    this.vdim = checkInt(name, 'vdim', options.vdim ?? embedDim, 1);
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = checkRange(name, 'dropout', options.dropout ?? 0, 0, 1);
    this.generator = options.generator;
    const dtype = options.dtype ?? 'float32';
    const param = (shape: number[]) => new Parameter(zeros(shape, { dtype }));
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.registerParameter('in_proj_weight', param([3 * embedDim, embedDim]));
      for (const n of ['q_proj_weight', 'k_proj_weight', 'v_proj_weight']) this.registerParameter(n, null);
    } else {
      this.registerParameter('q_proj_weight', param([embedDim, embedDim]));
      this.registerParameter('k_proj_weight', param([embedDim, this.kdim]));
      this.registerParameter('v_proj_weight', param([embedDim, this.vdim]));
      this.registerParameter('in_proj_weight', null);
    }
    this.registerParameter('in_proj_bias', options.bias === false ? null : param([3 * embedDim]));
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { bias: options.bias, dtype, generator: options.generator });
    this.resetParameters(options.generator);
  }

  /** Re-draws the projections as PyTorch does: xavier-uniform weights, zero biases (out_proj keeps Linear's weight init). */
  resetParameters(generator?: Generator): void {
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) {
      if (w !== null) xavierUniform_(w, { generator });
    }
    if (this.in_proj_bias !== null) constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias !== null) constant_(this.out_proj.bias, 0);
  }

  /** The query, key and value projection weights and biases. */
  private projections(): [Tensor, Tensor, Tensor, (Tensor | null)[]] {
    const b = this.in_proj_bias === null ? [null, null, null] : chunk(this.in_proj_bias, 3, 0);
    if (this.in_proj_weight !== null) {
      const [wq, wk, wv] = chunk(this.in_proj_weight, 3, 0) as [Tensor, Tensor, Tensor];
      return [wq, wk, wv, b];
    }
    return [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!, b];
  }

  /**
   * Attends from `query` [L, N, E] (or [N, L, E] with batchFirst, or [L, E] unbatched) to `key`
   * [S, N, kdim] and `value` [S, N, vdim]; returns [output (query's layout), weights or null], the weights
   * [N, L, S] averaged over heads or [N, numHeads, L, S] (without N when unbatched).
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const name = 'MultiheadAttention';
    const batched = query.ndim === 3;
    if (query.ndim !== 2 && query.ndim !== 3) throw new DlError(`${name}: expected query to be 2-D (unbatched) or 3-D, got shape ${fmt(query.shape)}`);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new DlError(`${name}: query, key and value must all be ${query.ndim}-D, got shapes ${fmt(query.shape)}, ${fmt(key.shape)} and ${fmt(value.shape)}`);
    }
    // To [N, L, E] whatever the layout.
    const toBatchFirst = (t: Tensor) => (!batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
    const [q, k, v] = [toBatchFirst(query), toBatchFirst(key), toBatchFirst(value)] as [Tensor, Tensor, Tensor];
    const [N, L] = q.shape as [number, number];
    const S = k.shape[1]!;
    for (const [what, t, want] of [['query', query, this.embedDim], ['key', key, this.kdim], ['value', value, this.vdim]] as const) {
      if (t.shape[t.ndim - 1] !== want) throw new DlError(`${name}: expected ${what} with ${want} features (last dim), got shape ${fmt(t.shape)}`);
    }
    if (k.shape[0] !== N || v.shape[0] !== N || v.shape[1] !== S) {
      throw new DlError(`${name}: query, key and value batch or key/value lengths disagree: shapes ${fmt(query.shape)}, ${fmt(key.shape)} and ${fmt(value.shape)}`);
    }
    const [wq, wk, wv, [bq, bk, bv]] = this.projections();
    const H = this.numHeads;
    const heads = (t: Tensor, n: number) => permute(reshape(t, [N, n, H, this.headDim]), [0, 2, 1, 3]);
    const qh = heads(linearAs(name, q, wq, bq ?? null), L);
    const kh = heads(linearAs(name, k, wk, bk ?? null), S);
    const vh = heads(linearAs(name, v, wv, bv ?? null), S);
    const mask = this.mask(options, N, L, S, batched);
    const sdpa = { attnMask: mask, dropoutP: this.training ? this.dropout : 0, generator: this.generator };
    const needWeights = options.needWeights ?? true;
    const res = needWeights ? scaledDotProductAttentionWithWeights(qh, kh, vh, sdpa) : { output: scaledDotProductAttention(qh, kh, vh, sdpa), weights: null };
    const merged = reshape(permute(res.output, [0, 2, 1, 3]), [N, L, this.embedDim]);
    const y = this.out_proj.forward(merged);
    const out = !batched ? squeeze(y, 0) : this.batchFirst ? y : transpose(y, 0, 1);
    if (res.weights === null) return [out, null];
    const w = (options.averageAttnWeights ?? true) ? mean(res.weights, { dim: 1 }) : res.weights;
    return [out, batched ? w : squeeze(w, 0)];
  }

  /** The additive mask [N or 1, H or 1, L, S] from attnMask, keyPaddingMask and isCausal, or null. */
  private mask(options: MultiheadAttentionForwardOptions, N: number, L: number, S: number, batched: boolean): Tensor | null {
    const name = 'MultiheadAttention';
    const H = this.numHeads;
    let mask: Tensor | null = null;
    // Bool masks are PyTorch's boolean ones for this module: true = not allowed to attend.
    const dtype = this.out_proj.weight.dtype;
    const additive = (m: Tensor | null | undefined): Tensor | null | undefined => (m?.dtype === 'bool' ? maskFromBlocked(m).to(dtype) : m);
    const attnMask = additive(options.attnMask);
    const keyPaddingMask = additive(options.keyPaddingMask);
    if (attnMask !== undefined && attnMask !== null) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) throw new DlError(`${name}: the 2-D attnMask has shape ${fmt(attnMask.shape)}, but should be [${L},${S}]`);
        mask = attnMask;
      } else if (attnMask.ndim === 3) {
        const want = [batched ? N * H : H, L, S];
        if (attnMask.shape.join() !== want.join()) throw new DlError(`${name}: the 3-D attnMask has shape ${fmt(attnMask.shape)}, but should be ${fmt(want)}`);
        mask = reshape(attnMask, [N, H, L, S]);
      } else {
        throw new DlError(`${name}: attnMask must be 2-D or 3-D, got shape ${fmt(attnMask.shape)}`);
      }
    }
    if (keyPaddingMask !== undefined && keyPaddingMask !== null) {
      const want = batched ? [N, S] : [S];
      if (keyPaddingMask.shape.join() !== want.join()) throw new DlError(`${name}: expected keyPaddingMask of shape ${fmt(want)}, got ${fmt(keyPaddingMask.shape)}`);
      const kpm = reshape(keyPaddingMask, [N, 1, 1, S]);
      mask = mask === null ? kpm : add(mask, kpm);
    }
    if (options.isCausal === true) {
      const causal = new Tensor(new (this.out_proj.weight.dtype === 'float64' ? Float64Array : Float32Array)(L * S), [L, S]);
      for (let i = 0; i < L; i++) causal.data.fill(-Infinity, i * S + i + 1, (i + 1) * S);
      const onDevice = causal.to(this.out_proj.weight.device);
      mask = mask === null ? onDevice : add(mask, onDevice);
    }
    return mask;
  }
}
