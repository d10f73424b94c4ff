// im2col and col2im as WebAssembly functions beside the GEMM's (gemmModule.ts), so a convolution can
// unfold an image and fold its gradient inside wasm memory, next to the product, instead of copying
// the C·kh·kw times larger columns in and out. Pointers are byte addresses; sizes count elements.
import { Func, I32, doWhile, f32, i32, ifElse, local, type Code } from './emit.js';

const { get } = local;
const c = i32.const;

// Both functions take the window geometry in this order (Window2d's, without N), then their two pointers.
const GEOMETRY = ['C', 'H', 'W', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw', 'dh', 'dw', 'oh', 'ow'] as const;
type Geometry = Record<(typeof GEOMETRY)[number], number>;

/**
 * The loops both functions share: over channels, kernel rows and columns (the column rows r of
 * [C·kh·kw, oh·ow]), window rows and columns (the L positions), with `p` walking the columns array by 4
 * bytes per position. `inside(pixel)` runs for positions whose input pixel lies in the image (`pixel` the
 * byte address of x[c, iy, ix]); positions in the padding are skipped by `outsideRow` (a whole window row
 * off the image; it must advance p by 4·ow) or `outside` (one position).
 */
function windowLoops(f: Func, image: number, p: number, inside: (pixel: Code) => Code[], outside: Code[], outsideRow: Code[]): Code {
  const [ch, ki, kj, oy, ox, iy, ix, row] = Array.from({ length: 8 }, () => f.local(I32)) as [number, number, number, number, number, number, number, number];
  const bump = (x: number, n: Code) => i32.inc(x, n);
  const one = c(1);
  return [
    ...local.set(ch, c(0)),
    ...doWhile(i32.ltU(get(ch), get(g.C)),
      local.set(ki, c(0)),
      doWhile(i32.ltU(get(ki), get(g.kh)),
        local.set(kj, c(0)),
        doWhile(i32.ltU(get(kj), get(g.kw)),
          local.set(oy, c(0)),
          // iy = oy·sh − ph + ki·dh, advanced by sh per window row; negative values compare as huge unsigned.
          local.set(iy, i32.sub(i32.mul(get(ki), get(g.dh)), get(g.ph))),
          doWhile(i32.ltU(get(oy), get(g.oh)),
            ifElse(i32.ltU(get(iy), get(g.H)), [
              // row = the byte address of x[ch, iy, 0]
              local.set(row, i32.add(get(image), i32.mul(i32.add(i32.mul(get(ch), get(g.H)), get(iy)), i32.mul(get(g.W), c(4))))),
              local.set(ox, c(0)),
              local.set(ix, i32.sub(i32.mul(get(kj), get(g.dw)), get(g.pw))),
              doWhile(i32.ltU(get(ox), get(g.ow)),
                ifElse(i32.ltU(get(ix), get(g.W)), inside(i32.add(get(row), i32.mul(get(ix), c(4)))), outside),
                bump(p, c(4)), bump(ox, one), bump(ix, get(g.sw))),
            ], outsideRow),
            bump(oy, one), bump(iy, get(g.sh))),
          bump(kj, one)),
        bump(ki, one)),
      bump(ch, one)),
  ];
}

// The geometry's parameter indices: the first 13 parameters of both functions.
const g = Object.fromEntries(GEOMETRY.map((name, i) => [name, i])) as Geometry;

/**
 * im2col(C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x, cols): one image x [C, H, W] → cols
 * [C·kh·kw, oh·ow], zero where a window reaches into the padding. Every size must be at least 1.
 */
export function im2colFunc(): Func {
  const f = new Func('im2col', GEOMETRY.length + 2);
  const [x, cols] = [GEOMETRY.length, GEOMETRY.length + 1];
  const p = f.local(I32);
  const end = f.local(I32);
  const zero = (at: Code) => f32.store(at, f32.const(0));
  f.body = [
    ...local.set(p, get(cols)),
    ...windowLoops(f, x, p, (pixel) => [f32.store(get(p), f32.load(pixel))], [zero(get(p))], [
      local.set(end, i32.add(get(p), i32.mul(get(g.ow), c(4)))),
      doWhile(i32.ltU(get(p), get(end)), zero(get(p)), i32.inc(p, c(4))),
    ]),
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
  const at = f.local(I32);
  f.body = [
    ...local.set(p, get(cols)),
    ...windowLoops(f, x, p, (pixel) => [local.set(at, pixel), f32.store(get(at), f32.add(f32.load(get(at)), f32.load(get(p))))], [], [
      i32.inc(p, i32.mul(get(g.ow), c(4))),
    ]),
  ];
  return f;
}
