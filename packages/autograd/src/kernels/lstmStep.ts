import type { FloatArray } from '../dtype.js';
import { wasmProductsOn } from './matmul.js';
import { lstmStep as jsStep } from './cpu/recurrentSteps.js';
import { lstmStepWasm } from './wasm/recurrent.js';

// The LSTM step the recurrent kernels run: on the wasm backend, float32 steps whose rows all take the
// step run their gate math in WebAssembly SIMD (wasm/recurrent.ts); float64, a hidden size that is not
// a multiple of 4, steps with finished rows, and the js backend run the JS step (cpu/recurrentSteps.ts).

/** Whether every row takes step t. */
function allActive(lengths: Int32Array | null, t: number): boolean {
  if (lengths === null) return true;
  for (let b = 0; b < lengths.length; b++) if (t >= lengths[b]!) return false;
  return true;
}

/** As cpu/recurrentSteps.ts's `lstmStep`, routed as above. */
export function lstmStep(
  act: FloatArray, a: number, x: FloatArray, xo: number, bias: FloatArray, cPrev: FloatArray, cp: number, c: FloatArray, co: number,
  tc: FloatArray, to: number, hPrev: FloatArray, hp: number, h: FloatArray, ho: number, N: number, H: number,
  lengths: Int32Array | null, t: number,
): void {
  const f32 = act instanceof Float32Array && x instanceof Float32Array && bias instanceof Float32Array && cPrev instanceof Float32Array
    && c instanceof Float32Array && tc instanceof Float32Array && h instanceof Float32Array;
  if (f32 && wasmProductsOn() && H % 4 === 0 && N > 0 && H > 0 && allActive(lengths, t)
    && lstmStepWasm(act, a, x, xo, bias, cPrev, cp, c, co, tc, to, h, ho, N, H)) return;
  jsStep(act, a, x, xo, bias, cPrev, cp, c, co, tc, to, hPrev, hp, h, ho, N, H, lengths, t);
}
