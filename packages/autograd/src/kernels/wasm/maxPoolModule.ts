// Max pooling over 2×2 windows at stride 2 (no padding, no dilation: the common pooling layer) as
// WebAssembly SIMD functions beside the GEMM's (gemmModule.ts), with the JS kernels' results
// (cpu/im2col.ts's maxPool2d and maxUnpool2d): pooling only compares and picks, so values and indices
// are exact. Four windows of a row at a time; a row's last ow mod 4 windows one by one (in lane 0).
// Pointers are byte addresses; indices count elements of x from its start, as the JS kernels' argmax.
import { Func, I32, V128, doWhile, f32x4, i32, i32x4, ifElse, local, memory, v128, type Code } from './emit.js';

const { get } = local;
const c = i32.const;

/** `while (cond) body` as an if around a do-while. */
const whileLoop = (cond: Code, ...body: Code[]): Code => ifElse(cond, [doWhile(cond, ...body)]);

/**
 * The loops both functions share: planes (N·C), then window rows, with `rowAt` the element index of
 * the window row's top-left pixel and `r0`, `r1` the byte addresses of its two image rows in `image`,
 * then `groups` (four windows, at ox, ox+1, ox+2, ox+3) and `singles` (one window, at ox) along the row.
 * Each advances r0 and r1 itself; the loops advance ox.
 */
function windowRows(
  f: Func, image: number, planes: number, H: number, W: number, oh: number, ow: number,
  at: { rowAt: number; r0: number; r1: number; ox: number }, groups: Code[], singles: Code[],
): Code {
  const [plane, planeAt, oy] = [f.local(I32), f.local(I32), f.local(I32)];
  const { rowAt, r0, r1, ox } = at;
  return [
    ...local.set(plane, c(0)),
    ...local.set(planeAt, c(0)),
    ...doWhile(i32.ltU(get(plane), get(planes)),
      local.set(oy, c(0)),
      doWhile(i32.ltU(get(oy), get(oh)),
        local.set(rowAt, i32.add(get(planeAt), i32.mul(i32.mul(get(oy), c(2)), get(W)))),
        local.set(r0, i32.add(get(image), i32.mul(get(rowAt), c(4)))),
        local.set(r1, i32.add(get(r0), i32.mul(get(W), c(4)))),
        local.set(ox, c(0)),
        whileLoop(i32.leU(i32.add(get(ox), c(4)), get(ow)), ...groups, i32.inc(ox, c(4))),
        whileLoop(i32.ltU(get(ox), get(ow)), ...singles, i32.inc(ox, c(1))),
        i32.inc(oy, c(1))),
      i32.inc(planeAt, i32.mul(get(H), get(W))),
      i32.inc(plane, c(1))),
  ];
}

/**
 * maxPool2x2(x, out, argmax, planes, H, W, oh, ow): out [planes, oh, ow] = the maximum of each 2×2
 * window of x [planes, H, W] at stride 2, argmax (int32) its index in x. Taps in the JS kernel's order
 * (top-left, top-right, bottom-left, bottom-right); a tap wins when it is larger than the best so far
 * or is NaN, so the first of equal maxima and the last NaN win, with their exact bits.
 */
export function maxPool2x2Func(): Func {
  const f = new Func('maxPool2x2', 8);
  const [x, out, argmax, planes, H, W, oh, ow] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [rowAt, r0, r1, ox] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const [a, b, cc, d, best, at, first, m] = Array.from({ length: 8 }, () => f.local(V128)) as
    [number, number, number, number, number, number, number, number];
  // A tap (value v, index idx) replaces the best so far where v > best or v is NaN.
  const take = (v: Code, idx: Code): Code[] => [
    local.set(m, v128.or(f32x4.gt(v, get(best)), f32x4.ne(v, v))),
    local.set(best, v128.bitselect(v, get(best), get(m))),
    local.set(at, v128.bitselect(idx, get(at), get(m))),
  ];
  // The four taps of each window: a, b from the top row and cc, d from the bottom (left, then right),
  // `first` holding the top-left indices.
  const taps = (): Code[] => [
    local.set(best, get(a)),
    local.set(at, get(first)),
    ...take(get(b), i32x4.add(get(first), i32x4.const(1))),
    ...take(get(cc), i32x4.add(get(first), i32x4.splat(get(W)))),
    ...take(get(d), i32x4.add(get(first), i32x4.splat(i32.add(get(W), c(1))))),
  ];
  const leftOf = (p: Code, q: Code): Code => v128.shuffle32(p, q, [0, 2, 4, 6]);
  const rightOf = (p: Code, q: Code): Code => v128.shuffle32(p, q, [1, 3, 5, 7]);
  const corner = i32.add(get(rowAt), i32.mul(get(ox), c(2)));
  f.body = windowRows(f, x, planes, H, W, oh, ow, { rowAt, r0, r1, ox }, [
    // Eight pixels of each row: the windows' left taps are the even ones, their right taps the odd ones.
    local.set(m, v128.load(get(r0), 16)),
    local.set(a, v128.load(get(r0))),
    local.set(b, rightOf(get(a), get(m))),
    local.set(a, leftOf(get(a), get(m))),
    local.set(m, v128.load(get(r1), 16)),
    local.set(cc, v128.load(get(r1))),
    local.set(d, rightOf(get(cc), get(m))),
    local.set(cc, leftOf(get(cc), get(m))),
    local.set(first, i32x4.add(i32x4.splat(corner), i32x4.const4([0, 2, 4, 6]))),
    ...taps(),
    v128.store(get(out), get(best)),
    v128.store(get(argmax), get(at)),
    i32.inc(out, c(16)), i32.inc(argmax, c(16)), i32.inc(r0, c(32)), i32.inc(r1, c(32)),
  ], [
    local.set(a, v128.load32Zero(get(r0))),
    local.set(b, v128.load32Zero(get(r0), 4)),
    local.set(cc, v128.load32Zero(get(r1))),
    local.set(d, v128.load32Zero(get(r1), 4)),
    local.set(first, i32x4.splat(corner)),
    ...taps(),
    v128.store32Low(get(out), get(best)),
    v128.store32Low(get(argmax), get(at)),
    i32.inc(out, c(4)), i32.inc(argmax, c(4)), i32.inc(r0, c(8)), i32.inc(r1, c(8)),
  ]);
  return f;
}

/**
 * maxUnpool2x2(grad, argmax, out, planes, H, W, oh, ow): the gradient of maxPool2x2: out [planes, H, W]
 * holds 0 + grad at each window's argmax and +0 everywhere else (the JS kernel adds each window's
 * gradient into a zero image; the windows are disjoint).
 */
export function maxUnpool2x2Func(): Func {
  const f = new Func('maxUnpool2x2', 8);
  const [grad, argmax, out, planes, H, W, oh, ow] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [rowAt, r0, r1, ox] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const [g, at, first, tl, tr, bl, br] = Array.from({ length: 7 }, () => f.local(V128)) as
    [number, number, number, number, number, number, number];
  // Each tap's share: 0 + grad where the window's argmax is that tap, else +0.
  const shares = (): Code[] => [
    local.set(g, f32x4.add(get(g), v128.zero())),
    local.set(tl, v128.and(get(g), i32x4.eq(get(at), get(first)))),
    local.set(tr, v128.and(get(g), i32x4.eq(get(at), i32x4.add(get(first), i32x4.const(1))))),
    local.set(bl, v128.and(get(g), i32x4.eq(get(at), i32x4.add(get(first), i32x4.splat(get(W)))))),
    local.set(br, v128.and(get(g), i32x4.eq(get(at), i32x4.add(get(first), i32x4.splat(i32.add(get(W), c(1))))))),
  ];
  const corner = i32.add(get(rowAt), i32.mul(get(ox), c(2)));
  f.body = [
    // The windows write every pixel they cover; with an odd H or W, the last row or column, outside every
    // window, must read +0 too.
    ...ifElse(i32.add(i32.and(get(H), c(1)), i32.and(get(W), c(1))), [memory.fill(get(out), c(0), i32.mul(i32.mul(get(planes), i32.mul(get(H), get(W))), c(4)))]),
    ...windowRows(f, out, planes, H, W, oh, ow, { rowAt, r0, r1, ox }, [
      local.set(g, v128.load(get(grad))),
      local.set(at, v128.load(get(argmax))),
      local.set(first, i32x4.add(i32x4.splat(corner), i32x4.const4([0, 2, 4, 6]))),
      ...shares(),
      // Back to pixel order: left and right taps interleaved.
      v128.store(get(r0), v128.shuffle32(get(tl), get(tr), [0, 4, 1, 5])),
      v128.store(get(r0), v128.shuffle32(get(tl), get(tr), [2, 6, 3, 7]), 16),
      v128.store(get(r1), v128.shuffle32(get(bl), get(br), [0, 4, 1, 5])),
      v128.store(get(r1), v128.shuffle32(get(bl), get(br), [2, 6, 3, 7]), 16),
      i32.inc(grad, c(16)), i32.inc(argmax, c(16)), i32.inc(r0, c(32)), i32.inc(r1, c(32)),
    ], [
      local.set(g, v128.load32Zero(get(grad))),
      local.set(at, v128.load32Zero(get(argmax))),
      local.set(first, i32x4.splat(corner)),
      ...shares(),
      v128.store32Low(get(r0), get(tl)),
      v128.store32Low(get(r0), get(tr), 4),
      v128.store32Low(get(r1), get(bl)),
      v128.store32Low(get(r1), get(br), 4),
      i32.inc(grad, c(4)), i32.inc(argmax, c(4)), i32.inc(r0, c(8)), i32.inc(r1, c(8)),
    ]),
  ];
  return f;
}
