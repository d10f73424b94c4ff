// im2col and col2im as WebAssembly functions beside the GEMM's (gemmModule.ts), so a convolution can
// unfold an image and fold its gradient inside wasm memory, next to the product, instead of copying
// the C·kh·kw times larger columns in and out. Pointers are byte addresses; sizes count elements.
import { Func, I32, V128, doWhile, f32, f32x4, i32, ifElse, local, v128, type Code } from './emit.js';

const { get } = local;
const c = i32.const;

// Both functions take the window geometry in this order (Window2d's, without N), then their two pointers.
const GEOMETRY = ['C', 'H', 'W', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw', 'oh', 'ow'] as const;
type Geometry = Record<(typeof GEOMETRY)[number], number>;
// The geometry's parameter indices: the first 13 parameters of both functions.
const g = Object.fromEntries(GEOMETRY.map((name, i) => [name, i])) as Geometry;

const minS = (x: Code, y: Code): Code => i32.select(x, y, i32.ltS(x, y));
const maxS = (x: Code, y: Code): Code => i32.select(x, y, i32.gtS(x, y));
const times4 = (x: Code): Code => i32.mul(x, c(4));

/** What one window row does, given the locals the loops keep. */
interface RowWork {
  /** A window row inside the image, any stride: per position, `pixel` (the byte address of x[c, iy, ix]) or null in the padding. */
  each(pixel: Code | null): Code[];
  /**
   * The same row at stride 1: positions [first, end) read x from `start` (the byte address of the
   * first one's pixel), the others are padding; `p` is at the row's first position. Must not move p.
   */
  run(first: number, end: number, start: Code): Code[];
  /** A window row wholly in the padding (`p` at its first position). Must not move p. */
  outside: Code[];
}

/**
 * The loops both functions share: over channels, kernel rows and columns (the rows of the columns
 * array [C·kh·kw, oh·ow]), then window rows and positions, with `p` walking the columns array. For each
 * kernel column, [first, end) are the window positions whose pixel lies inside the image (at stride 1
 * they are one contiguous run of x, which `run` takes whole).
 */
function windowLoops(f: Func, image: number, p: number, work: RowWork): Code {
  const [ch, ki, kj, oy, ox, iy, ix, ix0, row, first, end] =
    Array.from({ length: 11 }, () => f.local(I32)) as [number, number, number, number, number, number, number, number, number, number, number];
  const bump = (x: number, n: Code) => i32.inc(x, n);
  const one = c(1);
  const rowBytes = times4(get(g.ow));
  const general: Code[] = [
    local.set(ox, c(0)),
    local.set(ix, get(ix0)),
    // ix = ox·sw + ix0; a negative ix compares as a huge unsigned number, so one test bounds both sides.
    doWhile(i32.ltU(get(ox), get(g.ow)),
      ifElse(i32.ltU(get(ix), get(g.W)), work.each(i32.add(get(row), times4(get(ix)))), work.each(null)),
      bump(p, c(4)), bump(ox, one), bump(ix, get(g.sw))),
  ];
  const contiguous: Code[] = [...work.run(first, end, i32.add(get(row), times4(i32.add(get(ix0), get(first))))), bump(p, rowBytes)];
  return [
    ...local.set(ch, c(0)),
    ...doWhile(i32.ltU(get(ch), get(g.C)),
      local.set(ki, c(0)),
      doWhile(i32.ltU(get(ki), get(g.kh)),
        local.set(kj, c(0)),
        doWhile(i32.ltU(get(kj), get(g.kw)),
          // ix0 = kj·dw − pw, the first position's input column; at stride 1 the positions inside the
          // image are [first, end) = [clamp(−ix0), clamp(W − ix0)] within [0, ow].
          local.set(ix0, i32.sub(i32.mul(get(kj), get(g.dw)), get(g.pw))),
          local.set(first, minS(maxS(i32.sub(c(0), get(ix0)), c(0)), get(g.ow))),
          local.set(end, minS(maxS(i32.sub(get(g.W), get(ix0)), get(first)), get(g.ow))),
          local.set(oy, c(0)),
          // iy = oy·sh − ph + ki·dh, advanced by sh per window row.
          local.set(iy, i32.sub(i32.mul(get(ki), get(g.dh)), get(g.ph))),
          doWhile(i32.ltU(get(oy), get(g.oh)),
            ifElse(i32.ltU(get(iy), get(g.H)), [
              // row = the byte address of x[ch, iy, 0]
              local.set(row, i32.add(get(image), i32.mul(i32.add(i32.mul(get(ch), get(g.H)), get(iy)), times4(get(g.W))))),
              ifElse(i32.eq(get(g.sw), one), contiguous, general),
            ], [...work.outside, bump(p, rowBytes)]),
            bump(oy, one), bump(iy, get(g.sh))),
          bump(kj, one)),
        bump(ki, one)),
      bump(ch, one)),
  ];
}

/**
 * im2col(C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x, cols): one image x [C, H, W] → cols
 * [C·kh·kw, oh·ow], zero where a window reaches into the padding. Every size must be at least 1.
 */
export function im2colFunc(): Func {
  const f = new Func('im2col', GEOMETRY.length + 2);
  const [x, cols] = [GEOMETRY.length, GEOMETRY.length + 1];
  const p = f.local(I32);
  const [at, from, stop, quads] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const rowBytes = times4(get(g.ow));
  /** Zeros from `at` up to byte address `until` (locals), one float at a time: padding runs are short. */
  const zeros = (until: Code): Code[] => [
    local.set(stop, until),
    ifElse(i32.ltU(get(at), get(stop)), [doWhile(i32.ltU(get(at), get(stop)), f32.store(get(at), f32.const(0)), i32.inc(at, c(4)))]),
  ];
  f.body = [
    ...local.set(p, get(cols)),
    ...windowLoops(f, x, p, {
      each: (pixel) => [f32.store(get(p), pixel === null ? f32.const(0) : f32.load(pixel))],
      // Zeros before and after the run, and the run copied four floats at a time (a bulk memory.copy
      // per run measured slower: runs are a row of the image, a few dozen floats).
      run: (first, end, start) => [
        local.set(at, get(p)),
        ...zeros(i32.add(get(p), times4(get(first)))),
        local.set(from, start),
        local.set(stop, i32.add(get(p), times4(get(end)))),
        local.set(quads, i32.add(get(at), times4(i32.and(i32.sub(get(end), get(first)), c(~3))))),
        ifElse(i32.ltU(get(at), get(quads)), [doWhile(i32.ltU(get(at), get(quads)),
          v128.store(get(at), v128.load(get(from))), i32.inc(at, c(16)), i32.inc(from, c(16)))]),
        ifElse(i32.ltU(get(at), get(stop)), [doWhile(i32.ltU(get(at), get(stop)),
          f32.store(get(at), f32.load(get(from))), i32.inc(at, c(4)), i32.inc(from, c(4)))]),
        ...zeros(i32.add(get(p), rowBytes)),
      ],
      outside: [local.set(at, get(p)), ...zeros(i32.add(get(p), rowBytes))],
    }),
  ];
  return f;
}

/**
 * col2im(C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols, x): adds cols [C·kh·kw, oh·ow] into
 * one image x [C, H, W] (which the caller zeroes first): the adjoint of im2col. Every size must be at least 1.
 */
export function col2imFunc(): Func {
  const f = new Func('col2im', GEOMETRY.length + 2);
  const [cols, x] = [GEOMETRY.length, GEOMETRY.length + 1];
  const p = f.local(I32);
  const [at, from, stop, quads] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const sum = f.local(V128);
  const addInto = (dst: Code, src: Code): Code => f32.store(dst, f32.add(f32.load(dst), f32.load(src)));
  f.body = [
    ...local.set(p, get(cols)),
    ...windowLoops(f, x, p, {
      each: (pixel) => (pixel === null ? [] : [local.set(at, pixel), addInto(get(at), get(p))]),
      // The run [first, end) added four floats at a time, then the last few one by one (in the same
      // order as the scalar path: each pixel gets one addition per window position).
      run: (first, end, start) => [
        local.set(at, start),
        local.set(from, i32.add(get(p), times4(get(first)))),
        local.set(stop, i32.add(get(p), times4(get(end)))),
        local.set(quads, i32.add(get(from), times4(i32.and(i32.sub(get(end), get(first)), c(~3))))),
        ifElse(i32.ltU(get(from), get(quads)), [doWhile(i32.ltU(get(from), get(quads)),
          local.set(sum, f32x4.add(v128.load(get(at)), v128.load(get(from)))),
          v128.store(get(at), get(sum)),
          i32.inc(at, c(16)), i32.inc(from, c(16)))]),
        ifElse(i32.ltU(get(from), get(stop)), [doWhile(i32.ltU(get(from), get(stop)),
          addInto(get(at), get(from)),
          i32.inc(at, c(4)), i32.inc(from, c(4)))]),
      ],
      outside: [],
    }),
  ];
  return f;
}
