import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gruStep as jsGru, gruStepBackward as jsGruBackward, lstmStep as jsStep, lstmStepBackward as jsStepBackward } from '../../src/kernels/cpu/recurrentSteps.js';
import { gruStep, gruStepBackward, lstmStep, lstmStepBackward } from '../../src/kernels/cellSteps.js';
import { gruStepBackwardWasm, gruStepWasm, lstmStepBackwardWasm, lstmStepWasm } from '../../src/kernels/wasm/recurrent.js';
import { useWasmProducts } from '../../src/kernels/matmul.js';
import { wasmGemmSupported } from '../../src/kernels/wasm/gemm.js';

// The wasm LSTM and GRU steps' gate math (float32 SIMD exp, sigmoid and tanh) against the JS steps (float64
// arithmetic rounded once): within a few float32 ulps, and exactly where the JS step is exact (NaN,
// saturation). Past |v| ≈ 87 its exp is clamped, so a sigmoid tail below 1.2e-38 (under float32's
// smallest normal) reads as that instead of a subnormal.

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 1e-4, -1e-4, 0.124, 0.126, -0.126, 20, -20, 88, -88, 100, -100, 1e10];

const value = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0.01, 1, 5, 30)).map(([v, s]) => Math.fround(v * s)) },
  { weight: 1, arbitrary: fc.constantFrom(...SPECIAL).map(Math.fround) },
);
const step = fc.record({ N: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 8 }).map((q) => 4 * q) }).chain(({ N, H }) =>
  fc.record({
    N: fc.constant(N), H: fc.constant(H),
    act: fc.array(value, { minLength: 4 * N * H, maxLength: 4 * N * H }),
    x: fc.array(value, { minLength: 4 * N * H, maxLength: 4 * N * H }),
    bias: fc.array(value, { minLength: 4 * H, maxLength: 4 * H }),
    cPrev: fc.array(value, { minLength: N * H, maxLength: N * H }),
  }));

type Step = { N: number; H: number; act: number[]; x: number[]; bias: number[]; cPrev: number[] };

/** A step's arrays, each inside a longer buffer at its own offset (as the layers' whole-sequence buffers), NaN around it. */
interface Buffers {
  act: Float32Array; x: Float32Array; bias: Float32Array; cPrev: Float32Array; c: Float32Array; tc: Float32Array; h: Float32Array; hPrev: Float32Array;
}
const AT = { act: 5, x: 7, cPrev: 3, c: 11, tc: 2, h: 9, hPrev: 6 };

/** Runs one step with `run` on fresh buffers; returns act, c, tc and h (the step's parts of them). */
function outputs(s: Step, run: (b: Buffers) => void, hPrev: number[] = []): Float32Array[] {
  const [G, NH] = [4 * s.N * s.H, s.N * s.H];
  const place = (values: number[] | number, at: number) => {
    const n = typeof values === 'number' ? values : values.length;
    const buffer = new Float32Array(at + n + 5).fill(NaN);
    if (typeof values === 'number') buffer.fill(0, at, at + n);
    else buffer.set(values, at);
    return buffer;
  };
  const b: Buffers = {
    act: place(s.act, AT.act), x: place(s.x, AT.x), bias: Float32Array.from(s.bias), cPrev: place(s.cPrev, AT.cPrev),
    c: place(NH, AT.c), tc: place(NH, AT.tc), h: place(NH, AT.h), hPrev: place(hPrev.length > 0 ? hPrev : NH, AT.hPrev),
  };
  run(b);
  // Nothing outside the step's slices is written: the NaN around them stays.
  for (const [buffer, at, n] of [[b.act, AT.act, G], [b.c, AT.c, NH], [b.tc, AT.tc, NH], [b.h, AT.h, NH]] as const) {
    expect([...buffer.subarray(0, at), ...buffer.subarray(at + n)].every(Number.isNaN)).toBe(true);
  }
  return [b.act.slice(AT.act, AT.act + G), b.c.slice(AT.c, AT.c + NH), b.tc.slice(AT.tc, AT.tc + NH), b.h.slice(AT.h, AT.h + NH)];
}

/** The JS step on `b` at step t. */
const jsOn = (s: Step, b: Buffers, lengths: Int32Array | null = null, t = 0) =>
  jsStep(b.act, AT.act, b.x, AT.x, b.bias, b.cPrev, AT.cPrev, b.c, AT.c, b.tc, AT.tc, b.hPrev, AT.hPrev, b.h, AT.h, s.N, s.H, lengths, t);
/** The wasm step on `b`. */
const wasmOn = (s: Step, b: Buffers) =>
  expect(lstmStepWasm(b.act, AT.act, b.x, AT.x, b.bias, b.cPrev, AT.cPrev, b.c, AT.c, b.tc, AT.tc, b.h, AT.h, s.N, s.H)).toBe(true);
/** The routed step (what the recurrent kernels call) on `b` at step t. */
const routedOn = (s: Step, b: Buffers, lengths: Int32Array | null = null, t = 0) =>
  lstmStep(b.act, AT.act, b.x, AT.x, b.bias, b.cPrev, AT.cPrev, b.c, AT.c, b.tc, AT.tc, b.hPrev, AT.hPrev, b.h, AT.h, s.N, s.H, lengths, t);

/** Whether `got` is `want`, or a finite value within `tol` of it. */
const within = (got: number, want: number, tol: number) =>
  Number.isNaN(want) ? Number.isNaN(got) : got === want || Math.abs(got - want) <= tol;

const js = (s: Step) => outputs(s, (b) => jsOn(s, b));
const wasm = (s: Step) => outputs(s, (b) => wasmOn(s, b));

describe.skipIf(!wasmGemmSupported())('the wasm LSTM step', () => {
  afterEach(() => useWasmProducts(true));

  it("gives the JS step's activations, cell and hidden state within a few float32 ulps, NaN and infinities included", () => {
    // The pre-activations summed in float32 first (the JS step sums in float64), so only the gate math differs.
    const summed = step.map((s): Step => ({
      ...s,
      act: s.act.map((a, i) => Math.fround(Math.fround(a + s.x[i]!) + s.bias[i % (4 * s.H)]!)),
      x: s.x.map(() => 0),
      bias: s.bias.map(() => 0),
    }));
    fc.assert(
      fc.property(summed, (s) => {
        const [want, got] = [js(s), wasm(s)];
        const [act, c, tc, h] = want as [Float32Array, Float32Array, Float32Array, Float32Array];
        for (let i = 0; i < act.length; i++) {
          if (!within(got[0]![i]!, act[i]!, 8e-7 * Math.abs(act[i]!) + 1.2e-38)) expect.fail(`act[${i}]: ${got[0]![i]} on wasm, ${act[i]} in JS`);
        }
        for (let b = 0; b < s.N; b++) {
          for (let j = 0; j < s.H; j++) {
            const [q, p] = [b * s.H + j, 4 * b * s.H + j];
            const [ig, fg, gg, og] = [act[p]!, act[p + s.H]!, act[p + 2 * s.H]!, act[p + 3 * s.H]!];
            // c's terms round once more each in float32, and a gate's clamped tail (under 1.2e-38) scales
            // by what it multiplies; tanh moves c's error at most one for one.
            // An infinite cPrev makes c infinite (or NaN) on both: then only equality passes.
            const cp = s.cPrev[q]!;
            const dc = Number.isFinite(cp) ? 1e-6 * (Math.abs(fg * cp) + Math.abs(ig * gg)) + 1.2e-38 * (Math.abs(cp) + 1) + 1e-44 : 0;
            const dtc = dc + 8e-7 * Math.abs(tc[q]!);
            for (const [k, w, tol] of [[1, c[q]!, dc], [2, tc[q]!, dtc], [3, h[q]!, Math.abs(og) * dtc + 8e-7 * Math.abs(h[q]!) + 1e-37]] as const) {
              if (!within(got[k]![q]!, w, tol)) expect.fail(`output ${k}[${q}]: ${got[k]![q]} on wasm, ${w} in JS (N ${s.N}, H ${s.H})`);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('sums the recurrent product, the input projection and the bias as the JS step does, up to float32 rounding', () => {
    fc.assert(
      fc.property(step, (s) => {
        const [want, got] = [js(s)[0]!, wasm(s)[0]!];
        for (let i = 0; i < want.length; i++) {
          // The float32 sum's rounding, at most 2^-23 of its terms' magnitudes twice, moves σ by at most σ·δ and tanh by (1 − tanh²)·δ.
          const d = 2 ** -22 * (Math.abs(s.act[i]!) + Math.abs(s.x[i]!) + Math.abs(s.bias[i % (4 * s.H)]!));
          const w = want[i]!;
          // An infinite term saturates both (up to the clamped tail).
          const tol = Number.isFinite(d) ? (8e-7 + d) * Math.abs(w) + d * (1 - w * w) + 1.2e-38 : 1.2e-38;
          if (!within(got[i]!, w, tol)) expect.fail(`act[${i}]: ${got[i]} on wasm, ${w} in JS`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is what the recurrent kernels run on the wasm backend, finished rows keeping their state; other hidden sizes and the js backend run the JS step", () => {
    const fill = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed + i) * 3));
    const s: Step = { N: 2, H: 8, act: fill(64, 1), x: fill(64, 2), bias: fill(32, 3), cPrev: fill(16, 4) };
    const hPrev = fill(16, 5);
    const [jsOut, wasmOut] = [js(s), wasm(s)];
    expect(jsOut).not.toEqual(wasmOut); // the two differ in the last bits, so the routes can be told apart
    expect(outputs(s, (b) => routedOn(s, b))).toEqual(wasmOut);
    expect(outputs(s, (b) => routedOn(s, b, Int32Array.from([5, 5]), 1))).toEqual(wasmOut);
    // Row 1 has ended at step 1: it keeps hPrev and cPrev; row 0 is what it is in a full batch, bit for bit.
    const [, c, , h] = outputs(s, (b) => routedOn(s, b, Int32Array.from([5, 1]), 1), hPrev);
    expect(Array.from(h!.subarray(0, 8))).toEqual(Array.from(wasmOut[3]!.subarray(0, 8)));
    expect(Array.from(c!.subarray(0, 8))).toEqual(Array.from(wasmOut[1]!.subarray(0, 8)));
    expect(Array.from(h!.subarray(8))).toEqual(hPrev.slice(8));
    expect(Array.from(c!.subarray(8))).toEqual(s.cPrev.slice(8));
    // A hidden size of 6 is not whole vectors: the JS step.
    const six: Step = { N: 2, H: 6, act: fill(48, 1), x: fill(48, 2), bias: fill(24, 3), cPrev: fill(12, 4) };
    expect(outputs(six, (b) => routedOn(six, b))).toEqual(js(six));
    useWasmProducts(false);
    expect(outputs(s, (b) => routedOn(s, b))).toEqual(jsOut);
  });

  // The backward: activations in their ranges, state and output gradients moderate or NaN.
  const unit = (lo: number) => fc.oneof({ weight: 9, arbitrary: fc.double({ min: lo, max: 1, noNaN: true }).map(Math.fround) }, { weight: 1, arbitrary: fc.constant(NaN) });
  const moderate = fc.oneof(
    { weight: 9, arbitrary: fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(0.01, 1, 30)).map(([v, k]) => Math.fround(v * k)) },
    { weight: 1, arbitrary: fc.constantFrom(NaN, 0) },
  );
  const back = fc.record({ N: fc.integer({ min: 1, max: 6 }), H: fc.integer({ min: 1, max: 6 }).map((q) => 4 * q) }).chain(({ N, H }) => {
    const n = (k: number, arb: fc.Arbitrary<number>) => fc.array(arb, { minLength: k, maxLength: k });
    return fc.record({
      N: fc.constant(N), H: fc.constant(H), act: n(4 * N * H, unit(0)), tc: n(N * H, unit(-1)),
      cPrev: n(N * H, moderate), gOut: n(N * H, moderate), dh: n(N * H, moderate), dc: n(N * H, moderate),
    });
  });
  type Back = { N: number; H: number; act: number[]; tc: number[]; cPrev: number[]; gOut: number[]; dh: number[]; dc: number[] };
  const BAT = { act: 3, cPrev: 6, tc: 2, gOut: 5, dPre: 7 };
  /** Runs one backward step with `run`; returns dPre, dh, dc and the bias sums. */
  function backOutputs(s: Back, run: (b: Record<'act' | 'cPrev' | 'tc' | 'gOut' | 'dh' | 'dc' | 'dPre', Float32Array>, db: Float64Array) => void): [Float32Array, Float32Array, Float32Array, Float64Array] {
    const place = (values: number[], at: number) => {
      const buffer = new Float32Array(at + values.length + 3).fill(NaN);
      buffer.set(values, at);
      return buffer;
    };
    const b = {
      act: place(s.act, BAT.act), cPrev: place(s.cPrev, BAT.cPrev), tc: place(s.tc, BAT.tc), gOut: place(s.gOut, BAT.gOut),
      dh: Float32Array.from(s.dh), dc: Float32Array.from(s.dc), dPre: place(new Array<number>(4 * s.N * s.H).fill(0), BAT.dPre),
    };
    const db = new Float64Array(4 * s.H).fill(0.5);
    run(b, db);
    const end = BAT.dPre + 4 * s.N * s.H;
    expect([...b.dPre.subarray(0, BAT.dPre), ...b.dPre.subarray(end)].every(Number.isNaN)).toBe(true); // nothing written outside
    return [b.dPre.slice(BAT.dPre, end), b.dh, b.dc, db];
  }
  const jsBack = (s: Back, lengths: Int32Array | null = null, t = 0) => backOutputs(s, (b, db) =>
    jsStepBackward(b.act, BAT.act, b.cPrev, BAT.cPrev, b.tc, BAT.tc, b.gOut, BAT.gOut, b.dh, b.dc, b.dPre, BAT.dPre, db, s.N, s.H, lengths, t));
  const routedBack = (s: Back, lengths: Int32Array | null = null, t = 0) => backOutputs(s, (b, db) =>
    lstmStepBackward(b.act, BAT.act, b.cPrev, BAT.cPrev, b.tc, BAT.tc, b.gOut, BAT.gOut, b.dh, b.dc, b.dPre, BAT.dPre, db, s.N, s.H, lengths, t));

  it("backward: gives the JS step's gate gradients, state gradients and bias sums up to float32 rounding", () => {
    fc.assert(
      fc.property(back, (s) => {
        const want = jsBack(s);
        const wasmOnly = backOutputs(s, (b) => expect(lstmStepBackwardWasm(b.act, BAT.act, b.cPrev, BAT.cPrev, b.tc, BAT.tc, b.gOut, BAT.gOut, b.dh, b.dc, b.dPre, BAT.dPre, s.N, s.H)).toBe(true));
        const got = routedBack(s);
        expect(got.slice(0, 3)).toEqual(wasmOnly.slice(0, 3)); // the wasm backend runs the wasm step
        const { N, H } = s;
        for (let r = 0; r < N; r++) {
          for (let j = 0; j < H; j++) {
            const [q, p] = [r * H + j, 4 * r * H + j];
            const [i, f, g, o, t] = [s.act[p]!, s.act[p + H]!, s.act[p + 2 * H]!, s.act[p + 3 * H]!, s.tc[q]!];
            // dcv = dc + (dh + gOut)·o·(1 − t²), each term rounded in float32: its error is relative to the terms' size.
            const gh = Math.abs(s.dh[q]!) + Math.abs(s.gOut[q]!);
            const ddc = 1e-6 * (Math.abs(s.dc[q]!) + gh * Math.abs(o * (1 - t * t))) + 1e-38;
            const checks: [number, number, number][] = [
              [got[0][p]!, want[0][p]!, ddc * Math.abs(g * i * (1 - i))],
              [got[0][p + H]!, want[0][p + H]!, ddc * Math.abs(s.cPrev[q]! * f * (1 - f))],
              [got[0][p + 2 * H]!, want[0][p + 2 * H]!, ddc * Math.abs(i * (1 - g * g))],
              [got[0][p + 3 * H]!, want[0][p + 3 * H]!, 1e-6 * gh * Math.abs(t * o * (1 - o))],
              [got[2][q]!, want[2][q]!, ddc * Math.abs(f)],
            ];
            for (const [a, w, tol] of checks) {
              if (!within(a, w, tol + 1e-6 * Math.abs(w) + 1e-38)) expect.fail(`row ${r} unit ${j}: ${a} on wasm, ${w} in JS (tolerance ${tol})`);
            }
            expect(got[1][q]).toBe(0);
          }
        }
        // The bias sums add the same gate gradients: within what those differ by, summed, and the JS
        // step's float32 rounding of each (it adds the float64 values, the routed step the stored ones).
        for (let j = 0; j < 4 * H; j++) {
          let tol = 1e-12;
          for (let r = 0; r < N; r++) tol += Math.abs(got[0][4 * r * H + j]! - want[0][4 * r * H + j]!) * 1.0001 + 1e-7 * Math.abs(want[0][4 * r * H + j]!);
          if (!within(got[3][j]!, want[3][j]!, tol)) expect.fail(`db[${j}]: ${got[3][j]} routed, ${want[3][j]} in JS`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('backward: a finished row keeps its state gradients and adds nothing to the gate gradients or the bias sums; the others are as in a full batch', () => {
    const wave = (n: number, seed: number, lo: number) => Array.from({ length: n }, (_, i) => Math.fround(lo + (1 - lo) * (0.5 + 0.5 * Math.sin(seed + i))));
    const s: Back = { N: 3, H: 4, act: wave(48, 1, 0), tc: wave(12, 2, -1), cPrev: wave(12, 3, -2), gOut: wave(12, 4, -2), dh: wave(12, 5, -2), dc: wave(12, 6, -2) };
    const full = routedBack(s, Int32Array.from([5, 5, 5]), 2);
    const [dPre, dh, dc, db] = routedBack(s, Int32Array.from([5, 2, 5]), 2);
    expect(Array.from(dPre.subarray(16, 32))).toEqual(new Array(16).fill(0));
    expect(Array.from(dh.subarray(4, 8))).toEqual(s.dh.slice(4, 8));
    expect(Array.from(dc.subarray(4, 8))).toEqual(s.dc.slice(4, 8));
    for (const r of [0, 2]) {
      expect(Array.from(dPre.subarray(16 * r, 16 * (r + 1)))).toEqual(Array.from(full[0].subarray(16 * r, 16 * (r + 1))));
      expect(Array.from(dc.subarray(4 * r, 4 * (r + 1)))).toEqual(Array.from(full[2].subarray(4 * r, 4 * (r + 1))));
    }
    const sums = Array.from({ length: 16 }, (_, j) => 0.5 + dPre[j]! + dPre[32 + j]!);
    Array.from(db).forEach((v, j) => expect(Math.abs(v - sums[j]!)).toBeLessThanOrEqual(1e-12));
    useWasmProducts(false);
    expect(routedBack(s)).toEqual(jsBack(s));
  });
});

describe.skipIf(!wasmGemmSupported())('the wasm GRU step', () => {
  afterEach(() => useWasmProducts(true));

  const gru = fc.record({ N: fc.integer({ min: 1, max: 5 }), H: fc.integer({ min: 1, max: 6 }).map((q) => 4 * q) }).chain(({ N, H }) => {
    const n = (k: number, arb: fc.Arbitrary<number>) => fc.array(arb, { minLength: k, maxLength: k });
    const unit = (lo: number) => fc.oneof({ weight: 9, arbitrary: fc.double({ min: lo, max: 1, noNaN: true }).map(Math.fround) }, { weight: 1, arbitrary: fc.constant(NaN) });
    return fc.record({
      N: fc.constant(N), H: fc.constant(H),
      x: n(3 * N * H, value), hg: n(3 * N * H, value), hPrev: n(N * H, value),
      act: n(3 * N * H, unit(0)).map((a) => a.map((v, i) => (Math.floor(i / H) % 3 === 2 ? Math.fround(2 * v - 1) : v))), // r, z in [0, 1], n in [-1, 1]
      hn: n(N * H, value), gOut: n(N * H, value), dh: n(N * H, value),
    });
  });
  type Gru = { N: number; H: number; x: number[]; hg: number[]; hPrev: number[]; act: number[]; hn: number[]; gOut: number[]; dh: number[] };
  const GAT = { x: 4, act: 3, hn: 6, hPrev: 2, h: 5, gOut: 7, d: 1 };
  const place = (values: number[] | number, at: number) => {
    const k = typeof values === 'number' ? values : values.length;
    const buffer = new Float32Array(at + k + 3).fill(NaN);
    if (typeof values === 'number') buffer.fill(0, at, at + k);
    else buffer.set(values, at);
    return buffer;
  };

  /** The forward on fresh buffers: act, hn and h. */
  function forward(s: Gru, step: 'js' | 'wasm' | 'routed', lengths: Int32Array | null = null, t = 0): Float32Array[] {
    const [G, NH] = [3 * s.N * s.H, s.N * s.H];
    const [x, hg, act, hn, hPrev, h] = [place(s.x, GAT.x), Float32Array.from(s.hg), place(G, GAT.act), place(NH, GAT.hn), place(s.hPrev, GAT.hPrev), place(NH, GAT.h)];
    if (step === 'wasm') expect(gruStepWasm(x, GAT.x, hg, act, GAT.act, hn, GAT.hn, hPrev, GAT.hPrev, h, GAT.h, s.N, s.H)).toBe(true);
    else (step === 'js' ? jsGru : gruStep)(x, GAT.x, hg, act, GAT.act, hn, GAT.hn, hPrev, GAT.hPrev, h, GAT.h, s.N, s.H, lengths, t);
    return [act.slice(GAT.act, GAT.act + G), hn.slice(GAT.hn, GAT.hn + NH), h.slice(GAT.h, GAT.h + NH)];
  }

  /** The backward on fresh buffers: dXg, dHg, dh and the bias sums. */
  function backward(s: Gru, step: 'js' | 'wasm' | 'routed', lengths: Int32Array | null = null, t = 0): [Float32Array, Float32Array, Float32Array, Float64Array] {
    const G = 3 * s.N * s.H;
    const [act, hn, hPrev, gOut, dh] = [place(s.act, GAT.act), place(s.hn, GAT.hn), place(s.hPrev, GAT.hPrev), place(s.gOut, GAT.gOut), Float32Array.from(s.dh)];
    const [dXg, dHg] = [place(G, GAT.d), place(G, GAT.d)];
    const db = new Float64Array(3 * s.H).fill(0.5);
    if (step === 'wasm') expect(gruStepBackwardWasm(act, GAT.act, hn, GAT.hn, hPrev, GAT.hPrev, gOut, GAT.gOut, dh, dXg, dHg, GAT.d, s.N, s.H)).toBe(true);
    else (step === 'js' ? jsGruBackward : gruStepBackward)(act, GAT.act, hn, GAT.hn, hPrev, GAT.hPrev, gOut, GAT.gOut, dh, dXg, dHg, GAT.d, db, s.N, s.H, lengths, t);
    return [dXg.slice(GAT.d, GAT.d + G), dHg.slice(GAT.d, GAT.d + G), dh, db];
  }

  it("forward: gives the JS step's gates and state up to float32 rounding of its sums, NaN and infinities included", () => {
    fc.assert(
      fc.property(gru, (s) => {
        const [want, got] = [forward(s, 'js'), forward(s, 'wasm')];
        expect(forward(s, 'routed')).toEqual(got);
        const { N, H } = s;
        for (let b = 0; b < N; b++) {
          for (let j = 0; j < H; j++) {
            const [q, p] = [b * H + j, 3 * b * H + j];
            const sum = (k: number) => 2 ** -22 * (Math.abs(s.x[p + k * H]!) + Math.abs(s.hg[p + k * H]!));
            // n's pre-activation x_n + r·h_n: its terms' rounding, and r's own error times h_n.
            const dr = Math.abs(got[0]![p]! - want[0]![p]!);
            const d = [sum(0), sum(1), 2 ** -21 * (Math.abs(s.x[p + 2 * H]!) + Math.abs(s.hg[p + 2 * H]!)) + (Number.isFinite(dr) ? dr : 0) * Math.abs(s.hg[p + 2 * H]!)];
            for (let k = 0; k < 3; k++) {
              const w = want[0]![p + k * H]!;
              const tol = Number.isFinite(d[k]!) ? (8e-7 + d[k]!) * Math.abs(w) + d[k]! * (1 - w * w) + 1.2e-38 : 1.2e-38;
              if (!within(got[0]![p + k * H]!, w, tol)) expect.fail(`gate ${k} of row ${b} unit ${j}: ${got[0]![p + k * H]} on wasm, ${w} in JS`);
            }
            expect(Object.is(got[1]![q], want[1]![q]) || got[1]![q] === want[1]![q]).toBe(true);
            // h = (1 − z)·n + z·hPrev: the gates' own differences carried through (the JS step uses them
            // before their float32 rounding, half an ulp more), and three roundings.
            const [z, n, hp] = [want[0]![p + H]!, want[0]![p + 2 * H]!, s.hPrev[q]!];
            const [dz, dn] = [Math.abs(got[0]![p + H]! - z) + 2 ** -24 * Math.abs(z), Math.abs(got[0]![p + 2 * H]! - n) + 2 ** -24 * Math.abs(n)];
            // (A clamped sigmoid tail, under 1.2e-38, scales by hPrev.)
            // Scaled by wasm's own h too: where the tail makes its n far larger than JS's, h rounds at that size.
            const tol = dn * Math.abs(1 - z) + (dz + 1.2e-38) * (Math.abs(hp) + Math.abs(n)) + 4e-7 * (Math.abs((1 - z) * n) + Math.abs(z * hp))
              + 2 ** -23 * Math.abs(got[2]![q]!) + 1e-38;
            if (!within(got[2]![q]!, want[2]![q]!, Number.isFinite(tol) ? tol : 0)) expect.fail(`h of row ${b} unit ${j}: ${got[2]![q]} on wasm, ${want[2]![q]} in JS`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("backward: gives the JS step's projection gradients, state gradient and bias sums up to float32 rounding", () => {
    fc.assert(
      fc.property(gru, (s) => {
        const [want, got] = [backward(s, 'js'), backward(s, 'routed')];
        expect(got.slice(0, 3)).toEqual(backward(s, 'wasm').slice(0, 3));
        const { N, H } = s;
        for (let b = 0; b < N; b++) {
          for (let j = 0; j < H; j++) {
            const [q, p] = [b * H + j, 3 * b * H + j];
            const [r, z, n] = [s.act[p]!, s.act[p + H]!, s.act[p + 2 * H]!];
            const gh = Math.abs(s.dh[q]!) + Math.abs(s.gOut[q]!);
            const ddn = 1e-6 * gh * Math.abs((1 - z) * (1 - n * n)) + 1e-38;
            const checks: [number, number, number][] = [
              [got[0][p]!, want[0][p]!, ddn * Math.abs(s.hn[q]! * r * (1 - r))],
              [got[0][p + H]!, want[0][p + H]!, 1e-6 * gh * (Math.abs(s.hPrev[q]!) + Math.abs(n)) * Math.abs(z * (1 - z))],
              [got[0][p + 2 * H]!, want[0][p + 2 * H]!, ddn],
              [got[1][p]!, want[1][p]!, ddn * Math.abs(s.hn[q]! * r * (1 - r))],
              [got[1][p + H]!, want[1][p + H]!, 1e-6 * gh * (Math.abs(s.hPrev[q]!) + Math.abs(n)) * Math.abs(z * (1 - z))],
              [got[1][p + 2 * H]!, want[1][p + 2 * H]!, ddn * Math.abs(r)],
              [got[2][q]!, want[2][q]!, 1e-6 * gh * Math.abs(z)],
            ];
            for (const [a, w, tol] of checks) {
              const t = Number.isFinite(tol) ? tol + 1e-6 * Math.abs(w) + 1e-38 : 0;
              if (!within(a, w, t)) expect.fail(`row ${b} unit ${j}: ${a} routed, ${w} in JS (tolerance ${t})`);
            }
          }
        }
        for (let j = 0; j < 3 * H; j++) {
          let tol = 1e-12;
          for (let b = 0; b < N; b++) tol += Math.abs(got[1][3 * b * H + j]! - want[1][3 * b * H + j]!) * 1.0001 + 1e-7 * Math.abs(want[1][3 * b * H + j]!);
          if (!within(got[3][j]!, want[3][j]!, Number.isFinite(tol) ? tol : 0)) expect.fail(`db[${j}]: ${got[3][j]} routed, ${want[3][j]} in JS`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a finished row keeps its state (and state gradient) and adds no gradients; other hidden sizes and the js backend run the JS step', () => {
    const wave = (k: number, seed: number, lo = -2) => Array.from({ length: k }, (_, i) => Math.fround(lo + (1 - lo) * (0.5 + 0.5 * Math.sin(seed + i))));
    const s: Gru = { N: 3, H: 4, x: wave(36, 1), hg: wave(36, 2), hPrev: wave(12, 3), act: wave(36, 4, 0), hn: wave(12, 5), gOut: wave(12, 6), dh: wave(12, 7) };
    const lengths = Int32Array.from([5, 2, 5]);
    const [full, ragged] = [forward(s, 'routed', Int32Array.from([5, 5, 5]), 2), forward(s, 'routed', lengths, 2)];
    expect(Array.from(ragged[2]!.subarray(4, 8))).toEqual(s.hPrev.slice(4, 8));
    for (const r of [0, 2]) expect(Array.from(ragged[2]!.subarray(4 * r, 4 * r + 4))).toEqual(Array.from(full[2]!.subarray(4 * r, 4 * r + 4)));
    const [fullB, raggedB] = [backward(s, 'routed', Int32Array.from([5, 5, 5]), 2), backward(s, 'routed', lengths, 2)];
    expect(Array.from(raggedB[0].subarray(12, 24))).toEqual(new Array(12).fill(0));
    expect(Array.from(raggedB[1].subarray(12, 24))).toEqual(new Array(12).fill(0));
    expect(Array.from(raggedB[2].subarray(4, 8))).toEqual(s.dh.slice(4, 8));
    for (const r of [0, 2]) {
      for (const k of [0, 1]) expect(Array.from(raggedB[k]!.subarray(12 * r, 12 * r + 12))).toEqual(Array.from(fullB[k]!.subarray(12 * r, 12 * r + 12)));
      expect(Array.from(raggedB[2].subarray(4 * r, 4 * r + 4))).toEqual(Array.from(fullB[2].subarray(4 * r, 4 * r + 4)));
    }
    Array.from(raggedB[3]).forEach((v, j) => expect(Math.abs(v - (0.5 + raggedB[1][j]! + raggedB[1][24 + j]!))).toBeLessThanOrEqual(1e-12));
    const six: Gru = { N: 2, H: 6, x: wave(36, 1), hg: wave(36, 2), hPrev: wave(12, 3), act: wave(36, 4, 0), hn: wave(12, 5), gOut: wave(12, 6), dh: wave(12, 7) };
    expect(forward(six, 'routed')).toEqual(forward(six, 'js'));
    expect(backward(six, 'routed')).toEqual(backward(six, 'js'));
    useWasmProducts(false);
    expect(forward(s, 'routed')).toEqual(forward(s, 'js'));
    expect(backward(s, 'routed')).toEqual(backward(s, 'js'));
  });
});
