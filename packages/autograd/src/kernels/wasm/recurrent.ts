// The float32 LSTM and GRU steps' gate math in WebAssembly (cellModule.ts), on the GEMM instance's memory:
// the step's slices are copied in, the cell runs four hidden units at a time, and its outputs are
// copied out. The same operands and layout as the JS steps (cpu/recurrentSteps.ts).
import { align16 } from './blocks.js';
import { gemmWorkspace, releaseWorkspace } from './gemm.js';

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
  const actAt = 0;
  const xAt = actAt + align16(4 * G);
  const biasAt = xAt + align16(4 * G);
  const cPrevAt = biasAt + align16(16 * H);
  const cAt = cPrevAt + align16(4 * NH);
  const tcAt = cAt + align16(4 * NH);
  const hAt = tcAt + align16(4 * NH);
  const bytes = hAt + 4 * NH;
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  const { heap, base } = ws;
  const f = (at: number) => (base + at) >> 2;
  heap.set(act.subarray(a, a + G), f(actAt));
  heap.set(x.subarray(xo, xo + G), f(xAt));
  heap.set(bias.subarray(0, 4 * H), f(biasAt));
  heap.set(cPrev.subarray(cp, cp + NH), f(cPrevAt));
  ws.w.lstmCell(base + actAt, base + xAt, base + biasAt, base + cPrevAt, base + cAt, base + tcAt, base + hAt, N, H);
  act.set(heap.subarray(f(actAt), f(actAt) + G), a);
  c.set(heap.subarray(f(cAt), f(cAt) + NH), co);
  tc.set(heap.subarray(f(tcAt), f(tcAt) + NH), to);
  h.set(heap.subarray(f(hAt), f(hAt) + NH), ho);
  releaseWorkspace(bytes);
  return true;
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
  const actAt = 0;
  const dPreAt = actAt + align16(4 * G);
  const [cPrevAt, tcAt, gOutAt, dhAt, dcAt] = [0, 1, 2, 3, 4].map((i) => dPreAt + align16(4 * G) + i * align16(4 * NH)) as [number, number, number, number, number];
  const bytes = dcAt + 4 * NH;
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  const { heap, base } = ws;
  const f = (at: number) => (base + at) >> 2;
  heap.set(act.subarray(a, a + G), f(actAt));
  heap.set(cPrev.subarray(cp, cp + NH), f(cPrevAt));
  heap.set(tc.subarray(to, to + NH), f(tcAt));
  heap.set(gOut.subarray(go, go + NH), f(gOutAt));
  heap.set(dh.subarray(0, NH), f(dhAt));
  heap.set(dc.subarray(0, NH), f(dcAt));
  ws.w.lstmCellBackward(base + actAt, base + cPrevAt, base + tcAt, base + gOutAt, base + dhAt, base + dcAt, base + dPreAt, N, H);
  dPre.set(heap.subarray(f(dPreAt), f(dPreAt) + G), dOff);
  dh.set(heap.subarray(f(dhAt), f(dhAt) + NH));
  dc.set(heap.subarray(f(dcAt), f(dcAt) + NH));
  releaseWorkspace(bytes);
  return true;
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
  const [xAt, hgAt, actAt] = [0, 1, 2].map((i) => i * align16(4 * G)) as [number, number, number];
  const [hnAt, hPrevAt, hAt] = [0, 1, 2].map((i) => 3 * align16(4 * G) + i * align16(4 * NH)) as [number, number, number];
  const bytes = hAt + 4 * NH;
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  const { heap, base } = ws;
  const f = (at: number) => (base + at) >> 2;
  heap.set(x.subarray(xo, xo + G), f(xAt));
  heap.set(hg.subarray(0, G), f(hgAt));
  heap.set(hPrev.subarray(hp, hp + NH), f(hPrevAt));
  ws.w.gruCell(base + xAt, base + hgAt, base + actAt, base + hnAt, base + hPrevAt, base + hAt, N, H);
  act.set(heap.subarray(f(actAt), f(actAt) + G), a);
  hn.set(heap.subarray(f(hnAt), f(hnAt) + NH), hno);
  h.set(heap.subarray(f(hAt), f(hAt) + NH), ho);
  releaseWorkspace(bytes);
  return true;
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
  const [actAt, dXgAt, dHgAt] = [0, 1, 2].map((i) => i * align16(4 * G)) as [number, number, number];
  const [hnAt, hPrevAt, gOutAt, dhAt] = [0, 1, 2, 3].map((i) => 3 * align16(4 * G) + i * align16(4 * NH)) as [number, number, number, number];
  const bytes = dhAt + 4 * NH;
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  const { heap, base } = ws;
  const f = (at: number) => (base + at) >> 2;
  heap.set(act.subarray(a, a + G), f(actAt));
  heap.set(hn.subarray(hno, hno + NH), f(hnAt));
  heap.set(hPrev.subarray(hp, hp + NH), f(hPrevAt));
  heap.set(gOut.subarray(go, go + NH), f(gOutAt));
  heap.set(dh.subarray(0, NH), f(dhAt));
  ws.w.gruCellBackward(base + actAt, base + hnAt, base + hPrevAt, base + gOutAt, base + dhAt, base + dXgAt, base + dHgAt, N, H);
  dXg.set(heap.subarray(f(dXgAt), f(dXgAt) + G), dOff);
  dHg.set(heap.subarray(f(dHgAt), f(dHgAt) + G), dOff);
  dh.set(heap.subarray(f(dhAt), f(dhAt) + NH));
  releaseWorkspace(bytes);
  return true;
}
