import type { FloatArray } from '../dtype.js';
import { wasmProductsOn } from './matmul.js';
import { gruStep as jsGruStep, gruStepBackward as jsGruStepBackward, lstmStep as jsStep, lstmStepBackward as jsStepBackward } from './cpu/recurrentSteps.js';
import { gruStepBackwardWasm, gruStepWasm, lstmStepBackwardWasm, lstmStepWasm } from './wasm/recurrent.js';

// The LSTM and GRU steps and their backwards as the recurrent kernels run them: on the wasm backend, float32 steps
// run their gate math in WebAssembly SIMD (wasm/recurrent.ts) for every row, then rows whose sequence
// has ended take their state (or state gradient) back, so a row's values never depend on the other
// rows' lengths. Float64, a hidden size that is not a multiple of 4, and the js backend run the JS
// steps (cpu/recurrentSteps.ts).

/** As cpu/recurrentSteps.ts's `lstmStep`, routed as above. */
export function lstmStep(
  act: FloatArray, a: number, x: FloatArray, xo: number, bias: FloatArray, cPrev: FloatArray, cp: number, c: FloatArray, co: number,
  tc: FloatArray, to: number, hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  const f32 = act instanceof Float32Array && x instanceof Float32Array && bias instanceof Float32Array && cPrev instanceof Float32Array
    && c instanceof Float32Array && tc instanceof Float32Array && h instanceof Float32Array;
  if (f32 && wasmProductsOn() && H % 4 === 0 && N > 0 && H > 0 && lstmStepWasm(act, a, x, xo, bias, cPrev, cp, c, co, tc, to, h, ho, N, H)) {
    // A finished row keeps its state, as the JS step's; its activations are never read (the backward skips it).
    if (lengths !== null) {
      for (let b = 0; b < N; b++) {
        if (t < lengths[b]!) continue;
        h.set(hPrev.subarray(hp + b * H, hp + (b + 1) * H), ho + b * H);
        c.set(cPrev.subarray(cp + b * H, cp + (b + 1) * H), co + b * H);
      }
    }
    return;
  }
  jsStep(act, a, x, xo, bias, cPrev, cp, c, co, tc, to, hPrev, hp, h, ho, N, H, lengths, t);
}

/** As cpu/recurrentSteps.ts's `lstmStepBackward`, routed as above; the bias sums are added here, row by row as the JS step's. */
export function lstmStepBackward(
  act: FloatArray, a: number, cPrev: FloatArray, cp: number, tc: FloatArray, to: number, gOut: FloatArray, go: number,
  dh: FloatArray, dc: FloatArray, dPre: FloatArray, dOff: number, db: Float64Array, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  const f32 = act instanceof Float32Array && cPrev instanceof Float32Array && tc instanceof Float32Array && gOut instanceof Float32Array
    && dh instanceof Float32Array && dc instanceof Float32Array && dPre instanceof Float32Array;
  if (!(f32 && wasmProductsOn() && H % 4 === 0 && N > 0 && H > 0)) {
    jsStepBackward(act, a, cPrev, cp, tc, to, gOut, go, dh, dc, dPre, dOff, db, N, H, lengths, t);
    return;
  }
  // A finished row keeps its state gradients and gets no gate gradients, as in the JS step.
  const done: number[] = [];
  if (lengths !== null) for (let b = 0; b < N; b++) if (t >= lengths[b]!) done.push(b);
  const kept = done.map((b) => [dh.slice(b * H, (b + 1) * H), dc.slice(b * H, (b + 1) * H)] as const);
  if (!lstmStepBackwardWasm(act, a, cPrev, cp, tc, to, gOut, go, dh, dc, dPre, dOff, N, H)) {
    jsStepBackward(act, a, cPrev, cp, tc, to, gOut, go, dh, dc, dPre, dOff, db, N, H, lengths, t);
    return;
  }
  done.forEach((b, i) => {
    dh.set(kept[i]![0], b * H);
    dc.set(kept[i]![1], b * H);
    dPre.fill(0, dOff + 4 * b * H, dOff + 4 * (b + 1) * H);
  });
  addRowSums(db, dPre as Float32Array, dOff, N, 4 * H);
}

/** db[j] += Σ over the N rows of d [N, G] at `at` (a finished row's are zeros), four rows per pass. */
function addRowSums(db: Float64Array, d: Float32Array, at: number, N: number, G: number): void {
  let b = 0;
  for (; b + 4 <= N; b += 4) {
    const p = at + b * G;
    for (let j = 0; j < G; j++) db[j] += (d[p + j]! + d[p + G + j]!) + (d[p + 2 * G + j]! + d[p + 3 * G + j]!);
  }
  for (; b < N; b++) {
    const p = at + b * G;
    for (let j = 0; j < G; j++) db[j] += d[p + j]!;
  }
}

/** As cpu/recurrentSteps.ts's `gruStep`, routed as above. */
export function gruStep(
  x: FloatArray, xo: number, hg: FloatArray, act: FloatArray, a: number, hn: FloatArray, hno: number,
  hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number, lengths: Int32Array | null, t: number,
): void {
  const f32 = x instanceof Float32Array && hg instanceof Float32Array && act instanceof Float32Array && hn instanceof Float32Array
    && hPrev instanceof Float32Array && h instanceof Float32Array;
  if (f32 && wasmProductsOn() && H % 4 === 0 && N > 0 && H > 0 && gruStepWasm(x, xo, hg, act, a, hn, hno, hPrev, hp, h, ho, N, H)) {
    if (lengths !== null) {
      for (let b = 0; b < N; b++) if (t >= lengths[b]!) h.set(hPrev.subarray(hp + b * H, hp + (b + 1) * H), ho + b * H);
    }
    return;
  }
  jsGruStep(x, xo, hg, act, a, hn, hno, hPrev, hp, h, ho, N, H, lengths, t);
}

/** As cpu/recurrentSteps.ts's `gruStepBackward`, routed as above; the bias sums (of dHg) are added here. */
export function gruStepBackward(
  act: FloatArray, a: number, hn: FloatArray, hno: number, hPrev: FloatArray, hp: number, gOut: FloatArray, go: number,
  dh: FloatArray, dXg: FloatArray, dHg: FloatArray, dOff: number, db: Float64Array, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  const f32 = act instanceof Float32Array && hn instanceof Float32Array && hPrev instanceof Float32Array && gOut instanceof Float32Array
    && dh instanceof Float32Array && dXg instanceof Float32Array && dHg instanceof Float32Array;
  if (!(f32 && wasmProductsOn() && H % 4 === 0 && N > 0 && H > 0)) {
    jsGruStepBackward(act, a, hn, hno, hPrev, hp, gOut, go, dh, dXg, dHg, dOff, db, N, H, lengths, t);
    return;
  }
  // A finished row keeps its state gradient and gets no gate gradients, as in the JS step.
  const done: number[] = [];
  if (lengths !== null) for (let b = 0; b < N; b++) if (t >= lengths[b]!) done.push(b);
  const kept = done.map((b) => dh.slice(b * H, (b + 1) * H));
  if (!gruStepBackwardWasm(act, a, hn, hno, hPrev, hp, gOut, go, dh, dXg, dHg, dOff, N, H)) {
    jsGruStepBackward(act, a, hn, hno, hPrev, hp, gOut, go, dh, dXg, dHg, dOff, db, N, H, lengths, t);
    return;
  }
  done.forEach((b, i) => {
    dh.set(kept[i]!, b * H);
    dXg.fill(0, dOff + 3 * b * H, dOff + 3 * (b + 1) * H);
    dHg.fill(0, dOff + 3 * b * H, dOff + 3 * (b + 1) * H);
  });
  addRowSums(db, dHg as Float32Array, dOff, N, 3 * H);
}
