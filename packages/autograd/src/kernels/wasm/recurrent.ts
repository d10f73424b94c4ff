// The float32 LSTM and GRU steps' gate math in WebAssembly (cellModule.ts), on the GEMM instance's memory:
// the step's slices are copied in, the cell runs four hidden units at a time, and its outputs are
// copied out. The same operands and layout as the JS steps (cpu/recurrentSteps.ts).
import { inWasm } from './regions.js';

/**
 * As `lstmStep` without finished rows: act at `a` holds the recurrent product [N, 4H] and becomes the
 * activations; x at xo [N, 4H] and bias [4H] add in; c, tc and h [N, H] are written at their offsets
 * from cPrev at cp. H must be a multiple of 4. False (nothing written) when wasm cannot run it.
 */
export function lstmStepWasm(
  act: Float32Array, a: number, x: Float32Array, xo: number, bias: Float32Array, cPrev: Float32Array, cp: number,
  c: Float32Array, co: number, tc: Float32Array, to: number, h: Float32Array, ho: number, N: number, H: number,
): boolean {
  const [G, NH] = [4 * N * H, N * H];
  return inWasm(
    [[act, a, G, 'inout'], [x, xo, G, 'in'], [bias, 0, 4 * H, 'in'], [cPrev, cp, NH, 'in'], [c, co, NH, 'out'], [tc, to, NH, 'out'], [h, ho, NH, 'out']],
    (w, [pAct, pX, pBias, pCPrev, pC, pTc, pH]) => w.lstmCell(pAct!, pX!, pBias!, pCPrev!, pC!, pTc!, pH!, N, H),
  );
}

/**
 * As `lstmStepBackward` for every row and without the bias sums: from act at `a` [N, 4H], cPrev at cp,
 * tc at `to` and the output gradient gOut at go (each [N, H]), and dh, dc [N, H] (from 0), writes dPre
 * [N, 4H] at dOff, makes dc the gradient of cPrev and zeroes dh. H must be a multiple of 4. False
 * (nothing written) when wasm cannot run it.
 */
export function lstmStepBackwardWasm(
  act: Float32Array, a: number, cPrev: Float32Array, cp: number, tc: Float32Array, to: number, gOut: Float32Array, go: number,
  dh: Float32Array, dc: Float32Array, dPre: Float32Array, dOff: number, N: number, H: number,
): boolean {
  const [G, NH] = [4 * N * H, N * H];
  return inWasm(
    [[act, a, G, 'in'], [cPrev, cp, NH, 'in'], [tc, to, NH, 'in'], [gOut, go, NH, 'in'], [dh, 0, NH, 'inout'], [dc, 0, NH, 'inout'], [dPre, dOff, G, 'out']],
    (w, [pAct, pCPrev, pTc, pGOut, pDh, pDc, pDPre]) => w.lstmCellBackward(pAct!, pCPrev!, pTc!, pGOut!, pDh!, pDc!, pDPre!, N, H),
  );
}

/**
 * As `gruStep` for every row: x at xo and hg [N, 3H] (the two projections) → act at `a` [N, 3H], hn at
 * hno and h at ho [N, H], from hPrev at hp. H must be a multiple of 4. False (nothing written) when
 * wasm cannot run it.
 */
export function gruStepWasm(
  x: Float32Array, xo: number, hg: Float32Array, act: Float32Array, a: number, hn: Float32Array, hno: number,
  hPrev: Float32Array, hp: number, h: Float32Array, ho: number, N: number, H: number,
): boolean {
  const [G, NH] = [3 * N * H, N * H];
  return inWasm(
    [[x, xo, G, 'in'], [hg, 0, G, 'in'], [act, a, G, 'out'], [hn, hno, NH, 'out'], [hPrev, hp, NH, 'in'], [h, ho, NH, 'out']],
    (w, [pX, pHg, pAct, pHn, pHPrev, pH]) => w.gruCell(pX!, pHg!, pAct!, pHn!, pHPrev!, pH!, N, H),
  );
}

/**
 * As `gruStepBackward` for every row and without the bias sums: from act at `a` [N, 3H], hn at hno,
 * hPrev at hp and gOut at go [N, H], and dh [N, H] (from 0), writes dXg and dHg [N, 3H] at dOff and makes
 * dh = (dh + gOut)·z. H must be a multiple of 4. False (nothing written) when wasm cannot run it.
 */
export function gruStepBackwardWasm(
  act: Float32Array, a: number, hn: Float32Array, hno: number, hPrev: Float32Array, hp: number, gOut: Float32Array, go: number,
  dh: Float32Array, dXg: Float32Array, dHg: Float32Array, dOff: number, N: number, H: number,
): boolean {
  const [G, NH] = [3 * N * H, N * H];
  return inWasm(
    [[act, a, G, 'in'], [hn, hno, NH, 'in'], [hPrev, hp, NH, 'in'], [gOut, go, NH, 'in'], [dh, 0, NH, 'inout'], [dXg, dOff, G, 'out'], [dHg, dOff, G, 'out']],
    (w, [pAct, pHn, pHPrev, pGOut, pDh, pDXg, pDHg]) => w.gruCellBackward(pAct!, pHn!, pHPrev!, pGOut!, pDh!, pDXg!, pDHg!, N, H),
  );
}
