// Float32 elementwise kernels as WebAssembly SIMD functions beside the GEMM's (gemmModule.ts), each
// giving the same bits as its JS kernel (cpu/elementwise.ts): relu and its backward work on the float
// bits; +, −, × and ÷ are one float32 operation each (JS's float64 result of two float32 operands rounds
// to the same float32, as float64 carries more than twice float32's digits); and the
// scaled add computes in float64 and rounds once, as JS does. Pointers are 16-byte aligned byte
// addresses; n counts elements, at least 1. Each function runs whole vectors, so it reads and writes
// up to three floats past n: the caller pads its regions to whole vectors and copies out n.
import { Func, I32, V128, doWhile, f32x4, f64x2, i32, i32x4, ifElse, local, v128, type Code } from './emit.js';

const { get } = local;
const c = i32.const;

/**
 * Runs `step` over n float32 elements, `per` of them a step (4: a vector, 2: a float64 pair): every
 * pointer in `pointers` advances 4·per bytes a step, and the first one bounds the loop.
 */
function elementLoop(f: Func, n: number, pointers: readonly number[], per: 2 | 4, step: Code[]): Code {
  const end = f.local(I32);
  return [
    ...local.set(end, i32.add(get(pointers[0]!), i32.mul(get(n), c(4)))),
    ...doWhile(i32.ltU(get(pointers[0]!), get(end)), ...step, ...pointers.map((p) => i32.inc(p, c(4 * per)))),
  ];
}

/** All ones in each lane whose float32 bits (local `u`) are a NaN of either sign (|bits| above infinity's), else zeros. */
const nanMask = (u: number): Code => i32x4.gtS(v128.and(get(u), i32x4.const(0x7fffffff)), i32x4.const(0x7f800000));

/** relu(x, o, n): o = max(x, 0), with NaN kept and −0 made 0 (cpu/elementwise.ts's `relu`, on the bits). */
export function reluFunc(): Func {
  const f = new Func('relu', 3);
  const [x, o, n] = [0, 1, 2];
  const u = f.local(V128);
  // A set sign bit clears the word unless it is a NaN.
  f.body = elementLoop(f, n, [x, o], 4, [
    local.set(u, v128.load(get(x))),
    v128.store(get(o), v128.and(get(u), v128.or(v128.not(i32x4.shrS(get(u), c(31))), nanMask(u)))),
  ]);
  return f;
}

/** reluBackward(x, g, o, n): o = g where x > 0 or x is a NaN, else 0 (`reluBackward`, on the bits). */
export function reluBackwardFunc(): Func {
  const f = new Func('reluBackward', 4);
  const [x, g, o, n] = [0, 1, 2, 3];
  const u = f.local(V128);
  f.body = elementLoop(f, n, [x, g, o], 4, [
    local.set(u, v128.load(get(x))),
    v128.store(get(o), v128.and(v128.load(get(g)), v128.or(i32x4.gtS(get(u), v128.zero()), nanMask(u)))),
  ]);
  return f;
}

/** addRows(a, b, o, rows, m): o [rows, m] = a [rows, m] + b [m] in each row, m a positive multiple of 4. */
export function addRowsFunc(): Func {
  const f = new Func('addRows', 5);
  const [a, b, o, rows, m] = [0, 1, 2, 3, 4];
  const [pb, row, end] = [f.local(I32), f.local(I32), f.local(I32)];
  f.body = [
    ...local.set(row, c(0)),
    ...doWhile(i32.ltU(get(row), get(rows)),
      local.set(pb, get(b)),
      local.set(end, i32.add(get(a), i32.mul(get(m), c(4)))),
      doWhile(i32.ltU(get(a), get(end)),
        v128.store(get(o), f32x4.add(v128.load(get(a)), v128.load(get(pb)))),
        i32.inc(a, c(16)), i32.inc(pb, c(16)), i32.inc(o, c(16))),
      i32.inc(row, c(1))),
  ];
  return f;
}

/**
 * addScaled(y, x, alphaAt, n): y += alpha·x with alpha the float64 at alphaAt, each element computed in
 * float64 (exact widening, one product, one sum) and rounded to float32 once (`addScaledInPlace`).
 */
export function addScaledFunc(): Func {
  const f = new Func('addScaled', 4);
  const [y, x, alphaAt, n] = [0, 1, 2, 3];
  const alpha = f.local(V128);
  const widen = (p: number): Code => f64x2.promoteLowF32x4(v128.load64Zero(get(p)));
  f.body = [
    ...local.set(alpha, v128.load64Splat(get(alphaAt))),
    ...elementLoop(f, n, [y, x], 2, [
      v128.store64Low(get(y), f32x4.demoteF64x2Zero(f64x2.add(widen(y), f64x2.mul(get(alpha), widen(x))))),
    ]),
  ];
  return f;
}

/** The binary kernels' operations, by the name of their function. */
export const BINARY_OPS = {
  add: f32x4.add,
  sub: f32x4.sub,
  mul: f32x4.mul,
  div: f32x4.div,
} as const;

/**
 * name(a, b, o, n, mode): o = a op b over n elements, with `mode` 0 when both operands are whole arrays,
 * 1 when a is one float standing for a scalar, 2 when b is (the JS binary kernels' three cases).
 */
export function binaryFunc(name: keyof typeof BINARY_OPS): Func {
  const op = BINARY_OPS[name];
  const f = new Func(name, 5);
  const [a, b, o, n, mode] = [0, 1, 2, 3, 4];
  const s = f.local(V128);
  const over = (x: Code, y: Code, pointers: number[]): Code => elementLoop(f, n, [o, ...pointers], 4, [v128.store(get(o), op(x, y))]);
  f.body = ifElse(i32.eq(get(mode), c(0)), [over(v128.load(get(a)), v128.load(get(b)), [a, b])], [
    ifElse(i32.eq(get(mode), c(1)),
      [local.set(s, v128.load32Splat(get(a))), over(get(s), v128.load(get(b)), [b])],
      [local.set(s, v128.load32Splat(get(b))), over(v128.load(get(a)), get(s), [a])]),
  ]);
  return f;
}
