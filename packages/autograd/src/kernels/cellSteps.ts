import type { FloatArray } from '../dtype.js';
import { wasmProductsOn } from './matmul.js';
import { gruStep as jsGruStep, gruStepBackward as jsGruStepBackward, lstmStep as jsStep, lstmStepBackward as jsStepBackward } from './cpu/recurrentSteps.js';
import { gruStepBackwardWasm, gruStepWasm, lstmStepBackwardWasm, lstmStepWasm } from './wasm/recurrent.js';

// The LSTM and GRU steps and their backwards as the recurrent kernels run them: on the wasm backend,
// float32 steps run their gate math in WebAssembly SIMD (wasm/recurrent.ts) for every row, then rows
// whose sequence has ended take their state (or state gradient) back, so a row's values never depend
// on the other rows' lengths. Float64, a hidden size that is not a multiple of 4, and the js backend
// run the JS steps (cpu/recurrentSteps.ts).

/** Whether the wasm steps take a step over these arrays: all float32, the wasm backend, whole vectors of hidden units. */
function wasmTakes(arrays: readonly FloatArray[], N: number, H: number): boolean {
  return N > 0 && H > 0 && H % 4 === 0 && wasmProductsOn() && arrays.every((x) => x instanceof Float32Array);
}

/** The rows whose sequence has ended before step t. */
function finishedRows(lengths: Int32Array | null, N: number, t: number): number[] {
  const done: number[] = [];
  if (lengths !== null) for (let b = 0; b < N; b++) if (t >= lengths[b]!) done.push(b);
  return done;
}

/** After a forward step over every row: each finished row's state is its previous one ([to, at, from, at] per state). */
function keepStates(done: readonly number[], H: number, states: readonly [FloatArray, number, FloatArray, number][]): void {
  for (const b of done) for (const [to, at, from, fromAt] of states) to.set(from.subarray(fromAt + b * H, fromAt + (b + 1) * H), at + b * H);
}

/**
 * Runs `step` (a backward step over every row) so that each finished row keeps its state gradients
 * (`states`, [N, H] from 0) and gets no gate gradients (`gates`: [array, offset, row width]), as in the
 * JS steps. False when the step could not run (nothing changed).
 */
function backwardKeepingFinished(
  done: readonly number[], H: number, states: readonly FloatArray[], gates: readonly [FloatArray, number, number][], step: () => boolean,
): boolean {
  const kept = done.map((b) => states.map((s) => s.slice(b * H, (b + 1) * H)));
  if (!step()) return false;
  done.forEach((b, i) => {
    states.forEach((s, k) => s.set(kept[i]![k]!, b * H));
    for (const [g, at, width] of gates) g.fill(0, at + b * width, at + (b + 1) * width);
  });
  return true;
}

/** db[j] += Σ over the N rows of d [N, G] at `at` (a finished row's are zeros), four rows per pass. */
function addRowSums(db: Float64Array, d: Float32Array, at: number, N: number, G: number): void {
  let b = 0;
  for (; b + 4 <= N; b += 4) {
    const p = at + b * G;
    for (let j = 0; j < G; j++) db[j] = db[j]! + ((d[p + j]! + d[p + G + j]!) + (d[p + 2 * G + j]! + d[p + 3 * G + j]!));
  }
  for (; b < N; b++) {
    const p = at + b * G;
    for (let j = 0; j < G; j++) db[j] = db[j]! + d[p + j]!;
  }
}

/** As cpu/recurrentSteps.ts's `lstmStep`, routed as above. */
export function lstmStep(
  act: FloatArray, a: number, x: FloatArray, xo: number, bias: FloatArray, cPrev: FloatArray, cp: number, c: FloatArray, co: number,
  tc: FloatArray, to: number, hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  if (wasmTakes([act, x, bias, cPrev, c, tc, h], N, H)
    && lstmStepWasm(act as Float32Array, a, x as Float32Array, xo, bias as Float32Array, cPrev as Float32Array, cp, c as Float32Array, co, tc as Float32Array, to, h as Float32Array, ho, N, H)) {
    keepStates(finishedRows(lengths, N, t), H, [[h, ho, hPrev, hp], [c, co, cPrev, cp]]);
    return;
  }
  jsStep(act, a, x, xo, bias, cPrev, cp, c, co, tc, to, hPrev, hp, h, ho, N, H, lengths, t);
}

/** As cpu/recurrentSteps.ts's `lstmStepBackward`, routed as above; on wasm the bias sums are added here. */
export function lstmStepBackward(
  act: FloatArray, a: number, cPrev: FloatArray, cp: number, tc: FloatArray, to: number, gOut: FloatArray, go: number,
  dh: FloatArray, dc: FloatArray, dPre: FloatArray, dOff: number, db: Float64Array, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  if (wasmTakes([act, cPrev, tc, gOut, dh, dc, dPre], N, H)
    && backwardKeepingFinished(finishedRows(lengths, N, t), H, [dh, dc], [[dPre, dOff, 4 * H]], () =>
      lstmStepBackwardWasm(act as Float32Array, a, cPrev as Float32Array, cp, tc as Float32Array, to, gOut as Float32Array, go, dh as Float32Array, dc as Float32Array, dPre as Float32Array, dOff, N, H))) {
    addRowSums(db, dPre as Float32Array, dOff, N, 4 * H);
    return;
  }
  jsStepBackward(act, a, cPrev, cp, tc, to, gOut, go, dh, dc, dPre, dOff, db, N, H, lengths, t);
}

/** As cpu/recurrentSteps.ts's `gruStep`, routed as above. */
export function gruStep(
  x: FloatArray, xo: number, hg: FloatArray, act: FloatArray, a: number, hn: FloatArray, hno: number,
  hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number, lengths: Int32Array | null, t: number,
): void {
  if (wasmTakes([x, hg, act, hn, hPrev, h], N, H)
    && gruStepWasm(x as Float32Array, xo, hg as Float32Array, act as Float32Array, a, hn as Float32Array, hno, hPrev as Float32Array, hp, h as Float32Array, ho, N, H)) {
    keepStates(finishedRows(lengths, N, t), H, [[h, ho, hPrev, hp]]);
    return;
  }
  jsGruStep(x, xo, hg, act, a, hn, hno, hPrev, hp, h, ho, N, H, lengths, t);
}

/** As cpu/recurrentSteps.ts's `gruStepBackward`, routed as above; on wasm the bias sums (of dHg) are added here. */
export function gruStepBackward(
  act: FloatArray, a: number, hn: FloatArray, hno: number, hPrev: FloatArray, hp: number, gOut: FloatArray, go: number,
  dh: FloatArray, dXg: FloatArray, dHg: FloatArray, dOff: number, db: Float64Array, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  if (wasmTakes([act, hn, hPrev, gOut, dh, dXg, dHg], N, H)
    && backwardKeepingFinished(finishedRows(lengths, N, t), H, [dh], [[dXg, dOff, 3 * H], [dHg, dOff, 3 * H]], () =>
      gruStepBackwardWasm(act as Float32Array, a, hn as Float32Array, hno, hPrev as Float32Array, hp, gOut as Float32Array, go, dh as Float32Array, dXg as Float32Array, dHg as Float32Array, dOff, N, H))) {
    addRowSums(db, dHg as Float32Array, dOff, N, 3 * H);
    return;
  }
  jsGruStepBackward(act, a, hn, hno, hPrev, hp, gOut, go, dh, dXg, dHg, dOff, db, N, H, lengths, t);
}
