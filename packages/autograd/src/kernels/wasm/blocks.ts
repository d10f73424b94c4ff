// The blocked loop around the GEMM module's packA, packB and macro, shared by the one-thread GEMM,
// the calling thread's share of a threaded product and the workers. The workers receive its source
// text (gemmWorker.ts), so `runBlocks` refers to nothing but its parameters and globals.

/** The GEMM module's exports (gemmModule.ts). */
export interface GemmFns {
  packA(src: number, rs: number, cs: number, mc: number, kc: number, dst: number): void;
  packB(src: number, rs: number, cs: number, kc: number, nc: number, dst: number): void;
  macro(ap: number, bp: number, c: number, mc: number, nc: number, kc: number, ldc: number, tile: number): void;
}

/** A register tile and its cache blocking (the numbers of a GemmConfig). */
export interface Blocking {
  readonly mr: number;
  readonly nr: number;
  readonly mc: number;
  readonly kc: number;
  readonly nc: number;
}

/** Where one thread packs: its mr×nr edge tile, packed A and packed B (byte addresses). */
export interface Scratch {
  readonly tile: number;
  readonly packedA: number;
  readonly packedB: number;
}

/** WebAssembly's page size in bytes. */
export const PAGE = 65536;
/** The most bytes a GEMM memory grows to: past 1 GiB the copies are unlikely to fit next to the JS heap, and the product takes the JS kernel. */
export const MAX_BYTES = 2 ** 30;

/** `bytes` rounded up to a multiple of 16 (one SIMD vector). */
export function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** Where a product's copies of A [M×K], B [K×N] and C [M×N] go from byte `base`, each 16-byte aligned, and where they end. */
export function copyLayout(base: number, M: number, K: number, N: number): { aAt: number; bAt: number; cAt: number; end: number } {
  const aAt = base;
  const bAt = aAt + align16(M * K * 4);
  const cAt = bAt + align16(K * N * 4);
  return { aAt, bAt, cAt, end: cAt + M * N * 4 };
}

/** Bytes of one thread's scratch for a blocking, and the offsets of its parts from its start. */
export function scratchLayout({ mr, nr, mc, kc, nc }: Blocking): { bytes: number; tile: number; packedA: number; packedB: number } {
  const packedA = align16(mr * nr * 4);
  const packedB = align16(packedA + Math.ceil(mc / mr) * mr * kc * 4);
  return { bytes: align16(packedB + Math.ceil(nc / nr) * nr * kc * 4), tile: 0, packedA, packedB };
}

/**
 * C(i, j) += Σ_k A(i, k)·B(k, j) for i < M, j < N, with A(i, k) = f32[aAt + 4(i·ars + k·acs)],
 * B(k, j) = f32[bAt + 4(k·brs + j·bcs)] and C(i, j) = f32[cAt + 4(i·ldc + j)]. K is cut into equal
 * slices that depend on K alone, and each entry sums its slices in order, so an entry's value does
 * not depend on M, N or where the entry sits: a row block or column panel of a product, computed by
 * any thread, gives the same bits as the whole product.
 */
export function runBlocks(
  w: GemmFns, s: Scratch, { mr, nr, mc: MC, kc: KC, nc: NC }: Blocking,
  aAt: number, ars: number, acs: number, bAt: number, brs: number, bcs: number, cAt: number, ldc: number,
  M: number, K: number, N: number,
): void {
  // Equal blocks, each within the configured size: K = 784 runs as 4 slices of 196, not 3 of 256
  // and a thin one of 16 whose tiles would be mostly load and store.
  const ncStep = Math.ceil(Math.ceil(N / Math.ceil(N / NC)) / nr) * nr;
  const kcStep = Math.ceil(K / Math.ceil(K / KC));
  const mcStep = Math.ceil(Math.ceil(M / Math.ceil(M / MC)) / mr) * mr;
  for (let j0 = 0; j0 < N; j0 += ncStep) {
    const nc = Math.min(ncStep, N - j0);
    for (let k0 = 0; k0 < K; k0 += kcStep) {
      const kc = Math.min(kcStep, K - k0);
      w.packB(bAt + 4 * (k0 * brs + j0 * bcs), brs, bcs, kc, nc, s.packedB);
      for (let i0 = 0; i0 < M; i0 += mcStep) {
        const mc = Math.min(mcStep, M - i0);
        w.packA(aAt + 4 * (i0 * ars + k0 * acs), ars, acs, mc, kc, s.packedA);
        w.macro(s.packedA, s.packedB, cAt + 4 * (i0 * ldc + j0), mc, nc, kc, ldc, s.tile);
      }
    }
  }
}
