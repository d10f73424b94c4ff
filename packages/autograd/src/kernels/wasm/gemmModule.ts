// The float32 GEMM's WebAssembly functions, assembled with emit.ts. All pointers are byte addresses
// in the module's memory and all strides count float32 elements. The register tile is mr×nr (nr a
// multiple of 4): packed A holds mr-row stripes stored k-major (w[kk·mr + r]), packed B holds
// nr-column panels stored k-major (w[kk·nr + c]). Which tile fits is V8's question: see GEMM_CONFIGS
// in gemm.ts.
import { Func, I32, V128, doWhile, f32, f32x4, i32, ifElse, local, moduleBytes, v128, type Code } from './emit.js';
import { col2imFunc, im2colFunc } from './windowModule.js';
import { gruCellBackwardFunc, gruCellFunc, lstmCellBackwardFunc, lstmCellFunc } from './cellModule.js';
import { addRowsFunc, addScaledFunc, binaryFunc, reluBackwardFunc, reluFunc } from './elementwiseModule.js';
import { sumInnerFunc, sumRowsFunc } from './reduceModule.js';
import { maxPool2x2Func, maxUnpool2x2Func } from './maxPoolModule.js';

/** The shape of the register tile and the multiply-add the micro-kernel uses. */
export interface TileShape {
  /** Rows of the register tile (rows of C per micro-kernel call). */
  readonly mr: number;
  /** Columns of the register tile, a multiple of 4 (nr/4 f32x4 vectors per row). */
  readonly nr: number;
  /** Whether to use relaxed SIMD's `f32x4.relaxed_madd` (a fused multiply-add where the CPU has one). */
  readonly relaxed: boolean;
}

const { get } = local;
const c = i32.const;

/** The smaller of two unsigned values. */
const minU = (x: Code, y: Code): Code => i32.select(x, y, i32.leU(x, y));
/** `local += n`, for pointers and counters. */
const bump = (x: number, n: Code | number): Code => i32.inc(x, typeof n === 'number' ? c(n) : n);
/** 0, 1, …, n-1. */
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Stores zeros over [at, at + bytes), bytes a positive multiple of `step` (16: vectors, 4: floats);
 * `p` is a scratch local. Padding rows and columns never reach C, but zeroing them keeps stale bytes
 * (NaN, or denormals, which x86 multiplies slowly) out of the arithmetic.
 */
function zeroFill(p: number, at: Code, bytes: Code, end: number, step: 4 | 16 = 16): Code {
  const zero = step === 16 ? v128.store(get(p), v128.zero()) : f32.store(get(p), f32.const(0));
  return [
    ...local.set(p, at),
    ...local.set(end, i32.add(get(p), bytes)),
    ...doWhile(i32.ltU(get(p), get(end)), zero, bump(p, step)),
  ];
}

/** Copies `n` adjacent floats from `from` to `to` (both locals holding addresses): vectors, then scalars. */
function copyFloats(from: number, to: number, n: number): Code[] {
  const out: Code[] = [];
  for (let x = 0; x + 4 <= n; x += 4) out.push(v128.store(get(to), v128.load(get(from), 4 * x), 4 * x));
  for (let x = n - (n % 4); x < n; x++) out.push(f32.store(get(to), f32.load(get(from), 4 * x), 4 * x));
  return out;
}

/**
 * Copies a lanes×kc block stored lane-major (each lane's kc floats adjacent, lane l at from + off[l]
 * bytes) into kc k-major rows of `lanes` floats at `to`: four k at a time through 4×4 transposes in
 * registers, the last kc mod 4 one float at a time. `from` and `to` are locals it advances; lanes is
 * a multiple of 4; `off` holds locals with l·(lane stride in bytes); `end` is a scratch local.
 */
function transposeCopy(f: Func, lanes: number, from: number, to: number, off: readonly number[], kc: Code, end: number): Code[] {
  const r = range(4).map(() => f.local(V128));
  const t = range(4).map(() => f.local(V128));
  const lane = (l: number): Code => (l === 0 ? get(from) : i32.add(get(from), get(off[l]!)));
  const group: Code[] = [];
  for (let g = 0; g < lanes; g += 4) {
    // r[i] = lane g+i at k..k+3; after the transpose, row kk holds k+kk of lanes g..g+3.
    group.push(...r.map((x, i) => local.set(x, v128.load(lane(g + i)))));
    group.push(
      local.set(t[0]!, v128.shuffle32(get(r[0]!), get(r[1]!), [0, 4, 1, 5])),
      local.set(t[1]!, v128.shuffle32(get(r[2]!), get(r[3]!), [0, 4, 1, 5])),
      local.set(t[2]!, v128.shuffle32(get(r[0]!), get(r[1]!), [2, 6, 3, 7])),
      local.set(t[3]!, v128.shuffle32(get(r[2]!), get(r[3]!), [2, 6, 3, 7])),
    );
    const row = (kk: number, x: Code) => v128.store(get(to), x, 4 * (kk * lanes + g));
    group.push(
      row(0, v128.shuffle32(get(t[0]!), get(t[1]!), [0, 1, 4, 5])),
      row(1, v128.shuffle32(get(t[0]!), get(t[1]!), [2, 3, 6, 7])),
      row(2, v128.shuffle32(get(t[2]!), get(t[3]!), [0, 1, 4, 5])),
      row(3, v128.shuffle32(get(t[2]!), get(t[3]!), [2, 3, 6, 7])),
    );
  }
  const one: Code[] = range(lanes).map((l) => f32.store(get(to), f32.load(lane(l)), 4 * l));
  return [
    local.set(end, i32.add(get(to), i32.mul(i32.and(kc, c(~3)), c(4 * lanes)))),
    ifElse(i32.ltU(get(to), get(end)), [doWhile(i32.ltU(get(to), get(end)), ...group, bump(from, 16), bump(to, 16 * lanes))]),
    local.set(end, i32.add(get(end), i32.mul(i32.and(kc, c(3)), c(4 * lanes)))),
    ifElse(i32.ltU(get(to), get(end)), [doWhile(i32.ltU(get(to), get(end)), ...one, bump(from, 4), bump(to, 4 * lanes))]),
  ];
}

/**
 * packA(src, rs, cs, mc, kc, dst): packs the mc×kc block A(i, k) = f32[src + 4(i·rs + k·cs)] into
 * ⌈mc/mr⌉ stripes at dst, stripe s holding rows s·mr.. as w[s·kc·mr + kk·mr + r]; rows past mc are 0.
 */
function packA(mr: number): Func {
  const f = new Func('packA', 6);
  const [src, rs, cs, mc, kc, dst] = [0, 1, 2, 3, 4, 5];
  const [i, p, q, e, end, r, rows] = range(7).map(() => f.local(I32)) as [number, number, number, number, number, number, number];
  const rs4 = i32.mul(get(rs), c(4));
  const cs4 = i32.mul(get(cs), c(4));
  const stripeBytes = i32.mul(get(kc), c(4 * mr));
  const full = i32.eq(get(rows), c(mr));
  // A stored transposed (rs = 1): a stripe's mr values at one k are adjacent.
  const transposed: Code[] = [
    local.set(end, i32.add(get(dst), stripeBytes)),
    doWhile(i32.ltU(get(dst), get(end)), ...copyFloats(p, dst, mr), bump(p, cs4), bump(dst, 4 * mr)),
  ];
  // Any layout, and partial stripes: one row at a time, reads along the row, writes mr floats apart.
  const general: Code[] = [
    ifElse(i32.ltU(get(rows), c(mr)), [zeroFill(q, get(dst), stripeBytes, end, mr % 4 === 0 ? 16 : 4)]),
    local.set(r, c(0)),
    doWhile(i32.ltU(get(r), get(rows)),
      local.set(q, i32.add(get(p), i32.mul(get(r), rs4))),
      local.set(e, i32.add(get(dst), i32.mul(get(r), c(4)))),
      local.set(end, i32.add(get(e), stripeBytes)),
      doWhile(i32.ltU(get(e), get(end)), f32.store(get(e), f32.load(get(q))), bump(q, cs4), bump(e, 4 * mr)),
      bump(r, 1)),
    bump(dst, stripeBytes),
  ];
  // Row-major A (cs = 1), for tile heights that are a multiple of 4: four k per row, transposed in
  // registers (a third of the scalar path's time).
  const off = mr % 4 === 0 ? range(mr).map(() => f.local(I32)) : [];
  const rowMajor: Code[] = [local.set(q, get(p)), local.set(e, get(dst)), ...transposeCopy(f, mr, q, e, off, get(kc), end), bump(dst, stripeBytes)];
  f.body = [
    ...off.flatMap((x, l) => local.set(x, i32.mul(c(l), rs4))),
    ...local.set(i, c(0)),
    ...doWhile(i32.ltU(get(i), get(mc)),
      local.set(p, i32.add(get(src), i32.mul(get(i), rs4))),
      local.set(rows, minU(c(mr), i32.sub(get(mc), get(i)))),
      ifElse(i32.and(i32.eq(get(rs), c(1)), full), transposed,
        off.length === 0 ? general : [ifElse(i32.and(i32.eq(get(cs), c(1)), full), rowMajor, general)]),
      bump(i, mr)),
  ];
  return f;
}

/**
 * packB(src, rs, cs, kc, nc, dst): packs the kc×nc block B(k, j) = f32[src + 4(k·rs + j·cs)] into
 * ⌈nc/nr⌉ panels at dst, panel p holding columns p·nr.. as w[p·kc·nr + kk·nr + c]; columns past nc are 0.
 */
function packB(nr: number): Func {
  const f = new Func('packB', 6);
  const [src, rs, cs, kc, nc, dst] = [0, 1, 2, 3, 4, 5];
  const [j, p, q, e, end, col, cols] = range(7).map(() => f.local(I32)) as [number, number, number, number, number, number, number];
  const rs4 = i32.mul(get(rs), c(4));
  const cs4 = i32.mul(get(cs), c(4));
  const panelBytes = i32.mul(get(kc), c(4 * nr));
  const full = i32.eq(get(cols), c(nr));
  // Row-major B (cs = 1): a panel's row is nr adjacent floats.
  const rowMajor: Code[] = [
    local.set(end, i32.add(get(dst), panelBytes)),
    doWhile(i32.ltU(get(dst), get(end)), ...copyFloats(p, dst, nr), bump(p, rs4), bump(dst, 4 * nr)),
  ];
  // B stored transposed (rs = 1): four k per column, transposed in registers.
  const off = range(nr).map(() => f.local(I32));
  const transposed: Code[] = [local.set(q, get(p)), local.set(e, get(dst)), ...transposeCopy(f, nr, q, e, off, get(kc), end), bump(dst, panelBytes)];
  // Any layout, and partial panels: one column at a time, writes nr floats apart.
  const general: Code[] = [
    ifElse(i32.ltU(get(cols), c(nr)), [zeroFill(q, get(dst), panelBytes, end)]),
    local.set(col, c(0)),
    doWhile(i32.ltU(get(col), get(cols)),
      local.set(q, i32.add(get(p), i32.mul(get(col), cs4))),
      local.set(e, i32.add(get(dst), i32.mul(get(col), c(4)))),
      local.set(end, i32.add(get(e), panelBytes)),
      doWhile(i32.ltU(get(e), get(end)), f32.store(get(e), f32.load(get(q))), bump(q, rs4), bump(e, 4 * nr)),
      bump(col, 1)),
    bump(dst, panelBytes),
  ];
  f.body = [
    ...off.flatMap((x, l) => local.set(x, i32.mul(c(l), cs4))),
    ...local.set(j, c(0)),
    ...doWhile(i32.ltU(get(j), get(nc)),
      local.set(p, i32.add(get(src), i32.mul(get(j), cs4))),
      local.set(cols, minU(c(nr), i32.sub(get(nc), get(j)))),
      ifElse(i32.and(i32.eq(get(cs), c(1)), full), rowMajor,
        [ifElse(i32.and(i32.eq(get(rs), c(1)), full), transposed, general)]),
      bump(j, nr)),
  ];
  return f;
}

/**
 * macro(ap, bp, cOut, mc, nc, kc, ldc, tile): C += A·B for packed A (mc×kc) and packed B (kc×nc), C
 * row-major with row stride ldc at cOut. Each mr×nr tile sums kc products in mr·nr/4 f32x4
 * accumulators, then adds them into C; edge tiles go through the mr×nr scratch `tile`.
 */
function macro({ mr, nr, relaxed }: TileShape): Func {
  const f = new Func('macro', 8);
  const [ap, bp, cOut, mc, nc, kc, ldc, tile] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [i, j, pa, pb, panel, end, cp, t, r, cc, rows, cols] = range(12).map(() => f.local(I32)) as
    [number, number, number, number, number, number, number, number, number, number, number, number];
  const nv = nr / 4;
  const acc = range(mr * nv).map(() => f.local(V128));
  const b = range(nv).map(() => f.local(V128));
  const s = f.local(V128);
  const ldc4 = i32.mul(get(ldc), c(4));
  const madd = (x: Code, y: Code, z: Code): Code => relaxed ? f32x4.relaxedMadd(x, y, z) : f32x4.add(z, f32x4.mul(x, y));
  // One k: b[v] = B(k, 4v..4v+3); then per row r, s = A(r, k) in all lanes and acc[r·nv + v] += s·b[v].
  const step: Code[] = b.map((x, v) => local.set(x, v128.load(get(pb), 16 * v)));
  for (let row = 0; row < mr; row++) {
    step.push(local.set(s, v128.load32Splat(get(pa), 4 * row)));
    for (let v = 0; v < nv; v++) step.push(local.set(acc[row * nv + v]!, madd(get(s), get(b[v]!), get(acc[row * nv + v]!))));
  }
  const fullTile: Code[] = [];
  for (let row = 0; row < mr; row++) {
    for (let v = 0; v < nv; v++) fullTile.push(v128.store(get(cp), f32x4.add(v128.load(get(cp), 16 * v), get(acc[row * nv + v]!)), 16 * v));
    fullTile.push(bump(cp, ldc4));
  }
  const edgeTile: Code[] = [
    ...acc.map((x, n) => v128.store(get(tile), get(x), 16 * n)),
    local.set(rows, minU(c(mr), i32.sub(get(mc), get(i)))),
    local.set(cols, i32.mul(minU(c(nr), i32.sub(get(nc), get(j))), c(4))), // bytes
    local.set(t, get(tile)),
    local.set(r, c(0)),
    doWhile(i32.ltU(get(r), get(rows)),
      local.set(cc, c(0)),
      doWhile(i32.ltU(get(cc), get(cols)),
        f32.store(i32.add(get(cp), get(cc)), f32.add(f32.load(i32.add(get(cp), get(cc))), f32.load(i32.add(get(t), get(cc))))),
        bump(cc, 4)),
      bump(cp, ldc4), bump(t, 4 * nr), bump(r, 1)),
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
        local.set(end, i32.add(get(pb), i32.mul(get(kc), c(4 * nr)))),
        doWhile(i32.ltU(get(pb), get(end)), ...step, bump(pa, 4 * mr), bump(pb, 4 * nr)),
        local.set(cp, i32.add(get(cOut), i32.mul(i32.add(i32.mul(get(i), get(ldc)), get(j)), c(4)))),
        ifElse(i32.and(i32.leU(i32.add(get(i), c(mr)), get(mc)), i32.leU(i32.add(get(j), c(nr)), get(nc))), fullTile, edgeTile),
        bump(i, mr)),
      bump(j, nr),
      local.set(panel, get(end))),
  ];
  return f;
}

/**
 * The module's bytes for one tile shape: memory (one page to start, grown by the caller) and packA,
 * packB, macro, plus im2col and col2im for convolutions (windowModule.ts), the LSTM and GRU cells and their backwards (cellModule.ts), and
 * float32 elementwise kernels, sums and 2×2 max pooling (elementwiseModule.ts, reduceModule.ts, maxPoolModule.ts). With `sharedMaxPages` the memory is imported (`env.memory`), shared, of at most that
 * many pages: the threaded GEMM's instances all run on one such memory.
 */
export function gemmModuleBytes(shape: TileShape, sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  if (!(shape.mr >= 1 && shape.nr >= 4 && shape.nr % 4 === 0)) throw new Error(`gemmModuleBytes: bad tile ${shape.mr}×${shape.nr}`);
  // Emitting takes a few milliseconds; the start-up check validates the bytes the first product then compiles.
  const key = `${shape.mr}x${shape.nr}${shape.relaxed ? 'r' : ''}:${sharedMaxPages ?? ''}`;
  let bytes = emitted.get(key);
  if (bytes === undefined) {
    const funcs = [packA(shape.mr), packB(shape.nr), macro(shape), im2colFunc(), col2imFunc(), lstmCellFunc(), lstmCellBackwardFunc(), gruCellFunc(), gruCellBackwardFunc(),
      reluFunc(), reluBackwardFunc(), addRowsFunc(), addScaledFunc(), binaryFunc('add'), binaryFunc('sub'), binaryFunc('mul'), binaryFunc('div'),
      sumRowsFunc(), sumInnerFunc(), maxPool2x2Func(), maxUnpool2x2Func()];
    bytes = sharedMaxPages === undefined ? moduleBytes(funcs, 1) : moduleBytes(funcs, 1, { maximum: sharedMaxPages });
    emitted.set(key, bytes);
  }
  return bytes;
}

// Module bytes by tile shape and memory, emitted once (nothing writes into them).
const emitted = new Map<string, Uint8Array<ArrayBuffer>>();
