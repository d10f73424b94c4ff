import type { TypedArray } from '../../dtype.js';

// The JS GEMM: every float64 product, and the float32 ones that kernels/matmul.ts keeps off the wasm
// kernel (tiny products, or a runtime without WebAssembly SIMD).

// Tile and block sizes. A 4×4 register tile is the sweet spot for V8: 16 accumulators plus 8
// operands is about what TurboFan keeps in xmm registers (wider tiles spill more, narrower ones load
// more per flop). KC×NC doubles of packed B (512 KB) stay in L2 while every 4-row stripe of A walks it.
const MR = 4;
const NR = 4;
const KC = 256;
const NC = 256;

// One packing buffer reused across calls (JS is single-threaded and the kernel never re-enters).
// It is float64 whatever the input dtype, so the inner loop is monomorphic and skips float32 widening.
const scratch = new Float64Array(MR * KC + KC * NC);

/**
 * out[oOff + M×N] += a[aOff + M×K] · b[bOff + K×N], all row-major.
 * @example matmulInto(a, 0, b, 0, out, 0, 2, 3, 4) // out (2×4) += a (2×3) · b (3×4)
 */
export function matmulInto(
  a: TypedArray, aOff: number,
  b: TypedArray, bOff: number,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
): void {
  gemm(a, aOff, K, 1, b, bOff, N, 1, out, oOff, M, K, N);
}

/**
 * As `matmulInto`, but either operand may be stored transposed, which saves the caller a transpose
 * copy: with `transA` the M×K operand is read from a K×M row-major array (and likewise `transB`
 * reads the K×N operand from an N×K array). out stays M×N row-major and is accumulated into.
 * @example matmulTransposedInto(x, 0, false, w, 0, true, y, 0, B, nIn, nOut) // y += x · wᵀ, w [nOut, nIn]
 */
export function matmulTransposedInto(
  a: TypedArray, aOff: number, transA: boolean,
  b: TypedArray, bOff: number, transB: boolean,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
): void {
  gemm(a, aOff, transA ? 1 : K, transA ? M : 1, b, bOff, transB ? 1 : N, transB ? K : 1, out, oOff, M, K, N);
}

/**
 * out += A·B where A(i,k) = a[aOff + i·ars + k·acs] and B(k,j) = b[bOff + k·brs + j·bcs].
 * Blocked as GotoBLAS: for each NC-column block and KC-deep slice, B is packed into NR-wide panels;
 * for each MR-row stripe, A is packed; then a register-tiled micro-kernel sweeps the panels.
 */
function gemm(
  a: TypedArray, aOff: number, ars: number, acs: number,
  b: TypedArray, bOff: number, brs: number, bcs: number,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
): void {
  if (M === 0 || N === 0 || K === 0) return;
  // Packing pads a stripe to MR rows (or a panel to NR columns); with fewer rows or columns than that
  // most of the tile would be padding, so a direct loop wins.
  if (M < MR || N < NR) {
    direct(a, aOff, ars, acs, b, bOff, brs, bcs, out, oOff, M, K, N);
    return;
  }
  const w = scratch;
  const AP = MR * KC; // the A stripe sits at w[0, AP), the B panels after it
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = Math.min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      packB(b, bOff + k0 * brs + j0 * bcs, brs, bcs, kc, nc, w, AP);
      for (let i0 = 0; i0 < M; i0 += MR) {
        const mr = Math.min(MR, M - i0);
        packA(a, aOff + i0 * ars + k0 * acs, ars, acs, mr, kc, w);
        for (let jp = 0; jp < nc; jp += NR) {
          micro(w, AP + jp * kc, kc, out, oOff + i0 * N + j0 + jp, N, mr, Math.min(NR, nc - jp));
        }
      }
    }
  }
}

/** Packs an mr×kc block of A as w[kk·MR + r], zero-padding rows mr..MR-1. Reads run along memory. */
function packA(a: TypedArray, off: number, ars: number, acs: number, mr: number, kc: number, w: Float64Array): void {
  if (mr < MR) w.fill(0, 0, kc * MR);
  if (acs === 1) {
    for (let r = 0; r < mr; r++) {
      const src = off + r * ars;
      for (let kk = 0, d = r; kk < kc; kk++, d += MR) w[d] = a[src + kk]!;
    }
  } else {
    for (let kk = 0, d = 0; kk < kc; kk++, d += MR) {
      const src = off + kk * acs;
      for (let r = 0; r < mr; r++) w[d + r] = a[src + r * ars]!;
    }
  }
}

/**
 * Packs a kc×nc block of B into NR-wide panels: panel p at w[at + p·kc·NR], element w[.. + kk·NR + c],
 * zero-padding the last panel's missing columns. Reads run along memory.
 */
function packB(b: TypedArray, off: number, brs: number, bcs: number, kc: number, nc: number, w: Float64Array, at: number): void {
  const full = nc - (nc % NR);
  if (full < nc) w.fill(0, at + full * kc, at + (full + NR) * kc);
  if (bcs === 1) {
    for (let kk = 0; kk < kc; kk++) {
      const src = off + kk * brs;
      let d = at + kk * NR;
      let j = 0;
      for (; j < full; j += NR, d += kc * NR) {
        w[d] = b[src + j]!; w[d + 1] = b[src + j + 1]!; w[d + 2] = b[src + j + 2]!; w[d + 3] = b[src + j + 3]!;
      }
      for (let c = 0; j < nc; j++, c++) w[d + c] = b[src + j]!;
    }
  } else {
    for (let j = 0; j < nc; j++) {
      const src = off + j * bcs;
      const c = j % NR;
      for (let kk = 0, d = at + (j - c) * kc + c; kk < kc; kk++, d += NR) w[d] = b[src + kk * brs]!;
    }
  }
}

// Per k: 4 loads of A and 4 of B feed 16 multiply-adds into locals; out is touched once per tile.
function micro(w: Float64Array, p: number, kc: number, out: TypedArray, o: number, N: number, mr: number, nr: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = p + kc * NR;
  for (let q = 0; p < end; p += NR, q += MR) {
    const b0 = w[p]!, b1 = w[p + 1]!, b2 = w[p + 2]!, b3 = w[p + 3]!;
    const a0 = w[q]!, a1 = w[q + 1]!, a2 = w[q + 2]!, a3 = w[q + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (mr === MR && nr === NR) {
    out[o] = out[o]! + c00; out[o + 1] = out[o + 1]! + c01; out[o + 2] = out[o + 2]! + c02; out[o + 3] = out[o + 3]! + c03; o += N;
    out[o] = out[o]! + c10; out[o + 1] = out[o + 1]! + c11; out[o + 2] = out[o + 2]! + c12; out[o + 3] = out[o + 3]! + c13; o += N;
    out[o] = out[o]! + c20; out[o + 1] = out[o + 1]! + c21; out[o + 2] = out[o + 2]! + c22; out[o + 3] = out[o + 3]! + c23; o += N;
    out[o] = out[o]! + c30; out[o + 1] = out[o + 1]! + c31; out[o + 2] = out[o + 2]! + c32; out[o + 3] = out[o + 3]! + c33;
    return;
  }
  const tile = edgeTile;
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
  for (let r = 0; r < mr; r++) for (let c = 0; c < nr; c++) out[o + r * N + c] = out[o + r * N + c]! + tile[r * NR + c]!;
}
const edgeTile = new Float64Array(MR * NR);

// Fewer than MR rows or NR columns. With a row-major B at least NR wide, one pass per output row
// streams contiguous rows of B into a float64 row (so float32 sums round once, as in the tiled path);
// otherwise each output is a dot product held in a local.
function direct(
  a: TypedArray, aOff: number, ars: number, acs: number,
  b: TypedArray, bOff: number, brs: number, bcs: number,
  out: TypedArray, oOff: number,
  M: number, K: number, N: number,
): void {
  const row = scratch;
  for (let i = 0; i < M; i++) {
    const ai = aOff + i * ars;
    const oi = oOff + i * N;
    if (bcs === 1 && N >= NR) {
      for (let j0 = 0; j0 < N; j0 += row.length) {
        const n = Math.min(row.length, N - j0);
        row.fill(0, 0, n);
        for (let k = 0; k < K; k++) {
          const x = a[ai + k * acs]!;
          const bk = bOff + k * brs + j0;
          for (let j = 0; j < n; j++) row[j] = row[j]! + x * b[bk + j]!;
        }
        for (let j = 0; j < n; j++) out[oi + j0 + j] = out[oi + j0 + j]! + row[j]!;
      }
    } else {
      for (let j = 0; j < N; j++) {
        const bj = bOff + j * bcs;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ai + k * acs]! * b[bj + k * brs]!;
        out[oi + j] = out[oi + j]! + s;
      }
    }
  }
}
