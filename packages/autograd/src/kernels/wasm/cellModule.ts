// The LSTM and GRU cells' gate math, forward and backward, as WebAssembly SIMD functions beside the
// GEMM's (gemmModule.ts): four hidden units at a time, with exp (and e^x − 1, for tanh) from a range
// reduction and a short polynomial in float32, as PyTorch's vectorized CPU kernels compute them.
// Pointers are byte addresses; sizes count elements.
import { Func, I32, V128, doWhile, f32x4, i32, i32x4, local, v128, type Code } from './emit.js';

const { get } = local;
const c = i32.const;
const k = f32x4.const;

/**
 * e^v = s·(1 + q) in each lane, into locals `q` and `s`: v is clamped to [−87.33, 88.37], so s = 2^n
 * stays a normal float (tanh and σ of large positive v have saturated there; σ of v below −87.33 stays
 * at about 4e-39, where float32's true value is subnormal or 0), n = round(v·log2 e),
 * r = v − n·ln 2 in two parts (Cody and Waite), q = e^r − 1 = r + r²·P(r) with Cephes' polynomial P
 * for expf, and s built in the exponent bits. Keeping q apart gives e^v − 1 = s·q + (s − 1) without
 * cancellation near 0. A NaN stays NaN (in q).
 */
function expParts(v: Code, q: number, s: number): Code[] {
  const poly = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]
    .reduce<Code>((acc, coef, i) => (i === 0 ? k(coef) : f32x4.add(f32x4.mul(acc, get(q)), k(coef))), []);
  return [
    local.set(q, f32x4.min(f32x4.max(v, k(-87.33)), k(88.37))),
    local.set(s, f32x4.nearest(f32x4.mul(get(q), k(1.44269504)))),
    local.set(q, f32x4.sub(f32x4.sub(get(q), f32x4.mul(get(s), k(0.693359375))), f32x4.mul(get(s), k(-2.12194440e-4)))),
    local.set(q, f32x4.add(f32x4.mul(poly, f32x4.mul(get(q), get(q))), get(q))),
    // (n + 127) << 23 is 2^n's float32 bits.
    local.set(s, i32x4.shl(i32x4.add(i32x4.truncSatF32x4(get(s)), i32x4.const(127)), c(23))),
  ];
}

/** σ(v) = 1 / (1 + e^−v) into local `out`. */
function sigmoid4(v: Code, out: number, q: number, s: number): Code[] {
  return [...expParts(f32x4.sub(k(0), v), q, s), local.set(out, f32x4.div(k(1), f32x4.add(k(1), f32x4.add(f32x4.mul(get(s), get(q)), get(s)))))];
}

/**
 * tanh(v) = m / (m + 2) with m = e^2v − 1, into local `out` (which may be the local v reads): accurate
 * near 0, where 1 − 2/(1 + e^2v) cancels.
 */
function tanh4(v: Code, out: number, q: number, s: number): Code[] {
  return [
    ...expParts(f32x4.add(v, v), q, s),
    local.set(out, f32x4.add(f32x4.mul(get(s), get(q)), f32x4.sub(get(s), k(1)))),
    local.set(out, f32x4.div(get(out), f32x4.add(get(out), k(2)))),
  ];
}

/**
 * The loop every cell function runs: N rows of H units (H a multiple of 4), four units per step.
 * `step(at)` is one step; at(p, q) addresses gate block q (H floats each) from pointer p. Every pointer
 * in `units` (walking H-wide rows) and `gates` (walking rows `blocks` gate blocks wide) advances 16 bytes
 * a step; after each row the `gates` pointers skip their other gate blocks. units[0] bounds the row, and
 * `rowStart` runs before each row.
 */
function cellLoop(
  f: Func, N: number, H: number, units: readonly number[], gates: readonly number[], blocks: number,
  step: (at: (p: number, q: number) => Code) => Code[], rowStart: Code[] = [],
): Code {
  const [row, gate, end] = [f.local(I32), f.local(I32), f.local(I32)];
  const at = (p: number, q: number): Code => (q === 0 ? get(p) : i32.add(get(p), i32.mul(get(gate), c(q))));
  return [
    ...local.set(gate, i32.mul(get(H), c(4))),
    ...local.set(row, c(0)),
    ...doWhile(i32.ltU(get(row), get(N)),
      ...rowStart,
      local.set(end, i32.add(get(units[0]!), get(gate))),
      doWhile(i32.ltU(get(units[0]!), get(end)), ...step(at), ...[...units, ...gates].map((p) => i32.inc(p, c(16)))),
      ...gates.map((p) => i32.inc(p, i32.mul(get(gate), c(blocks - 1)))),
      i32.inc(row, c(1))),
  ];
}

/**
 * lstmCell(act, x, bias, cPrev, c, tc, h, N, H): for N rows, H a positive multiple of 4. On entry act
 * [N, 4H] holds the recurrent product; with x [N, 4H] and bias [4H] it makes the gates' pre-activations
 * (i, f, g, o blocks, PyTorch's order), and on return act holds σ(i), σ(f), tanh(g), σ(o). Writes
 * c = f·cPrev + i·g, tc = tanh(c) and h = o·tc, each [N, H].
 */
export function lstmCellFunc(): Func {
  const f = new Func('lstmCell', 9);
  const [act, x, bias, cPrev, cOut, tcOut, hOut, N, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const pb = f.local(I32);
  const [ig, fg, gg, og, cv, tv, r, n] = Array.from({ length: 8 }, () => f.local(V128)) as
    [number, number, number, number, number, number, number, number];
  // act and x rows hold four gate blocks; bias (pb, from its start each row) is one such row.
  f.body = cellLoop(f, N, H, [cOut, cPrev, tcOut, hOut, pb], [act, x], 4, (at) => {
    // The pre-activation of gate block q at the current unit: act + x + bias.
    const preOf = (q: number): Code => f32x4.add(f32x4.add(v128.load(at(act, q)), v128.load(at(x, q))), v128.load(at(pb, q)));
    return [
      ...sigmoid4(preOf(0), ig, r, n),
      ...sigmoid4(preOf(1), fg, r, n),
      local.set(gg, preOf(2)),
      ...tanh4(get(gg), gg, r, n),
      ...sigmoid4(preOf(3), og, r, n),
      v128.store(at(act, 0), get(ig)),
      v128.store(at(act, 1), get(fg)),
      v128.store(at(act, 2), get(gg)),
      v128.store(at(act, 3), get(og)),
      local.set(cv, f32x4.add(f32x4.mul(get(fg), v128.load(get(cPrev))), f32x4.mul(get(ig), get(gg)))),
      v128.store(get(cOut), get(cv)),
      ...tanh4(get(cv), tv, r, n),
      v128.store(get(tcOut), get(tv)),
      v128.store(get(hOut), f32x4.mul(get(og), get(tv))),
    ];
  }, [local.set(pb, get(bias))]);
  return f;
}

/** The lane-wise product of the factors, left to right. */
const mul = (...xs: Code[]): Code => xs.reduce((a, b) => f32x4.mul(a, b));
/** 1 − x in each lane. */
const oneMinus = (x: Code): Code => f32x4.sub(k(1), x);
/** 1 − x² as (1 − x)(1 + x): exact factors for |x| near 1, where 1 − x·x would cancel away float32's digits. */
const oneMinusSquare = (x: Code): Code => f32x4.mul(oneMinus(x), f32x4.add(k(1), x));

/**
 * lstmCellBackward(act, cPrev, tc, gOut, dh, dc, dPre, N, H): the LSTM step's backward for N rows, H a
 * positive multiple of 4, as the JS step's (cpu/recurrentSteps.ts's lstmStepBackward) without its bias
 * sums. act [N, 4H] holds σ(i), σ(f), tanh(g), σ(o); tc [N, H] tanh(c); dh and dc [N, H] the state's
 * gradients after the step, gOut [N, H] the step's output gradient. Writes dPre [N, 4H] (the gates'
 * pre-activation gradients), makes dc the gradient of cPrev and leaves dh zero (for the recurrent
 * product to add into).
 */
export function lstmCellBackwardFunc(): Func {
  const f = new Func('lstmCellBackward', 9);
  const [act, cPrev, tc, gOut, dh, dc, dPre, N, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [ig, fg, gg, og, t, gh, dcv] = Array.from({ length: 7 }, () => f.local(V128)) as [number, number, number, number, number, number, number];
  f.body = cellLoop(f, N, H, [dc, cPrev, tc, gOut, dh], [act, dPre], 4, (at) => [
    local.set(ig, v128.load(at(act, 0))),
    local.set(fg, v128.load(at(act, 1))),
    local.set(gg, v128.load(at(act, 2))),
    local.set(og, v128.load(at(act, 3))),
    local.set(t, v128.load(get(tc))),
    local.set(gh, f32x4.add(v128.load(get(dh)), v128.load(get(gOut)))),
    local.set(dcv, f32x4.add(v128.load(get(dc)), mul(get(gh), get(og), oneMinusSquare(get(t))))),
    v128.store(at(dPre, 0), mul(get(dcv), get(gg), get(ig), oneMinus(get(ig)))),
    v128.store(at(dPre, 1), mul(get(dcv), v128.load(get(cPrev)), get(fg), oneMinus(get(fg)))),
    v128.store(at(dPre, 2), mul(get(dcv), get(ig), oneMinusSquare(get(gg)))),
    v128.store(at(dPre, 3), mul(get(gh), get(t), get(og), oneMinus(get(og)))),
    v128.store(get(dc), f32x4.mul(get(dcv), get(fg))),
    v128.store(get(dh), f32x4.const(0)),
  ]);
  return f;
}

/**
 * gruCell(x, hg, act, hn, hPrev, h, N, H): the GRU step for N rows, H a positive multiple of 4, as
 * PyTorch's: x and hg [N, 3H] are the two projections (biases included, r, z, n blocks); writes act
 * [N, 3H] = r, z, n with r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), hn [N, H] = h_n (for
 * the backward) and h = (1 − z)·n + z·hPrev [N, H].
 */
export function gruCellFunc(): Func {
  const f = new Func('gruCell', 8);
  const [x, hg, act, hn, hPrev, hOut, N, H] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [rg, zg, ng, hv, q, s] = Array.from({ length: 6 }, () => f.local(V128)) as [number, number, number, number, number, number];
  f.body = cellLoop(f, N, H, [hOut, hn, hPrev], [x, hg, act], 3, (at) => [
    ...sigmoid4(f32x4.add(v128.load(at(x, 0)), v128.load(at(hg, 0))), rg, q, s),
    ...sigmoid4(f32x4.add(v128.load(at(x, 1)), v128.load(at(hg, 1))), zg, q, s),
    local.set(hv, v128.load(at(hg, 2))),
    local.set(ng, f32x4.add(v128.load(at(x, 2)), f32x4.mul(get(rg), get(hv)))),
    ...tanh4(get(ng), ng, q, s),
    v128.store(at(act, 0), get(rg)),
    v128.store(at(act, 1), get(zg)),
    v128.store(at(act, 2), get(ng)),
    v128.store(get(hn), get(hv)),
    v128.store(get(hOut), f32x4.add(f32x4.mul(f32x4.sub(k(1), get(zg)), get(ng)), f32x4.mul(get(zg), v128.load(get(hPrev))))),
  ]);
  return f;
}

/**
 * gruCellBackward(act, hn, hPrev, gOut, dh, dXg, dHg, N, H): the GRU step's backward for N rows, H a
 * positive multiple of 4, as the JS step's (cpu/recurrentSteps.ts's gruStepBackward) without its bias
 * sums: from act (r, z, n), hn, hPrev and gh = dh + gOut, writes dXg = (dr, dz, dn) and dHg = (dr, dz,
 * dn·r) [N, 3H] (the pre-activations' gradients through the two projections) and makes dh = gh·z.
 */
export function gruCellBackwardFunc(): Func {
  const f = new Func('gruCellBackward', 9);
  const [act, hn, hPrev, gOut, dh, dXg, dHg, N, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [rg, zg, ng, gh, dn, dr, dz] = Array.from({ length: 7 }, () => f.local(V128)) as [number, number, number, number, number, number, number];
  f.body = cellLoop(f, N, H, [dh, hn, hPrev, gOut], [act, dXg, dHg], 3, (at) => [
    local.set(rg, v128.load(at(act, 0))),
    local.set(zg, v128.load(at(act, 1))),
    local.set(ng, v128.load(at(act, 2))),
    local.set(gh, f32x4.add(v128.load(get(dh)), v128.load(get(gOut)))),
    local.set(dn, mul(get(gh), oneMinus(get(zg)), oneMinusSquare(get(ng)))),
    local.set(dr, mul(get(dn), v128.load(get(hn)), get(rg), oneMinus(get(rg)))),
    local.set(dz, mul(get(gh), f32x4.sub(v128.load(get(hPrev)), get(ng)), get(zg), oneMinus(get(zg)))),
    v128.store(at(dXg, 0), get(dr)),
    v128.store(at(dXg, 1), get(dz)),
    v128.store(at(dXg, 2), get(dn)),
    v128.store(at(dHg, 0), get(dr)),
    v128.store(at(dHg, 1), get(dz)),
    v128.store(at(dHg, 2), f32x4.mul(get(dn), get(rg))),
    v128.store(get(dh), f32x4.mul(get(gh), get(zg))),
  ]);
  return f;
}
