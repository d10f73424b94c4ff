import type { FloatArray } from '../dtype.js';
import { wasmProductsOn } from './matmul.js';
import { lstmStep as jsStep } from './cpu/recurrentSteps.js';
import { lstmStepWasm } from './wasm/recurrent.js';

// The LSTM step the recurrent kernels run: on the wasm backend, float32 steps run their gate math in
// WebAssembly SIMD (wasm/recurrent.ts) for every row, then rows whose sequence has ended take their
// state back, so a row's values never depend on the other rows' lengths. Float64, a hidden size that
// is not a multiple of 4, and the js backend run the JS step (cpu/recurrentSteps.ts).

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
