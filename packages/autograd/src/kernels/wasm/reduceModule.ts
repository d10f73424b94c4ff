// Float32 sums as WebAssembly SIMD functions beside the GEMM's (gemmModule.ts), with the JS kernel's
// bits (cpu/reduce.ts's sumAxis): the same float64 running sums, fed in the same order, combined in the
// same order, rounded once to float32. Pointers are 16-byte aligned byte addresses; counts are at least 1.
import { Func, I32, V128, doWhile, f32x4, f64x2, i32, ifElse, local, memory, v128, type Code } from './emit.js';

const { get } = local;
const c = i32.const;

/** Float32 lanes 2 and 3 of x widened to two float64 lanes. */
const promoteHigh = (x: Code): Code => f64x2.promoteLowF32x4(v128.shuffle32(x, x, [2, 3, 2, 3]));
/** The float64 lanes of x and y picked by `lanes` (0–1 from x, 2–3 from y). */
const pick64 = (x: Code, y: Code, lanes: readonly [number, number]): Code =>
  v128.shuffle32(x, y, [2 * lanes[0], 2 * lanes[0] + 1, 2 * lanes[1], 2 * lanes[1] + 1]);
/** `while (cond) body` as an if around a do-while. */
const whileLoop = (cond: Code, ...body: Code[]): Code => ifElse(cond, [doWhile(cond, ...body)]);

/**
 * sumRows(x, o, rows, n): o[r] = the sum of row r of x [rows, n], as sumAxis's contiguous case: eight
 * float64 running sums s0…s7 take every eighth value (here as pairs in four f64x2 vectors), the last
 * n mod 8 values go to s0, and the row's sum is ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)).
 */
export function sumRowsFunc(): Func {
  const f = new Func('sumRows', 4);
  const [x, o, rows, n] = [0, 1, 2, 3];
  const [row, end] = [f.local(I32), f.local(I32)];
  const [v0, v1, v2, v3, q0, q1] = Array.from({ length: 6 }, () => f.local(V128)) as [number, number, number, number, number, number];
  const add = (v: number, w: Code): Code => local.set(v, f64x2.add(get(v), w));
  f.body = [
    ...local.set(row, c(0)),
    ...doWhile(i32.ltU(get(row), get(rows)),
      ...[v0, v1, v2, v3].map((v) => local.set(v, v128.zero())),
      local.set(end, i32.add(get(x), i32.mul(get(n), c(4)))),
      whileLoop(i32.leU(i32.add(get(x), c(32)), get(end)),
        local.set(q0, v128.load(get(x))),
        local.set(q1, v128.load(get(x), 16)),
        add(v0, f64x2.promoteLowF32x4(get(q0))),
        add(v1, promoteHigh(get(q0))),
        add(v2, f64x2.promoteLowF32x4(get(q1))),
        add(v3, promoteHigh(get(q1))),
        i32.inc(x, c(32))),
      // The rest into s0 (lane 0 of v0); lane 1 gains +0, which leaves a running sum that started at +0 unchanged.
      whileLoop(i32.ltU(get(x), get(end)), add(v0, f64x2.promoteLowF32x4(v128.load32Zero(get(x)))), i32.inc(x, c(4))),
      // (s0 + s1, s2 + s3) and (s4 + s5, s6 + s7), then their pairs, then the two halves.
      local.set(q0, f64x2.add(pick64(get(v0), get(v1), [0, 2]), pick64(get(v0), get(v1), [1, 3]))),
      local.set(q1, f64x2.add(pick64(get(v2), get(v3), [0, 2]), pick64(get(v2), get(v3), [1, 3]))),
      local.set(q0, f64x2.add(pick64(get(q0), get(q1), [0, 2]), pick64(get(q0), get(q1), [1, 3]))),
      v128.store32Low(get(o), f32x4.demoteF64x2Zero(f64x2.add(get(q0), pick64(get(q0), get(q0), [1, 0])))),
      i32.inc(o, c(4)),
      i32.inc(row, c(1))),
  ];
  return f;
}

/**
 * sumInner(x, acc, o, outer, n, inner): o [outer, inner] = the sums over the middle axis of x [outer, n,
 * inner], inner even, as sumAxis's strided case: a float64 sum per output (acc, inner of them, reused for
 * each outer block) takes four rows a pass as (r0 + r1) + (r2 + r3), then the last n mod 4 rows one by
 * one, and is rounded once to float32.
 */
export function sumInnerFunc(): Func {
  const f = new Func('sumInner', 6);
  const [x, acc, o, outer, n, inner] = [0, 1, 2, 3, 4, 5];
  const [a, k, p, q, end, rowBytes] = Array.from({ length: 6 }, () => f.local(I32)) as [number, number, number, number, number, number];
  const wide = (at: Code, offset: number): Code => f64x2.promoteLowF32x4(v128.load64Zero(at, offset));
  const row = (r: number): Code => (r === 0 ? get(p) : i32.add(get(p), i32.mul(get(rowBytes), c(r))));
  // Runs `step` for every pair of outputs: q walks acc (8 bytes an output), p the current row (4 bytes).
  const pairs = (step: Code[]): Code => [
    ...local.set(q, get(acc)),
    ...local.set(end, i32.add(get(acc), i32.mul(get(inner), c(8)))),
    ...doWhile(i32.ltU(get(q), get(end)), ...step, i32.inc(q, c(16)), i32.inc(p, c(8))),
  ];
  const accumulate = (sum: Code): Code => v128.store(get(q), f64x2.add(v128.load(get(q)), sum));
  f.body = [
    ...local.set(rowBytes, i32.mul(get(inner), c(4))),
    ...local.set(a, c(0)),
    ...doWhile(i32.ltU(get(a), get(outer)),
      memory.fill(get(acc), c(0), i32.mul(get(inner), c(8))),
      local.set(k, c(0)),
      whileLoop(i32.leU(i32.add(get(k), c(4)), get(n)),
        local.set(p, get(x)),
        pairs([accumulate(f64x2.add(f64x2.add(wide(row(0), 0), wide(row(1), 0)), f64x2.add(wide(row(2), 0), wide(row(3), 0))))]),
        i32.inc(x, i32.mul(get(rowBytes), c(4))),
        i32.inc(k, c(4))),
      whileLoop(i32.ltU(get(k), get(n)),
        local.set(p, get(x)),
        pairs([accumulate(wide(get(p), 0))]),
        i32.inc(x, get(rowBytes)),
        i32.inc(k, c(1))),
      // Round the block's sums into o, two at a time.
      local.set(q, get(acc)),
      local.set(end, i32.add(get(acc), i32.mul(get(inner), c(8)))),
      doWhile(i32.ltU(get(q), get(end)), v128.store64Low(get(o), f32x4.demoteF64x2Zero(v128.load(get(q)))), i32.inc(q, c(16)), i32.inc(o, c(8))),
      i32.inc(a, c(1))),
  ];
  return f;
}
