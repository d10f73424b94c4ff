import type { FloatArray } from '../../dtype.js';
import { expFast, sigmoidExact, sigmoidFast, tanhFast, tanhInto } from './recurrentActivation.js';

// One time step of each cell over N rows, on whole-sequence buffers addressed by offsets (no views,
// no allocation). Gate rows are G·H wide in PyTorch's order: i,f,g,o (LSTM) or r,z,n (GRU). A row
// whose sequence has ended (t ≥ lengths[b]) keeps its state: the forward copies it through and the
// backward leaves its state gradients as they are and its gate gradients zero. The forward steps have
// one loop per dtype (float32 with the fast activations, float64 with Math's), fused over the gates.

/** Whether row b takes step t. */
function active(lengths: Int32Array | null, b: number, t: number): boolean {
  return lengths === null || t < lengths[b]!;
}

/** Copies a finished row's state: dst[dOff + j] = src[sOff + j] for j < H. */
function keepRow(src: FloatArray, sOff: number, dst: FloatArray, dOff: number, H: number): void {
  for (let j = 0; j < H; j++) dst[dOff + j] = src[sOff + j]!;
}

/**
 * LSTM forward step: act[a + N×4H] holds the recurrent product h·W_hhᵀ on entry, to which x [N×4H] at
 * xo and bias [4H] add the rest of the pre-activation gates; on return it holds σ(i),σ(f),tanh(g),σ(o).
 * c = f·cPrev + i·g, tc = tanh(c) and h = o·tc, each N×H at its offset.
 */
export function lstmStep(
  act: FloatArray, a: number, x: FloatArray, xo: number, bias: FloatArray, cPrev: FloatArray, cp: number, c: FloatArray, co: number,
  tc: FloatArray, to: number, hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  for (let b = 0; b < N; b++) {
    const q = b * H;
    if (!active(lengths, b, t)) {
      keepRow(hPrev, hp + q, h, ho + q, H);
      keepRow(cPrev, cp + q, c, co + q, H);
    } else if (act instanceof Float32Array) lstmRowFast(act, a + 4 * q, x, xo + 4 * q, bias, cPrev, cp + q, c, co + q, tc, to + q, h, ho + q, H);
    else lstmRowExact(act, a + 4 * q, x, xo + 4 * q, bias, cPrev, cp + q, c, co + q, tc, to + q, h, ho + q, H);
  }
}

// The activations are written out around expFast: with sigmoidFast and tanhFast as calls, V8's
// inlining budget runs out before the fifth exp. tanh(v) = 1 − 2/(1 + e^2v) away from 0, its series near it.
function lstmRowFast(
  act: FloatArray, p: number, x: FloatArray, px: number, bias: FloatArray, cPrev: FloatArray, cp: number,
  c: FloatArray, co: number, tc: FloatArray, to: number, h: FloatArray, ho: number, H: number,
): void {
  for (let j = 0; j < H; j++) {
    const i = 1 / (1 + expFast(-(act[p + j]! + x[px + j]! + bias[j]!)));
    const f = 1 / (1 + expFast(-(act[p + H + j]! + x[px + H + j]! + bias[H + j]!)));
    const gv = act[p + 2 * H + j]! + x[px + 2 * H + j]! + bias[2 * H + j]!;
    const g = gv > -1e-3 && gv < 1e-3 ? gv * (1 - (gv * gv) / 3) : 1 - 2 / (1 + expFast(2 * gv));
    const o = 1 / (1 + expFast(-(act[p + 3 * H + j]! + x[px + 3 * H + j]! + bias[3 * H + j]!)));
    act[p + j] = i;
    act[p + H + j] = f;
    act[p + 2 * H + j] = g;
    act[p + 3 * H + j] = o;
    const cv = f * cPrev[cp + j]! + i * g;
    c[co + j] = cv;
    const tcv = cv > -1e-3 && cv < 1e-3 ? cv * (1 - (cv * cv) / 3) : 1 - 2 / (1 + expFast(2 * cv));
    tc[to + j] = tcv;
    h[ho + j] = o * tcv;
  }
}

function lstmRowExact(
  act: FloatArray, p: number, x: FloatArray, px: number, bias: FloatArray, cPrev: FloatArray, cp: number,
  c: FloatArray, co: number, tc: FloatArray, to: number, h: FloatArray, ho: number, H: number,
): void {
  for (let j = 0; j < H; j++) {
    const i = sigmoidExact(act[p + j]! + x[px + j]! + bias[j]!);
    const f = sigmoidExact(act[p + H + j]! + x[px + H + j]! + bias[H + j]!);
    const g = Math.tanh(act[p + 2 * H + j]! + x[px + 2 * H + j]! + bias[2 * H + j]!);
    const o = sigmoidExact(act[p + 3 * H + j]! + x[px + 3 * H + j]! + bias[3 * H + j]!);
    act[p + j] = i;
    act[p + H + j] = f;
    act[p + 2 * H + j] = g;
    act[p + 3 * H + j] = o;
    const cv = f * cPrev[cp + j]! + i * g;
    c[co + j] = cv;
    const tcv = Math.tanh(cv);
    tc[to + j] = tcv;
    h[ho + j] = o * tcv;
  }
}

/**
 * LSTM backward step. dh and dc [N×H] hold the gradient of the state after the step and become that
 * of the state before it (dh is left zero for the recurrent product to add into); gOut at its offset
 * is the step's output gradient, added to dh. Writes dPre [N×4H] at dOff and adds its column sums to db
 * [4H] (the bias gradient).
 */
export function lstmStepBackward(
  act: FloatArray, a: number, cPrev: FloatArray, cp: number, tc: FloatArray, to: number, gOut: FloatArray, go: number,
  dh: FloatArray, dc: FloatArray, dPre: FloatArray, dOff: number, db: Float64Array, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  for (let b = 0; b < N; b++) {
    if (!active(lengths, b, t)) continue;
    const q = b * H;
    const p = a + 4 * b * H;
    const d = dOff + 4 * b * H;
    for (let j = 0; j < H; j++) {
      const i = act[p + j]!;
      const f = act[p + H + j]!;
      const g = act[p + 2 * H + j]!;
      const o = act[p + 3 * H + j]!;
      const tcv = tc[to + q + j]!;
      const gh = dh[q + j]! + gOut[go + q + j]!;
      const dcv = dc[q + j]! + gh * o * (1 - tcv * tcv);
      const di = dcv * g * i * (1 - i);
      const df = dcv * cPrev[cp + q + j]! * f * (1 - f);
      const dg = dcv * i * (1 - g * g);
      const dO = gh * tcv * o * (1 - o);
      dPre[d + j] = di;
      dPre[d + H + j] = df;
      dPre[d + 2 * H + j] = dg;
      dPre[d + 3 * H + j] = dO;
      db[j] = db[j]! + di;
      db[H + j] = db[H + j]! + df;
      db[2 * H + j] = db[2 * H + j]! + dg;
      db[3 * H + j] = db[3 * H + j]! + dO;
      dc[q + j] = dcv * f;
      dh[q + j] = 0;
    }
  }
}

/**
 * GRU forward step: x at xo and hg [N×3H] (the two projections, biases included) → act [N×3H] at a
 * (r, z, n), hn [N×H] at hno (hg's n block, kept for the backward) and h = (1−z)·n + z·hPrev, with
 * r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n) as PyTorch.
 */
export function gruStep(
  x: FloatArray, xo: number, hg: FloatArray, act: FloatArray, a: number, hn: FloatArray, hno: number,
  hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number, lengths: Int32Array | null, t: number,
): void {
  for (let b = 0; b < N; b++) {
    const q = b * H;
    if (!active(lengths, b, t)) keepRow(hPrev, hp + q, h, ho + q, H);
    else if (act instanceof Float32Array) gruRowFast(x, xo + 3 * q, hg, 3 * q, act, a + 3 * q, hn, hno + q, hPrev, hp + q, h, ho + q, H);
    else gruRowExact(x, xo + 3 * q, hg, 3 * q, act, a + 3 * q, hn, hno + q, hPrev, hp + q, h, ho + q, H);
  }
}

function gruRowFast(
  x: FloatArray, px: number, hg: FloatArray, ph: number, act: FloatArray, p: number, hn: FloatArray, pn: number,
  hPrev: FloatArray, hp: number, h: FloatArray, ho: number, H: number,
): void {
  for (let j = 0; j < H; j++) {
    const r = sigmoidFast(x[px + j]! + hg[ph + j]!);
    const z = sigmoidFast(x[px + H + j]! + hg[ph + H + j]!);
    const hnv = hg[ph + 2 * H + j]!;
    const n = tanhFast(x[px + 2 * H + j]! + r * hnv);
    act[p + j] = r;
    act[p + H + j] = z;
    act[p + 2 * H + j] = n;
    hn[pn + j] = hnv;
    h[ho + j] = (1 - z) * n + z * hPrev[hp + j]!;
  }
}

function gruRowExact(
  x: FloatArray, px: number, hg: FloatArray, ph: number, act: FloatArray, p: number, hn: FloatArray, pn: number,
  hPrev: FloatArray, hp: number, h: FloatArray, ho: number, H: number,
): void {
  for (let j = 0; j < H; j++) {
    const r = sigmoidExact(x[px + j]! + hg[ph + j]!);
    const z = sigmoidExact(x[px + H + j]! + hg[ph + H + j]!);
    const hnv = hg[ph + 2 * H + j]!;
    const n = Math.tanh(x[px + 2 * H + j]! + r * hnv);
    act[p + j] = r;
    act[p + H + j] = z;
    act[p + 2 * H + j] = n;
    hn[pn + j] = hnv;
    h[ho + j] = (1 - z) * n + z * hPrev[hp + j]!;
  }
}

/**
 * GRU backward step. dh [N×H] holds the gradient of the state after the step and becomes dh·z, the
 * part of the state before it that does not go through W_hh; gOut at its offset is the step's output
 * gradient, added to dh. Writes dXg and dHg [N×3H] at dOff (the gradients of the two projections) and
 * adds dHg's column sums to db [3H] (the gradient of b_hh).
 */
export function gruStepBackward(
  act: FloatArray, a: number, hn: FloatArray, hno: number, hPrev: FloatArray, hp: number, gOut: FloatArray, go: number,
  dh: FloatArray, dXg: FloatArray, dHg: FloatArray, dOff: number, db: Float64Array, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  for (let b = 0; b < N; b++) {
    if (!active(lengths, b, t)) continue;
    const q = b * H;
    const p = a + 3 * b * H;
    const d = dOff + 3 * b * H;
    for (let j = 0; j < H; j++) {
      const r = act[p + j]!;
      const z = act[p + H + j]!;
      const n = act[p + 2 * H + j]!;
      const gh = dh[q + j]! + gOut[go + q + j]!;
      const dnPre = gh * (1 - z) * (1 - n * n);
      const drPre = dnPre * hn[hno + q + j]! * r * (1 - r);
      const dzPre = gh * (hPrev[hp + q + j]! - n) * z * (1 - z);
      dXg[d + j] = drPre;
      dXg[d + H + j] = dzPre;
      dXg[d + 2 * H + j] = dnPre;
      dHg[d + j] = drPre;
      dHg[d + H + j] = dzPre;
      dHg[d + 2 * H + j] = dnPre * r;
      db[j] = db[j]! + drPre;
      db[H + j] = db[H + j]! + dzPre;
      db[2 * H + j] = db[2 * H + j]! + dnPre * r;
      dh[q + j] = gh * z;
    }
  }
}

/**
 * Elman RNN forward step: h [N×H] at ho holds the pre-activation on entry and tanh or relu of it on
 * return (a finished row keeps hPrev).
 */
export function rnnStep(
  relu: boolean, hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number, lengths: Int32Array | null, t: number,
): void {
  for (let b = 0; b < N; b++) {
    const q = b * H;
    if (!active(lengths, b, t)) keepRow(hPrev, hp + q, h, ho + q, H);
    else if (!relu) tanhInto(h, ho + q, h, ho + q, H);
    else for (let j = ho + q; j < ho + q + H; j++) if (!(h[j]! > 0)) h[j] = 0;
  }
}

/**
 * Elman RNN backward step from the step's new state h at ho: dPre [N×H] at dOff, its column sums added
 * to db [H]; dh as in `lstmStepBackward` (left zero for the recurrent product).
 */
export function rnnStepBackward(
  relu: boolean, h: FloatArray, ho: number, gOut: FloatArray, go: number, dh: FloatArray, dPre: FloatArray, dOff: number,
  db: Float64Array, N: number, H: number, lengths: Int32Array | null, t: number,
): void {
  for (let b = 0; b < N; b++) {
    if (!active(lengths, b, t)) continue;
    const q = b * H;
    for (let j = 0; j < H; j++) {
      const gh = dh[q + j]! + gOut[go + q + j]!;
      const v = h[ho + q + j]!;
      const dv = gh * (relu ? (v > 0 ? 1 : 0) : 1 - v * v);
      dPre[dOff + q + j] = dv;
      db[j] = db[j]! + dv;
      dh[q + j] = 0;
    }
  }
}
