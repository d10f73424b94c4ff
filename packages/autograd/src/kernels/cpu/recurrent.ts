import type { TypedArray } from '../../dtype.js';
import { like } from './alloc.js';
import { matmulTransposedInto } from '../matmul.js';

// Recurrent cells and whole layers as plain loops. Gate blocks follow PyTorch: rows of [N, G·H]
// hold i,f,g,o (LSTM) or r,z,n (GRU), each H wide. Callers pass views (`subarray`) at step offsets.

/** The cell a recurrent kernel runs: LSTM, GRU, or the Elman RNN with tanh or relu. */
export type CellMode = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/** How many H-wide gate blocks a cell's projections have (4 for LSTM, 3 for GRU, 1 for RNN). */
export function gateCount(mode: CellMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

function sig(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * LSTM cell: pre [N,4H] (pre-activation gates), cPrev [N,H] → act [N,4H] (σ(i),σ(f),tanh(g),σ(o)),
 * c = f·cPrev + i·g and h = o·tanh(c), each [N,H].
 */
export function lstmCellInto(pre: TypedArray, cPrev: TypedArray, act: TypedArray, c: TypedArray, h: TypedArray, N: number, H: number): void {
  for (let n = 0; n < N; n++) {
    const p = n * 4 * H;
    const q = n * H;
    for (let j = 0; j < H; j++) {
      const i = sig(pre[p + j]!);
      const f = sig(pre[p + H + j]!);
      const g = Math.tanh(pre[p + 2 * H + j]!);
      const o = sig(pre[p + 3 * H + j]!);
      act[p + j] = i;
      act[p + H + j] = f;
      act[p + 2 * H + j] = g;
      act[p + 3 * H + j] = o;
      const cv = f * cPrev[q + j]! + i * g;
      c[q + j] = cv;
      h[q + j] = o * Math.tanh(cv);
    }
  }
}

/**
 * The LSTM cell's backward: from dh and dc (null for zero) at its output, dPre [N,4H] (the gradient of
 * the pre-activation gates) and dcPrev [N,H]. `act` and `c` are what `lstmCellInto` wrote.
 */
export function lstmCellBackwardInto(
  act: TypedArray, cPrev: TypedArray, c: TypedArray, dh: TypedArray, dc: TypedArray | null,
  dPre: TypedArray, dcPrev: TypedArray, N: number, H: number,
): void {
  for (let n = 0; n < N; n++) {
    const p = n * 4 * H;
    const q = n * H;
    for (let j = 0; j < H; j++) {
      const i = act[p + j]!;
      const f = act[p + H + j]!;
      const g = act[p + 2 * H + j]!;
      const o = act[p + 3 * H + j]!;
      const tc = Math.tanh(c[q + j]!);
      const gh = dh[q + j]!;
      const dcv = (dc === null ? 0 : dc[q + j]!) + gh * o * (1 - tc * tc);
      dPre[p + j] = dcv * g * i * (1 - i);
      dPre[p + H + j] = dcv * cPrev[q + j]! * f * (1 - f);
      dPre[p + 2 * H + j] = dcv * i * (1 - g * g);
      dPre[p + 3 * H + j] = gh * tc * o * (1 - o);
      dcPrev[q + j] = dcv * f;
    }
  }
}

/**
 * GRU cell: xg = x·W_ihᵀ + b_ih and hg = hPrev·W_hhᵀ + b_hh, both [N,3H] → act [N,3H] (r, z, n),
 * hn [N,H] (hg's n block, kept for the backward) and h = (1−z)·n + z·hPrev, with
 * r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n) as PyTorch.
 */
export function gruCellInto(
  xg: TypedArray, hg: TypedArray, hPrev: TypedArray, act: TypedArray, hn: TypedArray, h: TypedArray, N: number, H: number,
): void {
  for (let b = 0; b < N; b++) {
    const p = b * 3 * H;
    const q = b * H;
    for (let j = 0; j < H; j++) {
      const r = sig(xg[p + j]! + hg[p + j]!);
      const z = sig(xg[p + H + j]! + hg[p + H + j]!);
      const hnv = hg[p + 2 * H + j]!;
      const n = Math.tanh(xg[p + 2 * H + j]! + r * hnv);
      act[p + j] = r;
      act[p + H + j] = z;
      act[p + 2 * H + j] = n;
      hn[q + j] = hnv;
      h[q + j] = (1 - z) * n + z * hPrev[q + j]!;
    }
  }
}

/**
 * The GRU cell's backward from dh [N,H]: dXg and dHg [N,3H] (gradients of the two projections) and
 * dhDirect [N,H] = dh·z, the part of dhPrev that does not go through W_hh.
 */
export function gruCellBackwardInto(
  act: TypedArray, hn: TypedArray, hPrev: TypedArray, dh: TypedArray,
  dXg: TypedArray, dHg: TypedArray, dhDirect: TypedArray, N: number, H: number,
): void {
  for (let b = 0; b < N; b++) {
    const p = b * 3 * H;
    const q = b * H;
    for (let j = 0; j < H; j++) {
      const r = act[p + j]!;
      const z = act[p + H + j]!;
      const n = act[p + 2 * H + j]!;
      const g = dh[q + j]!;
      const dnPre = g * (1 - z) * (1 - n * n);
      const drPre = dnPre * hn[q + j]! * r * (1 - r);
      const dzPre = g * (hPrev[q + j]! - n) * z * (1 - z);
      dXg[p + j] = drPre;
      dXg[p + H + j] = dzPre;
      dXg[p + 2 * H + j] = dnPre;
      dHg[p + j] = drPre;
      dHg[p + H + j] = dzPre;
      dHg[p + 2 * H + j] = dnPre * r;
      dhDirect[q + j] = g * z;
    }
  }
}

/** What `recurrentForward` keeps for `recurrentBackward`, per step in time order. */
export interface RecurrentSaved {
  /** Activated gates [T,N,G·H] (LSTM, GRU), or the new hidden state [T,N,H] (RNN). */
  act: TypedArray;
  /** The hidden state each step started from [T,N,H]. */
  hPrev: TypedArray;
  /** LSTM: the cell state each step started from, and the one it computed [T,N,H]. */
  cPrev: TypedArray | null;
  c: TypedArray | null;
  /** GRU: hg's n block per step [T,N,H]. */
  hn: TypedArray | null;
}

/** The shape of a recurrent layer run: T steps of N rows, hidden size H, and which rows run at each step. */
export interface RecurrentDims {
  T: number;
  N: number;
  H: number;
  /** Run from the last step to the first. */
  reverse: boolean;
  /** Each row's length (≤ T), or null when all have T: a row takes no step at t ≥ its length. */
  lengths: Int32Array | null;
}

/**
 * One layer and direction over a whole sequence: xProj [T,N,G·H] = x·W_ihᵀ + b_ih, wHh [G·H,H],
 * bHh [G·H] or null, h0 and c0 (LSTM) [N,H]. Returns out [T+1,N,H] (outputs, then hN), [T+2,N,H] for
 * LSTM (then cN). A row past its length outputs zeros and keeps its state, as packed sequences do.
 */
export function recurrentForward(
  mode: CellMode, xProj: TypedArray, wHh: TypedArray, bHh: TypedArray | null, h0: TypedArray, c0: TypedArray | null, d: RecurrentDims,
): { out: TypedArray; saved: RecurrentSaved } {
  const { T, N, H, lengths } = d;
  const G = gateCount(mode) * H;
  const NH = N * H;
  const lstm = mode === 'lstm';
  const out = like(xProj, (T + (lstm ? 2 : 1)) * NH);
  const saved: RecurrentSaved = {
    act: like(xProj, T * N * (mode === 'gru' || lstm ? G : H)),
    hPrev: like(xProj, T * NH),
    cPrev: lstm ? like(xProj, T * NH) : null,
    c: lstm ? like(xProj, T * NH) : null,
    hn: mode === 'gru' ? like(xProj, T * NH) : null,
  };
  let h: TypedArray = h0.slice();
  let c: TypedArray | null = c0 === null ? null : c0.slice();
  const hg = like(xProj, N * G);
  for (let s = 0; s < T; s++) {
    const t = d.reverse ? T - 1 - s : s;
    for (let b = 0; b < N; b++) if (bHh === null) hg.fill(0, b * G, (b + 1) * G); else hg.set(bHh, b * G);
    matmulTransposedInto(h, 0, false, wHh, 0, true, hg, 0, N, H, G);
    const x = xProj.subarray(t * N * G, (t + 1) * N * G);
    const at = (a: TypedArray, w = H) => a.subarray(t * N * w, (t + 1) * N * w);
    at(saved.hPrev).set(h);
    const hNew = like(h);
    if (lstm) {
      for (let i = 0; i < hg.length; i++) hg[i] += x[i]!;
      at(saved.cPrev!).set(c!);
      lstmCellInto(hg, c!, at(saved.act, G), at(saved.c!), hNew, N, H);
    } else if (mode === 'gru') {
      gruCellInto(x, hg, h, at(saved.act, G), at(saved.hn!), hNew, N, H);
    } else {
      const relu = mode === 'rnnRelu';
      for (let i = 0; i < NH; i++) {
        const v = x[i]! + hg[i]!;
        hNew[i] = relu ? (v > 0 ? v : 0) : Math.tanh(v);
      }
      at(saved.act).set(hNew);
    }
    const cNew = lstm ? at(saved.c!).slice() : null;
    if (lengths !== null) {
      for (let b = 0; b < N; b++) {
        if (t < lengths[b]!) continue;
        hNew.set(h.subarray(b * H, (b + 1) * H), b * H);
        if (cNew !== null) cNew.set(c!.subarray(b * H, (b + 1) * H), b * H);
      }
    }
    h = hNew;
    c = cNew;
    out.set(h, t * NH);
    if (lengths !== null) for (let b = 0; b < N; b++) if (t >= lengths[b]!) out.fill(0, t * NH + b * H, t * NH + (b + 1) * H);
  }
  out.set(h, T * NH);
  if (c !== null) out.set(c, (T + 1) * NH);
  return { out, saved };
}

/** The gradients of a recurrent layer's inputs, each null where not asked for. */
export interface RecurrentGrads {
  dxProj: TypedArray;
  dwHh: TypedArray;
  dbHh: TypedArray;
  dh0: TypedArray;
  dc0: TypedArray | null;
}

/**
 * Backpropagation through time for `recurrentForward`: from grad [T+1 or T+2, N, H] (outputs, hN, cN),
 * the gradients of xProj [T,N,G·H], wHh [G·H,H], bHh [G·H], h0 and c0 [N,H].
 */
export function recurrentBackward(mode: CellMode, grad: TypedArray, wHh: TypedArray, saved: RecurrentSaved, d: RecurrentDims): RecurrentGrads {
  const { T, N, H, lengths } = d;
  const G = gateCount(mode) * H;
  const NH = N * H;
  const lstm = mode === 'lstm';
  const dxProj = like(grad, T * N * G);
  const dHgAll = mode === 'gru' ? like(grad, T * N * G) : dxProj;
  let dh: TypedArray = grad.slice(T * NH, (T + 1) * NH);
  let dc: TypedArray | null = lstm ? grad.slice((T + 1) * NH, (T + 2) * NH) : null;
  const dhTot = like(grad, NH);
  const dcTot = like(grad, NH);
  const direct = like(grad, NH);
  for (let s = T - 1; s >= 0; s--) {
    const t = d.reverse ? T - 1 - s : s;
    const at = (a: TypedArray, w = H) => a.subarray(t * N * w, (t + 1) * N * w);
    for (let b = 0; b < N; b++) {
      const active = lengths === null || t < lengths[b]!;
      for (let j = b * H; j < (b + 1) * H; j++) {
        dhTot[j] = active ? dh[j]! + grad[t * NH + j]! : 0;
        if (dc !== null) dcTot[j] = active ? dc[j]! : 0;
      }
    }
    const dHg = at(dHgAll, G);
    const dhPrev = like(grad, NH);
    let dcPrev: TypedArray | null = null;
    if (lstm) {
      dcPrev = like(grad, NH);
      lstmCellBackwardInto(at(saved.act, G), at(saved.cPrev!), at(saved.c!), dhTot, dcTot, dHg, dcPrev, N, H);
    } else if (mode === 'gru') {
      gruCellBackwardInto(at(saved.act, G), at(saved.hn!), at(saved.hPrev), dhTot, at(dxProj, G), dHg, direct, N, H);
      dhPrev.set(direct);
    } else {
      const h = at(saved.act);
      const relu = mode === 'rnnRelu';
      for (let i = 0; i < NH; i++) dHg[i] = dhTot[i]! * (relu ? (h[i]! > 0 ? 1 : 0) : 1 - h[i]! * h[i]!);
    }
    matmulTransposedInto(dHg, 0, false, wHh, 0, false, dhPrev, 0, N, G, H);
    if (lengths !== null) {
      // A row that took no step passes its state's gradient through unchanged.
      for (let b = 0; b < N; b++) {
        if (t < lengths[b]!) continue;
        for (let j = b * H; j < (b + 1) * H; j++) {
          dhPrev[j] = dh[j]!;
          if (dcPrev !== null) dcPrev[j] = dc![j]!;
        }
      }
    }
    dh = dhPrev;
    dc = dcPrev;
  }
  const dwHh = like(grad, G * H);
  matmulTransposedInto(dHgAll, 0, true, saved.hPrev, 0, false, dwHh, 0, G, T * N, H);
  const dbHh = like(grad, G);
  for (let r = 0; r < T * N; r++) for (let j = 0; j < G; j++) dbHh[j] += dHgAll[r * G + j]!;
  return { dxProj: dxProj === dHgAll ? dxProj.slice() : dxProj, dwHh, dbHh, dh0: dh, dc0: dc };
}
