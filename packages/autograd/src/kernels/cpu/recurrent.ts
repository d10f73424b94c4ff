import type { FloatArray } from '../../dtype.js';
import { like } from './alloc.js';
import { matmulTransposedInto } from '../matmul.js';
import { rnnStep, rnnStepBackward } from './recurrentSteps.js';
import { gruStep, gruStepBackward, lstmStep, lstmStepBackward } from '../cellSteps.js';

// Recurrent cells and whole layers. Gate blocks follow PyTorch: rows of [N, G·H] hold i,f,g,o (LSTM)
// or r,z,n (GRU), each H wide. The step loops are in recurrentSteps.ts, the activations in
// recurrentActivation.ts.

/** The cell a recurrent kernel runs: LSTM, GRU, or the Elman RNN with tanh or relu. */
export type CellMode = 'lstm' | 'gru' | 'rnnTanh' | 'rnnRelu';

/** How many H-wide gate blocks a cell's projections have (4 for LSTM, 3 for GRU, 1 for RNN). */
export function gateCount(mode: CellMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

/**
 * LSTM cell: pre [N,4H] (pre-activation gates), cPrev [N,H] → act [N,4H] (σ(i),σ(f),tanh(g),σ(o)),
 * c = f·cPrev + i·g and h = o·tanh(c), each [N,H]; tanh(c) goes to `tc` when given (the backward's).
 */
export function lstmCellInto(pre: FloatArray, cPrev: FloatArray, act: FloatArray, c: FloatArray, h: FloatArray, N: number, H: number, tc = like(c, N * H)): void {
  // act enters as the zero recurrent product and a zero bias; without lengths no row is finished, so
  // lstmStep never reads hPrev and h stands in for it.
  act.fill(0, 0, 4 * N * H);
  lstmStep(act, 0, pre, 0, like(pre, 4 * H), cPrev, 0, c, 0, tc, 0, h, 0, h, 0, N, H, null, 0);
}

/**
 * The LSTM cell's backward: from dh and dc (null for zero) at its output, dPre [N,4H] (the gradient of
 * the pre-activation gates) and dcPrev [N,H]. `act` and `tc` (tanh(c)) are what `lstmCellInto` wrote,
 * so the backward uses the forward's own tanh whichever backend computed it.
 */
export function lstmCellBackwardInto(
  act: FloatArray, cPrev: FloatArray, tc: FloatArray, dh: FloatArray, dc: FloatArray | null,
  dPre: FloatArray, dcPrev: FloatArray, N: number, H: number,
): void {
  if (dc === null) dcPrev.fill(0);
  else dcPrev.set(dc.subarray(0, N * H));
  // The state gradient starts at zero; dh enters as the step's output gradient.
  lstmStepBackward(act, 0, cPrev, 0, tc, 0, dh, 0, like(tc, N * H), dcPrev, dPre, 0, new Float64Array(4 * H), N, H, null, 0);
}

/**
 * GRU cell: xg = x·W_ihᵀ + b_ih and hg = hPrev·W_hhᵀ + b_hh, both [N,3H] → act [N,3H] (r, z, n),
 * hn [N,H] (hg's n block, kept for the backward) and h = (1−z)·n + z·hPrev, with
 * r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n) as PyTorch.
 */
export function gruCellInto(
  xg: FloatArray, hg: FloatArray, hPrev: FloatArray, act: FloatArray, hn: FloatArray, h: FloatArray, N: number, H: number,
): void {
  gruStep(xg, 0, hg, act, 0, hn, 0, hPrev, 0, h, 0, N, H, null, 0);
}

/**
 * The GRU cell's backward from dh [N,H]: dXg and dHg [N,3H] (gradients of the two projections) and
 * dhDirect [N,H] = dh·z, the part of dhPrev that does not go through W_hh.
 */
export function gruCellBackwardInto(
  act: FloatArray, hn: FloatArray, hPrev: FloatArray, dh: FloatArray,
  dXg: FloatArray, dHg: FloatArray, dhDirect: FloatArray, N: number, H: number,
): void {
  dhDirect.fill(0);
  gruStepBackward(act, 0, hn, 0, hPrev, 0, dh, 0, dhDirect, dXg, dHg, 0, new Float64Array(3 * H), N, H, null, 0);
}

/**
 * What `recurrentForward` keeps for `recurrentBackward`. States live at the T+1 boundaries between
 * steps, in time order: step t reads slot t and writes slot t+1, or (reverse) reads t+1 and writes t.
 */
export interface RecurrentSaved {
  /** The hidden state at each boundary [T+1,N,H]. */
  hs: FloatArray;
  /** LSTM: the cell state at each boundary [T+1,N,H]. */
  cs: FloatArray | null;
  /** LSTM, GRU: the activated gates [T,N,G·H]. */
  act: FloatArray | null;
  /** LSTM: tanh of each step's new cell state [T,N,H]. */
  tc: FloatArray | null;
  /** GRU: hg's n block per step [T,N,H]. */
  hn: FloatArray | null;
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

/** dst[dOff + b·W + j] = x[xOff + b·W + j] + bias[j] for N rows of W. */
function biasedRows(x: FloatArray, xOff: number, bias: FloatArray, dst: FloatArray, dOff: number, N: number, W: number): void {
  for (let b = 0; b < N; b++) {
    const s = xOff + b * W;
    const o = dOff + b * W;
    for (let j = 0; j < W; j++) dst[o + j] = x[s + j]! + bias[j]!;
  }
}

/**
 * One layer and direction over a whole sequence: xProj [T,N,G·H] = x·W_ihᵀ + b_ih, wHh [G·H,H],
 * bHh [G·H] or null, h0 and c0 (LSTM) [N,H]. Returns out [T+1,N,H] (outputs, then hN), [T+2,N,H] for
 * LSTM (then cN). A row past its length outputs zeros and keeps its state, as packed sequences do.
 * Per step only the recurrent product h·W_hhᵀ runs (the input projection is xProj, made by one product
 * for all steps); the step kernel adds it, the input projection and the bias in its gate loop.
 */
export function recurrentForward(
  mode: CellMode, xProj: FloatArray, wHh: FloatArray, bHh: FloatArray | null, h0: FloatArray, c0: FloatArray | null, d: RecurrentDims,
): { out: FloatArray; saved: RecurrentSaved } {
  const { T, N, H, lengths, reverse } = d;
  const G = gateCount(mode) * H;
  const NH = N * H;
  const lstm = mode === 'lstm';
  const gru = mode === 'gru';
  const first = reverse ? T : 0;
  const last = reverse ? 0 : T;
  const hs = like(xProj, (T + 1) * NH);
  hs.set(h0.subarray(0, NH), first * NH);
  const cs = lstm ? like(xProj, (T + 1) * NH) : null;
  if (cs !== null) cs.set(c0!.subarray(0, NH), first * NH);
  const act = lstm || gru ? like(xProj, T * N * G) : null;
  const tc = lstm ? like(xProj, T * NH) : null;
  const hn = gru ? like(xProj, T * NH) : null;
  const hg = gru ? like(xProj, N * G) : null;
  const bias = bHh ?? like(xProj, G);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const bo = (reverse ? t + 1 : t) * NH;
    const ao = (reverse ? t : t + 1) * NH;
    const xo = t * N * G;
    if (lstm) {
      matmulTransposedInto(hs, bo, false, wHh, 0, true, act!, xo, N, H, G);
      lstmStep(act!, xo, xProj, xo, bias, cs!, bo, cs!, ao, tc!, t * NH, hs, bo, hs, ao, N, H, lengths, t);
    } else if (gru) {
      for (let b = 0; b < N; b++) hg!.set(bias, b * G);
      matmulTransposedInto(hs, bo, false, wHh, 0, true, hg!, 0, N, H, G);
      gruStep(xProj, xo, hg!, act!, xo, hn!, t * NH, hs, bo, hs, ao, N, H, lengths, t);
    } else {
      biasedRows(xProj, xo, bias, hs, ao, N, H);
      matmulTransposedInto(hs, bo, false, wHh, 0, true, hs, ao, N, H, H);
      rnnStep(mode === 'rnnRelu', hs, bo, hs, ao, N, H, lengths, t);
    }
  }
  const out = like(xProj, (T + (lstm ? 2 : 1)) * NH);
  const after = reverse ? 0 : NH;
  out.set(hs.subarray(after, after + T * NH));
  if (lengths !== null) {
    for (let t = 0; t < T; t++) for (let b = 0; b < N; b++) if (t >= lengths[b]!) out.fill(0, t * NH + b * H, t * NH + (b + 1) * H);
  }
  out.set(hs.subarray(last * NH, (last + 1) * NH), T * NH);
  if (cs !== null) out.set(cs.subarray(last * NH, (last + 1) * NH), (T + 1) * NH);
  return { out, saved: { hs, cs, act, tc, hn } };
}

/** The gradients of a recurrent layer's inputs. */
export interface RecurrentGrads {
  dxProj: FloatArray;
  dwHh: FloatArray;
  dbHh: FloatArray;
  dh0: FloatArray;
  dc0: FloatArray | null;
}

/**
 * Backpropagation through time for `recurrentForward`: from grad [T+1 or T+2, N, H] (outputs, hN, cN),
 * the gradients of xProj [T,N,G·H], wHh [G·H,H], bHh [G·H], h0 and c0 [N,H]. Per step only the
 * product dGates·W_hh runs; dW_hh is one product over all steps after the loop.
 */
export function recurrentBackward(mode: CellMode, grad: FloatArray, wHh: FloatArray, saved: RecurrentSaved, d: RecurrentDims): RecurrentGrads {
  const { T, N, H, lengths, reverse } = d;
  const G = gateCount(mode) * H;
  const NH = N * H;
  const lstm = mode === 'lstm';
  const gru = mode === 'gru';
  const { hs, cs, act, tc, hn } = saved;
  const dxProj = like(grad, T * N * G);
  // The gradient of the recurrent projection h·W_hhᵀ + b_hh: the same as xProj's except for GRU.
  const dHg = gru ? like(grad, T * N * G) : dxProj;
  const dh = grad.slice(T * NH, (T + 1) * NH);
  const dc = lstm ? grad.slice((T + 1) * NH, (T + 2) * NH) : null;
  // dbHh, summed by the step kernels as they go.
  const sums = new Float64Array(G);
  for (let s = T - 1; s >= 0; s--) {
    const t = reverse ? T - 1 - s : s;
    const bo = (reverse ? t + 1 : t) * NH;
    const xo = t * N * G;
    const go = t * NH;
    if (lstm) lstmStepBackward(act!, xo, cs!, bo, tc!, go, grad, go, dh, dc!, dxProj, xo, sums, N, H, lengths, t);
    else if (gru) gruStepBackward(act!, xo, hn!, go, hs, bo, grad, go, dh, dxProj, dHg, xo, sums, N, H, lengths, t);
    else rnnStepBackward(mode === 'rnnRelu', hs, (reverse ? t : t + 1) * NH, grad, go, dh, dxProj, xo, sums, N, H, lengths, t);
    matmulTransposedInto(dHg, xo, false, wHh, 0, false, dh, 0, N, G, H);
  }
  const dwHh = like(grad, G * H);
  // Row (t, b) of dHg pairs with the state step t started from: slots 0..T−1, or 1..T in reverse.
  matmulTransposedInto(dHg, 0, true, hs, reverse ? NH : 0, false, dwHh, 0, G, T * N, H);
  const dbHh = like(grad, G);
  dbHh.set(sums);
  return { dxProj, dwHh, dbHh, dh0: dh, dc0: dc };
}
