// The float32 GEMM's WebAssembly functions, assembled with emit.ts. All pointers are byte addresses
// in the module's memory and all strides count float32 elements. The layouts are those of the JS
// kernel (kernels/cpu/matmul.ts), with a 4×8 register tile: packed A holds MR-row stripes stored
// k-major (w[kk·MR + r]), packed B holds NR-column panels stored k-major (w[kk·NR + c]).
import { Func, I32, V128, doWhile, f32, f32x4, i32, ifElse, local, moduleBytes, v128, type Code } from './emit.js';

/** Rows of the register tile. */
export const MR = 4;
/** Columns of the register tile: two f32x4 vectors. Eight accumulators, two B vectors and a splat of
 * A use 11 of the 16 xmm registers V8 has on x64, so nothing spills. */
export const NR = 8;

const { get } = local;
const c = i32.const;

/** The smaller of two unsigned values. */
const minU = (x: Code, y: Code): Code => i32.select(x, y, i32.leU(x, y));
/** `local += n`, for pointers and counters. */
const bump = (x: number, n: Code | number): Code => i32.inc(x, typeof n === 'number' ? c(n) : n);

/**
 * Stores zero vectors over [at, at + bytes), bytes a positive multiple of 16; `p` is a scratch local.
 * Padding rows and columns never reach C, but zeroing them keeps stale bytes (NaN, or denormals, which
 * x86 multiplies slowly) out of the arithmetic.
 */
function zeroFill(p: number, at: Code, bytes: Code, end: number): Code {
  return [
    ...local.set(p, at),
    ...local.set(end, i32.add(get(p), bytes)),
    ...doWhile(i32.ltU(get(p), get(end)), v128.store(get(p), v128.zero()), bump(p, 16)),
  ];
}

/**
 * packA(src, rs, cs, mc, kc, dst): packs the mc×kc block A(i, k) = f32[src + 4(i·rs + k·cs)] into
 * ⌈mc/MR⌉ stripes at dst, stripe s holding rows s·MR.. as w[s·kc·MR + kk·MR + r]; rows past mc are 0.
 */
function packA(): Func {
  const f = new Func('packA', 6);
  const [src, rs, cs, mc, kc, dst] = [0, 1, 2, 3, 4, 5];
  const [i, p, q, e, end, r, mr] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const rs4 = i32.mul(get(rs), c(4));
  const cs4 = i32.mul(get(cs), c(4));
  const stripeBytes = i32.mul(get(kc), c(4 * MR));
  f.body = [
    ...local.set(i, c(0)),
    ...doWhile(i32.ltU(get(i), get(mc)),
      local.set(p, i32.add(get(src), i32.mul(get(i), rs4))),
      ifElse(i32.and(i32.eq(get(rs), c(1)), i32.leU(i32.add(get(i), c(MR)), get(mc))), [
        // A stored transposed: a stripe's MR values at one k are adjacent, so copy one vector per k.
        local.set(end, i32.add(get(dst), stripeBytes)),
        doWhile(i32.ltU(get(dst), get(end)), v128.store(get(dst), v128.load(get(p))), bump(p, cs4), bump(dst, 16)),
      ], [
        local.set(mr, minU(c(MR), i32.sub(get(mc), get(i)))),
        ifElse(i32.ltU(get(mr), c(MR)), [zeroFill(q, get(dst), stripeBytes, end)]),
        // One row at a time: reads run along the row, writes step by MR floats.
        local.set(r, c(0)),
        doWhile(i32.ltU(get(r), get(mr)),
          local.set(q, i32.add(get(p), i32.mul(get(r), rs4))),
          local.set(e, i32.add(get(dst), i32.mul(get(r), c(4)))),
          local.set(end, i32.add(get(e), stripeBytes)),
          doWhile(i32.ltU(get(e), get(end)), f32.store(get(e), f32.load(get(q))), bump(q, cs4), bump(e, 4 * MR)),
          bump(r, 1)),
        bump(dst, stripeBytes),
      ]),
      bump(i, MR)),
  ];
  return f;
}

/**
 * packB(src, rs, cs, kc, nc, dst): packs the kc×nc block B(k, j) = f32[src + 4(k·rs + j·cs)] into
 * ⌈nc/NR⌉ panels at dst, panel p holding columns p·NR.. as w[p·kc·NR + kk·NR + c]; columns past nc are 0.
 */
function packB(): Func {
  const f = new Func('packB', 6);
  const [src, rs, cs, kc, nc, dst] = [0, 1, 2, 3, 4, 5];
  const [j, p, q, e, end, col, nr] = [f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const rs4 = i32.mul(get(rs), c(4));
  const cs4 = i32.mul(get(cs), c(4));
  const panelBytes = i32.mul(get(kc), c(4 * NR));
  f.body = [
    ...local.set(j, c(0)),
    ...doWhile(i32.ltU(get(j), get(nc)),
      local.set(p, i32.add(get(src), i32.mul(get(j), cs4))),
      ifElse(i32.and(i32.eq(get(cs), c(1)), i32.leU(i32.add(get(j), c(NR)), get(nc))), [
        // Row-major B: a panel's row is NR adjacent floats, two vectors per k.
        local.set(end, i32.add(get(dst), panelBytes)),
        doWhile(i32.ltU(get(dst), get(end)),
          v128.store(get(dst), v128.load(get(p))),
          v128.store(get(dst), v128.load(get(p), 16), 16),
          bump(p, rs4), bump(dst, 4 * NR)),
      ], [
        local.set(nr, minU(c(NR), i32.sub(get(nc), get(j)))),
        ifElse(i32.ltU(get(nr), c(NR)), [zeroFill(q, get(dst), panelBytes, end)]),
        // One column at a time: with B stored transposed the reads run along memory.
        local.set(col, c(0)),
        doWhile(i32.ltU(get(col), get(nr)),
          local.set(q, i32.add(get(p), i32.mul(get(col), cs4))),
          local.set(e, i32.add(get(dst), i32.mul(get(col), c(4)))),
          local.set(end, i32.add(get(e), panelBytes)),
          doWhile(i32.ltU(get(e), get(end)), f32.store(get(e), f32.load(get(q))), bump(q, rs4), bump(e, 4 * NR)),
          bump(col, 1)),
        bump(dst, panelBytes),
      ]),
      bump(j, NR)),
  ];
  return f;
}

/**
 * macro(ap, bp, cOut, mc, nc, kc, ldc, tile): C += A·B for packed A (mc×kc) and packed B (kc×nc), C
 * row-major with row stride ldc at cOut. Each MR×NR tile sums kc products in eight f32x4
 * accumulators, then adds them into C; edge tiles go through the 4×8 scratch `tile`.
 */
function macro(): Func {
  const f = new Func('macro', 8);
  const [ap, bp, cOut, mc, nc, kc, ldc, tile] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, j, pa, pb, panel, end, cp, t, r, cc, rows, cols] = [
    f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32),
    f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32), f.local(I32),
  ];
  const acc = Array.from({ length: 2 * MR }, () => f.local(V128));
  const [b0, b1, s] = [f.local(V128), f.local(V128), f.local(V128)];
  const ldc4 = i32.mul(get(ldc), c(4));
  // One k: b0, b1 = B(k, 0..3), B(k, 4..7); then per row r, s = A(r, k) in all lanes and
  // acc[2r] += s·b0, acc[2r+1] += s·b1 (16 multiply-adds from 6 loads).
  const step: Code[] = [local.set(b0, v128.load(get(pb))), local.set(b1, v128.load(get(pb), 16))];
  for (let row = 0; row < MR; row++) {
    step.push(
      local.set(s, v128.load32Splat(get(pa), 4 * row)),
      local.set(acc[2 * row]!, f32x4.add(get(acc[2 * row]!), f32x4.mul(get(s), get(b0)))),
      local.set(acc[2 * row + 1]!, f32x4.add(get(acc[2 * row + 1]!), f32x4.mul(get(s), get(b1)))),
    );
  }
  const fullTile: Code[] = [];
  for (let row = 0; row < MR; row++) {
    fullTile.push(
      v128.store(get(cp), f32x4.add(v128.load(get(cp)), get(acc[2 * row]!))),
      v128.store(get(cp), f32x4.add(v128.load(get(cp), 16), get(acc[2 * row + 1]!)), 16),
      bump(cp, ldc4),
    );
  }
  const edgeTile: Code[] = [
    ...acc.map((x, n) => v128.store(get(tile), get(x), 16 * n)),
    local.set(rows, minU(c(MR), i32.sub(get(mc), get(i)))),
    local.set(cols, i32.mul(minU(c(NR), i32.sub(get(nc), get(j))), c(4))), // bytes
    local.set(t, get(tile)),
    local.set(r, c(0)),
    doWhile(i32.ltU(get(r), get(rows)),
      local.set(cc, c(0)),
      doWhile(i32.ltU(get(cc), get(cols)),
        f32.store(i32.add(get(cp), get(cc)), f32.add(f32.load(i32.add(get(cp), get(cc))), f32.load(i32.add(get(t), get(cc))))),
        bump(cc, 4)),
      bump(cp, ldc4), bump(t, 4 * NR), bump(r, 1)),
  ];
  f.body = [
    ...local.set(j, c(0)),
    ...local.set(panel, get(bp)),
    ...doWhile(i32.ltU(get(j), get(nc)),
      local.set(i, c(0)),
      local.set(pa, get(ap)),
      doWhile(i32.ltU(get(i), get(mc)),
        ...acc.map((x) => local.set(x, v128.zero())),
        local.set(pb, get(panel)),
        local.set(end, i32.add(get(pb), i32.mul(get(kc), c(4 * NR)))),
        doWhile(i32.ltU(get(pb), get(end)), ...step, bump(pa, 4 * MR), bump(pb, 4 * NR)),
        local.set(cp, i32.add(get(cOut), i32.mul(i32.add(i32.mul(get(i), get(ldc)), get(j)), c(4)))),
        ifElse(i32.and(i32.leU(i32.add(get(i), c(MR)), get(mc)), i32.leU(i32.add(get(j), c(NR)), get(nc))), fullTile, edgeTile),
        bump(i, MR)),
      bump(j, NR),
      local.set(panel, get(end))),
  ];
  return f;
}

/** The module's bytes: memory (one page to start, grown by the caller) and packA, packB, macro. */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([packA(), packB(), macro()], 1);
}
