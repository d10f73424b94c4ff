import { allocate, Generator, Tensor, defaultGenerator, type DType, type TypedArray, DlError } from '@dl/autograd';
import { allocLike, cached, checkDtype, checkInt, checkUpstream, fmt, type ManualLayer } from './layer.js';

/** Options of the manual `SelfAttention`. */
export interface ManualSelfAttentionOptions {
  /** Whether position i attends only to positions j ≤ i (false). */
  causal?: boolean;
  /** The parameters' dtype: float32 by default, float64 for gradient checks. */
  dtype?: DType;
  /** The generator for `initParams` (the default one unless given). */
  generator?: Generator;
}

/** out[M×N] = op(a)·op(b), with op(a) = a (M×K) or, with `ta`, aᵀ for a stored K×M (and likewise b). */
function mm(a: TypedArray, ao: number, ta: boolean, b: TypedArray, bo: number, tb: boolean, M: number, K: number, N: number, out: TypedArray, oo = 0): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += a[ao + (ta ? p * M + i : i * K + p)]! * b[bo + (tb ? j * K + p : p * N + j)]!;
      out[oo + i * N + j] = s;
    }
  }
}

/** Adds the bias b [N] to each row of y [M×N]. */
function addRows(y: TypedArray, b: TypedArray): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + b[i % b.length]!;
}

/** Σ over rows of d [M×N]: [N]. */
function sumRows(d: TypedArray, N: number): TypedArray {
  const out = allocLike(d, N);
  for (let i = 0; i < d.length; i++) out[i % N] = out[i % N]! + d[i]!;
  return out;
}

interface Cache {
  x: TypedArray;
  q: TypedArray;
  k: TypedArray;
  v: TypedArray;
  p: TypedArray;
  a: TypedArray;
  B: number;
  T: number;
  shape: readonly number[];
}

/**
 * The course's single-head self-attention with a hand-written backward, on typed arrays: for x
 * [T, d] or [B, T, d], Q = x·Wq + bq, K = x·Wk + bk, V = x·Wv + bv (weights [d, d] in the manual
 * `Linear`'s x·W layout), P = softmax(Q·Kᵀ/√d) row by row (with the causal rule, j ≤ i), A = P·V
 * and y = A·Wo + bo. The autograd twin is `MultiheadAttention(d, 1, { batchFirst: true })`.
 * @example
 * const att = new manual.SelfAttention(8, { causal: true, dtype: 'float64' });
 * const y = att.forward(x);     // [B, T, 8]
 * const dx = att.backward(dy);  // att.dWq, att.dbq, ..., att.dWo, att.dbo
 */
export class SelfAttention implements ManualLayer {
  /** The query, key, value and output weights [d, d]. */
  Wq: Tensor;
  Wk: Tensor;
  Wv: Tensor;
  Wo: Tensor;
  /** Their biases [d]. */
  bq: Tensor;
  bk: Tensor;
  bv: Tensor;
  bo: Tensor;
  /** ∂loss/∂W and ∂loss/∂b of each projection after `backward`. */
  dWq: Tensor | null = null;
  dWk: Tensor | null = null;
  dWv: Tensor | null = null;
  dWo: Tensor | null = null;
  dbq: Tensor | null = null;
  dbk: Tensor | null = null;
  dbv: Tensor | null = null;
  dbo: Tensor | null = null;
  readonly causal: boolean;
  private cache: Cache | null = null;
  private readonly generator: Generator;

  constructor(readonly dModel: number, options: ManualSelfAttentionOptions = {}) {
    checkInt('SelfAttention', 'dModel', dModel, 1);
    this.causal = options.causal ?? false;
    this.generator = options.generator ?? defaultGenerator;
    const make = (shape: number[]) => new Tensor(allocate(options.dtype === 'float64' ? 'float64' : 'float32', shape.reduce((a, s) => a * s)), shape);
    [this.Wq, this.Wk, this.Wv, this.Wo] = [0, 1, 2, 3].map(() => make([dModel, dModel])) as [Tensor, Tensor, Tensor, Tensor];
    [this.bq, this.bk, this.bv, this.bo] = [0, 1, 2, 3].map(() => make([dModel])) as [Tensor, Tensor, Tensor, Tensor];
    this.initParams();
  }

  /** Samples every weight from N(0, std²) (std 1/√d by default) and zeroes the biases; clears the gradients. */
  initParams(std = 1 / Math.sqrt(this.dModel)): void {
    if (!(std >= 0) || !Number.isFinite(std)) throw new DlError(`SelfAttention.initParams: std must be a finite number ≥ 0, got ${std}`);
    for (const w of [this.Wq, this.Wk, this.Wv, this.Wo]) for (let i = 0; i < w.data.length; i++) w.data[i] = std * this.generator.normal();
    for (const b of [this.bq, this.bk, this.bv, this.bo]) b.data.fill(0);
    this.dWq = this.dWk = this.dWv = this.dWo = this.dbq = this.dbk = this.dbv = this.dbo = null;
  }

  /** y [..., T, d] for x [T, d] or [B, T, d]; caches x, Q, K, V, P and A. */
  forward(x: Tensor): Tensor {
    const d = this.dModel;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== d) {
      throw new DlError(`SelfAttention: expected input [T, ${d}] or [B, T, ${d}], got shape ${fmt(x.shape)}`);
    }
    checkDtype('SelfAttention', x, this.Wq);
    const T = x.shape[x.ndim - 2]!;
    const B = x.ndim === 3 ? x.shape[0]! : 1;
    const rows = B * T;
    const xs = x.data.slice();
    const project = (W: Tensor, b: Tensor) => {
      const out = allocLike(xs, rows * d);
      mm(xs, 0, false, W.data, 0, false, rows, d, d, out);
      addRows(out, b.data);
      return out;
    };
    const [q, k, v] = [project(this.Wq, this.bq), project(this.Wk, this.bk), project(this.Wv, this.bv)];
    const p = allocLike(xs, B * T * T);
    const a = allocLike(xs, rows * d);
    const scale = 1 / Math.sqrt(d);
    for (let bi = 0; bi < B; bi++) {
      const o = bi * T * d;
      const po = bi * T * T;
      mm(q, o, false, k, o, true, T, d, T, p, po); // S = Q·Kᵀ
      for (let i = 0; i < T; i++) {
        const r = po + i * T;
        const n = this.causal ? i + 1 : T; // columns j < n take part
        let max = -Infinity;
        for (let j = 0; j < n; j++) max = Math.max(max, p[r + j]! * scale);
        let total = 0;
        for (let j = 0; j < n; j++) total += p[r + j] = Math.exp(p[r + j]! * scale - max);
        for (let j = 0; j < T; j++) p[r + j] = j < n ? p[r + j]! / total : 0;
      }
      mm(p, po, false, v, o, false, T, T, d, a, o); // A = P·V
    }
    const y = allocLike(xs, rows * d);
    mm(a, 0, false, this.Wo.data, 0, false, rows, d, d, y);
    addRows(y, this.bo.data);
    this.cache = { x: xs, q, k, v, p, a, B, T, shape: x.shape };
    return new Tensor(y, x.shape);
  }

  /**
   * From dupstream = ∂loss/∂y: dWo = Aᵀ·dy, dA = dy·Woᵀ, dV = Pᵀ·dA, dP = dA·Vᵀ,
   * dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √d, dQ = dS·K, dK = dSᵀ·Q, then each projection as a Linear
   * (dW = xᵀ·dQ, db = Σ dQ, ...). Stores every parameter gradient; returns dx = dQ·Wqᵀ + dK·Wkᵀ + dV·Wvᵀ.
   */
  backward(dupstream: Tensor): Tensor {
    const { x, q, k, v, p, a, B, T, shape } = cached('SelfAttention', this.cache);
    checkUpstream('SelfAttention', dupstream, shape, this.Wq.dtype);
    const d = this.dModel;
    const rows = B * T;
    const dy = dupstream.data;
    const param = (data: TypedArray, s: number[]) => new Tensor(data, s);
    const dWo = allocLike(x, d * d);
    mm(a, 0, true, dy, 0, false, d, rows, d, dWo);
    this.dWo = param(dWo, [d, d]);
    this.dbo = param(sumRows(dy, d), [d]);
    const dA = allocLike(x, rows * d);
    mm(dy, 0, false, this.Wo.data, 0, true, rows, d, d, dA);
    const [dQ, dK, dV] = [allocLike(x, rows * d), allocLike(x, rows * d), allocLike(x, rows * d)];
    const dS = allocLike(x, T * T);
    const scale = 1 / Math.sqrt(d);
    for (let bi = 0; bi < B; bi++) {
      const o = bi * T * d;
      const po = bi * T * T;
      mm(p, po, true, dA, o, false, T, T, d, dV, o); // dV = Pᵀ·dA
      mm(dA, o, false, v, o, true, T, d, T, dS); // dP = dA·Vᵀ, into dS
      for (let i = 0; i < T; i++) {
        let dot = 0;
        for (let j = 0; j < T; j++) dot += dS[i * T + j]! * p[po + i * T + j]!;
        for (let j = 0; j < T; j++) dS[i * T + j] = (p[po + i * T + j]! * (dS[i * T + j]! - dot)) * scale;
      }
      mm(dS, 0, false, k, o, false, T, T, d, dQ, o); // dQ = dS·K
      mm(dS, 0, true, q, o, false, T, T, d, dK, o); // dK = dSᵀ·Q
    }
    const dx = allocLike(x, rows * d);
    const tmp = allocLike(x, rows * d);
    const grads: [TypedArray, Tensor][] = [[dQ, this.Wq], [dK, this.Wk], [dV, this.Wv]];
    const [gq, gk, gv] = grads.map(([dz, W]) => {
      const dW = allocLike(x, d * d);
      mm(x, 0, true, dz, 0, false, d, rows, d, dW);
      mm(dz, 0, false, W.data, 0, true, rows, d, d, tmp);
      for (let i = 0; i < dx.length; i++) dx[i] = dx[i]! + tmp[i]!;
      return { dW: param(dW, [d, d]), db: param(sumRows(dz, d), [d]) };
    }) as [{ dW: Tensor; db: Tensor }, { dW: Tensor; db: Tensor }, { dW: Tensor; db: Tensor }];
    [this.dWq, this.dbq, this.dWk, this.dbk, this.dWv, this.dbv] = [gq.dW, gq.db, gk.dW, gk.db, gv.dW, gv.db];
    return new Tensor(dx, shape);
  }
}
