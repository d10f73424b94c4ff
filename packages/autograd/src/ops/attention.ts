import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { allocate, defaultDType, isFloat, type DType, type TypedArray } from '../dtype.js';
import { defineOp, defineOpWithAux, type ForwardWithAux, type Op, type OpWithAux } from '../op.js';
import { defaultGenerator, generatorKind, type Generator } from '../random.js';
import { broadcastShapes, fmt } from '../shape.js';
import { operands } from './broadcast.js';
import { add, exp, mul, sub, where } from './elementwise.js';
import { logSoftmax } from './activation.js';
import { eq } from './compare.js';
import { matmul } from './linalg.js';
import { transpose } from './movement.js';
import { max, sum } from './reduce.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** The attention forward's other outputs, which the backward and the weights' caller read: P and the dropout mask. */
interface Saved {
  probs: Tensor;
  keep: Tensor | null;
}
interface AttentionAttrs {
  scale: number;
  isCausal: boolean;
  dropoutP: number;
  generator: Generator;
}

/**
 * Softmax over the last dim of [rows, S] scores, in place; with `causalL`, row r may attend only to
 * columns j ≤ r mod L. A row with nothing to attend to (all −∞) gives zeros, as PyTorch's math backend.
 */
function softmaxRows(s: TypedArray, S: number, causalL: number): void {
  const rows = S === 0 ? 0 : s.length / S;
  for (let r = 0; r < rows; r++) {
    const o = r * S;
    const n = causalL > 0 ? Math.min(S, (r % causalL) + 1) : S;
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, s[o + j]!);
    if (max === -Infinity) {
      s.fill(0, o, o + S);
      continue;
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += s[o + j] = Math.exp(s[o + j]! - max);
    for (let j = 0; j < n; j++) s[o + j] = s[o + j]! / total;
    s.fill(0, o + n, o + S);
  }
}

/** P = softmax(q·kᵀ·scale + mask) with the causal rule, as a plain (untracked) tensor. */
function probabilities([q, k, mask]: Tensor[], { scale, isCausal }: AttentionAttrs): Tensor {
  let scores = mul(matmul(q!, transpose(k!, -2, -1)), scale);
  if (mask !== undefined) scores = add(scores, mask);
  if (scores.device !== 'cpu') return probabilitiesInOps(scores, isCausal);
  const data = scores.data; // a fresh array: mul and add allocate their results
  softmaxRows(data, k!.shape[k!.ndim - 2]!, isCausal ? q!.shape[q!.ndim - 2]! : 0);
  return new Tensor(data, scores.shape);
}

/**
 * The same P composed of ops, for devices without the row kernel: the causal rule as a −∞ mask, and rows
 * with nothing to attend to (their max is −∞) set to zero.
 */
function probabilitiesInOps(scores: Tensor, isCausal: boolean): Tensor {
  const [L, S] = scores.shape.slice(-2) as [number, number];
  if (isCausal) {
    const m = allocate(scores.dtype, L * S);
    for (let r = 0; r < L; r++) m.fill(-Infinity, r * S + Math.min(S, r + 1), (r + 1) * S);
    scores = add(scores, new Tensor(m, [L, S]).to(scores.device));
  }
  const top = max(scores, { dim: -1, keepdim: true }).values;
  return where(eq(top, -Infinity), 0, exp(logSoftmax(scores, -1)));
}

/**
 * The gradients of the scores' inputs from dP, written once in ops: dS = P ⊙ (dP − rowsum(dP ⊙ P)),
 * dQ = dS·K·scale, dK = dSᵀ·Q·scale, dMask = dS.
 */
function scoresBackward(dP: Tensor, P: Tensor, [q, k]: Tensor[], scale: number, [gq, gk, gm]: boolean[]): (Tensor | null)[] {
  const dS = mul(P, sub(dP, sum(mul(dP, P), { dim: -1, keepdim: true })));
  return [
    gq ? mul(matmul(dS, k!), scale) : null,
    gk ? mul(matmul(transpose(dS, -2, -1), q!), scale) : null,
    gm ? dS : null,
  ];
}

// The attention weights P as a function of [q, k, mask?]. Its forward returns the P the attention forward
// computed (`probs`, no recomputation), so backward rules can use P on the tape (createGraph).
const probsOp: Op<AttentionAttrs & { probs: Tensor }> = defineOp<AttentionAttrs & { probs: Tensor }>({
  name: 'attentionWeights',
  forward: (_, { probs }) => probs,
  webgpu: 'same',
  backward: ({ grad, inputs, output, attrs, needsInputGrad }) => scoresBackward(grad, output, inputs, attrs.scale, needsInputGrad),
});

// Its aux is P and the dropout mask: the backward reads them, and so does the caller that returns the weights.
const attentionOp: OpWithAux<AttentionAttrs, AttentionInputs, Saved> = defineOpWithAux<AttentionAttrs, AttentionInputs, Saved>({
  name: 'scaledDotProductAttention',
  saves: 'inputs',
  forward: attentionForward,
  webgpu: attentionForward,
  // dV = P̃ᵀ·dO and dP = (dO·Vᵀ) ⊙ keep, with P̃ = P ⊙ keep the weights after dropout.
  backward: ({ grad, inputs, attrs, aux: { probs, keep }, needsInputGrad: [gq, gk, gv, gm] }) => {
    const v = inputs[2];
    const qk = scoreInputs(inputs);
    const P = probsOp(qk, { ...attrs, probs });
    const dV = gv ? matmul(transpose(keep === null ? P : mul(P, keep), -2, -1), grad) : null;
    if (!gq && !gk && !gm) return [null, null, dV, null];
    let dP = matmul(grad, transpose(v, -2, -1));
    if (keep !== null) dP = mul(dP, keep);
    const [dQ, dK, dMask] = scoresBackward(dP, P, qk, attrs.scale, [gq!, gk!, gm ?? false]);
    return [dQ ?? null, dK ?? null, dV, dMask ?? null];
  },
});

/** The attention forward, written in ops (so it runs on any device): softmax(q·kᵀ·scale + mask), dropout, · v. */
function attentionForward(inputs: AttentionInputs, attrs: AttentionAttrs): ForwardWithAux<Saved> {
  const P = probabilities(scoreInputs(inputs), attrs);
  let keep: Tensor | null = null;
  if (attrs.dropoutP > 0) {
    const m = allocate(P.dtype, P.numel());
    const scaleKept = attrs.dropoutP < 1 ? 1 / (1 - attrs.dropoutP) : 0;
    for (let i = 0; i < m.length; i++) m[i] = attrs.generator.uniform() < attrs.dropoutP ? 0 : scaleKept;
    keep = new Tensor(m, P.shape).to(P.device);
  }
  const out = matmul(keep === null ? P : mul(P, keep), inputs[2]);
  return { data: out.storage, shape: out.shape, aux: { probs: P, keep } };
}

/** Options of `scaledDotProductAttention`. */
export interface ScaledDotProductAttentionOptions {
  /**
   * A mask broadcastable to [..., L, S], as PyTorch's `attn_mask`: a bool mask says which scores take
   * part (true = may attend); a float mask is added to the scaled scores (0 keeps, −∞ blocks). A 0/1
   * float mask of either convention becomes an additive one with `maskFromAllowed` or `maskFromBlocked`.
   */
  attnMask?: Tensor | null;
  /** Query i attends only to keys j ≤ i (the lower-triangular mask, aligned top-left when L ≠ S). */
  isCausal?: boolean;
  /** The probability of zeroing each attention weight (0); kept weights are scaled by 1 / (1 − p). */
  dropoutP?: number;
  /** The factor applied to q·kᵀ (1/√E by default). */
  scale?: number;
  /** The generator of the dropout mask (the default one). */
  generator?: Generator;
}

/** The attention output and the weights it used. */
export interface AttentionResult {
  /** softmax(q·kᵀ·scale + mask)·v: [..., L, Ev]. */
  output: Tensor;
  /** The attention weights (after dropout): [..., L, S]. */
  weights: Tensor;
}

/** The attention op's inputs: query, key, value and the additive mask when there is one. */
type AttentionInputs = [q: Tensor, k: Tensor, v: Tensor, mask?: Tensor];

/** The inputs the scores (and so P) depend on: [q, k] and the mask when there is one. */
function scoreInputs([q, k, , mask]: AttentionInputs): Tensor[] {
  return mask === undefined ? [q, k] : [q, k, mask];
}

function prepare(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions): [AttentionInputs, AttentionAttrs] {
  const op = 'scaledDotProductAttention';
  const given = options.attnMask ?? undefined;
  // A bool mask is PyTorch's boolean attn_mask for this function: true takes part in attention.
  const mask = given?.dtype === 'bool' ? additive(op, given, 0, isFloat(q.dtype) ? q.dtype : defaultDType) : given;
  const inputs: AttentionInputs = mask === undefined ? operands(op, q, k, v) : operands(op, q, k, v, mask);
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new DlError(`${op}: query, key and value need at least 2 dims ([..., L, E], [..., S, E], [..., S, Ev]), got shapes ${fmt(q.shape)}, ${fmt(k.shape)} and ${fmt(v.shape)}`);
  }
  const [L, E] = q.shape.slice(-2) as [number, number];
  const S = k.shape[k.ndim - 2]!;
  if (k.shape[k.ndim - 1] !== E) throw new DlError(`${op}: key's last dim ${k.shape[k.ndim - 1]} does not match query's ${E} (shapes ${fmt(q.shape)} and ${fmt(k.shape)})`);
  if (v.shape[v.ndim - 2] !== S) throw new DlError(`${op}: value has ${v.shape[v.ndim - 2]} positions (dim -2) but key has ${S} (shapes ${fmt(k.shape)} and ${fmt(v.shape)})`);
  try {
    broadcastShapes(op, broadcastShapes(op, q.shape.slice(0, -2), k.shape.slice(0, -2)), v.shape.slice(0, -2));
  } catch {
    throw new DlError(`${op}: the batch dims of query ${fmt(q.shape)}, key ${fmt(k.shape)} and value ${fmt(v.shape)} do not broadcast`);
  }
  if (mask !== undefined) {
    let ok = true;
    try {
      const b = broadcastShapes(op, mask.shape, [L, S]);
      ok = b[b.length - 2] === L && b[b.length - 1] === S;
    } catch {
      ok = false;
    }
    if (!ok) throw new DlError(`${op}: attnMask of shape ${fmt(mask.shape)} does not broadcast to the scores' [..., ${L}, ${S}]`);
    if (options.isCausal === true) throw new DlError(`${op}: attnMask should not be set when isCausal is true`);
  }
  const dropoutP = options.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP <= 1)) throw new DlError(`${op}: dropoutP must be in [0, 1], got ${String(dropoutP)}`);
  const scale = options.scale ?? 1 / Math.sqrt(E);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new DlError(`${op}: scale must be a finite number, got ${String(scale)}`);
  const attrs: AttentionAttrs = {
    scale, isCausal: options.isCausal ?? false, dropoutP, generator: options.generator ?? defaultGenerator,
  };
  return [inputs, attrs];
}

/**
 * Attention as PyTorch's `F.scaled_dot_product_attention`: softmax(q·kᵀ·scale + mask)·v, over query
 * [..., L, E], key [..., S, E] and value [..., S, Ev] whose leading dims broadcast; gives [..., L, Ev].
 * One op: the backward reuses the saved softmax and is written in ops, so higher-order gradients work.
 * A query with every key masked gets zeros (and zero gradients), as PyTorch's math backend gives.
 * @example
 * const out = scaledDotProductAttention(q, k, v, { isCausal: true }); // [B, H, L, Ev]
 */
export const scaledDotProductAttention = api(sig('scaledDotProductAttention', ['q', K.tensor], ['k', K.tensor], ['v', K.tensor], ['options', opts({ attnMask: K.nullable(K.tensor), isCausal: K.bool, dropoutP: K.number, scale: K.number, generator: generatorKind })]), function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const [inputs, attrs] = prepare(q, k, v, options);
  return attentionOp(inputs, attrs).output;
});

/**
 * `scaledDotProductAttention` that also returns the attention weights [..., L, S] (after dropout), as
 * `nn.MultiheadAttention` does with `needWeights`. Gradients flow through both results.
 * @example const { output, weights } = scaledDotProductAttentionWithWeights(q, k, v);
 */
export const scaledDotProductAttentionWithWeights = api(sig('scaledDotProductAttentionWithWeights', ['q', K.tensor], ['k', K.tensor], ['v', K.tensor], ['options', opts({ attnMask: K.nullable(K.tensor), isCausal: K.bool, dropoutP: K.number, scale: K.number, generator: generatorKind })]), function scaledDotProductAttentionWithWeights(q: Tensor, k: Tensor, v: Tensor, options: ScaledDotProductAttentionOptions = {}): AttentionResult {
  const [inputs, attrs] = prepare(q, k, v, options);
  const { output, aux: { probs, keep } } = attentionOp(inputs, attrs);
  const P = probsOp(scoreInputs(inputs), { ...attrs, probs });
  return { output, weights: keep === null ? P : mul(P, keep) };
});

function additive(op: string, mask: Tensor, blockedWhen: 0 | 1, dtype: DType = isFloat(mask.dtype) ? mask.dtype : defaultDType): Tensor {
  if (!(mask instanceof Tensor)) throw new DlError(`${op}: expected a 0/1 tensor`);
  const out = allocate(dtype, mask.numel());
  for (let i = 0; i < out.length; i++) {
    const m = mask.data[i]!;
    if (m !== 0 && m !== 1) throw new DlError(`${op}: expected a 0/1 mask (as comparisons return), got ${m} at element ${i}`);
    out[i] = m === blockedWhen ? -Infinity : 0;
  }
  return new Tensor(out, mask.shape);
}

/**
 * The additive mask of a 0/1 "may attend" mask: 1 → 0, 0 → −∞ (PyTorch's boolean `attn_mask` of
 * `scaled_dot_product_attention`, where true means "takes part in attention").
 * @example scaledDotProductAttention(q, k, v, { attnMask: maskFromAllowed(le(j, i)) })
 */
export const maskFromAllowed = api(sig('maskFromAllowed', ['allowed', K.tensor]), function maskFromAllowed(allowed: Tensor): Tensor {
  return additive('maskFromAllowed', allowed, 0);
});

/**
 * The additive mask of a 0/1 "blocked" mask: 1 → −∞, 0 → 0 (PyTorch's boolean masks of
 * `nn.MultiheadAttention` and the Transformer layers, where true means "is not allowed to attend").
 * @example mha.forward(x, x, x, { keyPaddingMask: maskFromBlocked(eq(tokens, PAD)) })
 */
export const maskFromBlocked = api(sig('maskFromBlocked', ['blocked', K.tensor]), function maskFromBlocked(blocked: Tensor): Tensor {
  return additive('maskFromBlocked', blocked, 1);
});
