import { MR, NR, gemmModuleBytes } from './gemmModule.js';

// Blocking as GotoBLAS: a KC-deep slice of B, NC columns wide and packed into NR-wide panels (512 KB),
// stays in L2 while MC-row blocks of A (128 KB packed) stream past it; the 4×8 micro-kernel reuses
// one 8 KB B panel from L1 across every MR-row stripe of the A block.
const KC = 256;
const MC = 128;
const NC = 512;

// Memory layout (bytes): the edge tile, packed A, packed B, then copies of A, B and the C segment.
const TILE = 0;
const PACKED_A = TILE + MR * NR * 4;
const PACKED_B = PACKED_A + MC * KC * 4;
const COPIES = PACKED_B + KC * NC * 4;
// Past 1 GiB the copies are unlikely to fit next to the JS heap; such products take the JS kernel.
const MAX_BYTES = 2 ** 30;
const PAGE = 65536;
// Memory grown past this for one product is released after it.
const RELEASE_BYTES = 2 ** 27;

interface GemmExports {
  memory: WebAssembly.Memory;
  packA(src: number, rs: number, cs: number, mc: number, kc: number, dst: number): void;
  packB(src: number, rs: number, cs: number, kc: number, nc: number, dst: number): void;
  macro(ap: number, bp: number, c: number, mc: number, nc: number, kc: number, ldc: number, tile: number): void;
}

// undefined until first use, then the instance or null when this runtime lacks WebAssembly SIMD.
let instance: GemmExports | null | undefined;
let heap = new Float32Array(0);

function load(): GemmExports | null {
  if (instance !== undefined) return instance;
  const bytes = gemmModuleBytes();
  instance = null;
  if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) {
    try {
      instance = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as GemmExports;
    } catch {
      // Compiling can still be refused (a page whose Content-Security-Policy lacks 'wasm-unsafe-eval').
      instance = null;
    }
  }
  return instance;
}

/**
 * Whether this runtime runs the WebAssembly SIMD GEMM (Node ≥ 16.4 and current browsers do); when it
 * does not, `gemmF32` returns false and callers use the JS kernel.
 * @example if (!wasmGemmSupported()) console.warn('float32 matmul falls back to JS')
 */
export function wasmGemmSupported(): boolean {
  return load() !== null;
}

const align16 = (bytes: number): number => (bytes + 15) & ~15;

/**
 * out[oOff + M×N] += op(A)·op(B) for float32 arrays, with the operand layouts of
 * `matmulTransposedInto` (`transA`: A is stored K×M; `transB`: B is stored N×K). Runs in WebAssembly
 * with f32x4 arithmetic and float32 accumulation. Returns false, leaving `out` untouched, when
 * WebAssembly SIMD is unavailable or the operands would need more than 1 GiB of wasm memory.
 * @example gemmF32(x, 0, false, w, 0, true, y, 0, 64, 784, 128) // y (64×128) += x · wᵀ, w [128, 784]
 */
export function gemmF32(
  a: Float32Array, aOff: number, transA: boolean,
  b: Float32Array, bOff: number, transB: boolean,
  out: Float32Array, oOff: number,
  M: number, K: number, N: number,
): boolean {
  const w = load();
  if (w === null) return false;
  if (M === 0 || N === 0 || K === 0) return true;
  const aAt = COPIES;
  const bAt = aAt + align16(M * K * 4);
  const cAt = bAt + align16(K * N * 4);
  const end = cAt + M * N * 4;
  if (end > MAX_BYTES) return false;
  if (w.memory.buffer.byteLength < end) {
    try {
      w.memory.grow(Math.ceil((end - w.memory.buffer.byteLength) / PAGE));
    } catch {
      return false; // the engine refused more memory: the JS kernel takes this product
    }
  }
  if (heap.buffer !== w.memory.buffer) heap = new Float32Array(w.memory.buffer);
  heap.set(a.subarray(aOff, aOff + M * K), aAt >> 2);
  heap.set(b.subarray(bOff, bOff + K * N), bAt >> 2);
  heap.set(out.subarray(oOff, oOff + M * N), cAt >> 2);
  // A(i, k) = A[i·ars + k·acs] and B(k, j) = B[k·brs + j·bcs] in the copies.
  const ars = transA ? 1 : K, acs = transA ? M : 1;
  const brs = transB ? 1 : N, bcs = transB ? K : 1;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = Math.min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = Math.min(KC, K - k0);
      w.packB(bAt + 4 * (k0 * brs + j0 * bcs), brs, bcs, kc, nc, PACKED_B);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = Math.min(MC, M - i0);
        w.packA(aAt + 4 * (i0 * ars + k0 * acs), ars, acs, mc, kc, PACKED_A);
        w.macro(PACKED_A, PACKED_B, cAt + 4 * (i0 * N + j0), mc, nc, kc, N, TILE);
      }
    }
  }
  out.set(heap.subarray(cAt >> 2, (cAt >> 2) + M * N), oOff);
  // Wasm memory cannot shrink: after an unusually large product, drop the instance (and its memory);
  // the next call compiles the 1.5 KB module again.
  if (end > RELEASE_BYTES) {
    instance = undefined;
    heap = new Float32Array(0);
  }
  return true;
}
