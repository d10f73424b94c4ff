import { copyLayout, MAX_BYTES, PAGE, runBlocks, scratchLayout, type Blocking, type GemmFns, type Scratch } from './blocks.js';
import { gemmModuleBytes, type TileShape } from './gemmModule.js';
import { threadCount, threadPool } from './threads.js';

/** One GEMM configuration: the register tile and the cache blocking around it. */
export interface GemmConfig {
  readonly shape: TileShape;
  /** Most rows of A packed per block (its packed block should stay in L2). The blocks of one product
   * are equal, each a multiple of shape.mr (so rounded up to one when mc is not). */
  readonly mc: number;
  /** Most k per packed slice of A and B (one B panel, kc×nr, should stay in L1). */
  readonly kc: number;
  /** Most columns of B packed per slice; as mc, rounded to multiples of shape.nr. */
  readonly nc: number;
}

/**
 * out[oOff + M×N] += op(A)·op(B), as `gemmF32`; returns false, leaving `out` untouched, when it cannot
 * run (no WebAssembly SIMD, compiling refused, or too much memory needed). `zeroed` says that the
 * caller's out is all zeros there (a fresh output), so it is zeroed in wasm memory instead of copied in.
 */
export type GemmF32 = (
  a: Float32Array, aOff: number, transA: boolean,
  b: Float32Array, bOff: number, transB: boolean,
  out: Float32Array, oOff: number,
  M: number, K: number, N: number,
  zeroed?: boolean,
) => boolean;

/** The GEMM module's exports: the product's functions, the window functions, the LSTM and GRU cells and their backwards, the elementwise kernels, sums and 2×2 max pooling, and the memory. */
export interface GemmExports extends GemmFns {
  memory: WebAssembly.Memory;
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  lstmCell(act: number, x: number, bias: number, cPrev: number, c: number, tc: number, h: number, N: number, H: number): void;
  lstmCellBackward(act: number, cPrev: number, tc: number, gOut: number, dh: number, dc: number, dPre: number, N: number, H: number): void;
  gruCell(x: number, hg: number, act: number, hn: number, hPrev: number, h: number, N: number, H: number): void;
  gruCellBackward(act: number, hn: number, hPrev: number, gOut: number, dh: number, dXg: number, dHg: number, N: number, H: number): void;
  relu(x: number, o: number, n: number): void;
  reluBackward(x: number, g: number, o: number, n: number): void;
  addRows(a: number, b: number, o: number, rows: number, m: number): void;
  addScaled(y: number, x: number, alphaAt: number, n: number): void;
  add(a: number, b: number, o: number, n: number, mode: number): void;
  sub(a: number, b: number, o: number, n: number, mode: number): void;
  mul(a: number, b: number, o: number, n: number, mode: number): void;
  div(a: number, b: number, o: number, n: number, mode: number): void;
  sumRows(x: number, o: number, rows: number, n: number): void;
  sumInner(x: number, acc: number, o: number, outer: number, n: number, inner: number): void;
  maxPool2x2(x: number, out: number, argmax: number, planes: number, H: number, W: number, oh: number, ow: number): void;
  maxUnpool2x2(grad: number, argmax: number, out: number, planes: number, H: number, W: number, oh: number, ow: number): void;
}

/**
 * A GEMM instance's memory, grown for one piece of work: `heap` views it, free bytes start at `base`
 * (after the packing scratch), and `scratch`/`blocking` are what `runBlocks` takes.
 */
export interface Workspace {
  w: GemmExports;
  heap: Float32Array;
  base: number;
  scratch: Scratch;
  blocking: Blocking;
}

// Memory grown past this for one product is released after it.
const RELEASE_BYTES = 2 ** 27;

/**
 * A GEMM for one configuration, with its own lazily compiled instance and memory, and whether this
 * runtime can run it. `gemmF32` runs the first of GEMM_CONFIGS that is supported; tests build others.
 * `workspace(bytes)` lends the instance's memory, grown to hold `bytes` past its scratch, to other
 * kernels that run next to the product (convolution); `release(bytes)` ends such a loan.
 * @example const g = createGemm({ shape: { mr: 4, nr: 8, relaxed: false }, mc: 128, kc: 256, nc: 2048 }); g.supported()
 */
export function createGemm(config: GemmConfig): {
  gemm: GemmF32; supported: () => boolean; workspace: (bytes: number) => Workspace | null; release: (bytes: number) => void;
} {
  const { shape: { mr, nr }, mc, kc, nc } = config;
  const blocking = { mr, nr, mc, kc, nc };
  // Memory layout (bytes): the edge tile, packed A, packed B, then the work's own data (copies of A, B and C).
  const scratch = scratchLayout(blocking);
  const COPIES = scratch.bytes;

  // undefined until first use, then the instance or null when this runtime cannot run it.
  let instance: GemmExports | null | undefined;
  let heap = new Float32Array(0);

  function load(): GemmExports | null {
    if (instance !== undefined) return instance;
    instance = null;
    if (typeof WebAssembly !== 'object') return instance;
    const bytes = gemmModuleBytes(config.shape);
    if (WebAssembly.validate(bytes)) {
      try {
        instance = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as GemmExports;
      } catch {
        // Compiling can still be refused (a page whose Content-Security-Policy lacks 'wasm-unsafe-eval').
        instance = null;
      }
    }
    return instance;
  }

  function workspace(bytes: number): Workspace | null {
    const w = load();
    if (w === null) return null;
    const end = COPIES + bytes;
    if (end > MAX_BYTES) return null;
    // Only this function grows the memory, so `heap` (a view of it, replaced after each grow) knows
    // its size; reading memory.buffer on every call would cost more than a small product.
    if (heap.byteLength < end) {
      try {
        if (w.memory.buffer.byteLength < end) w.memory.grow(Math.ceil((end - w.memory.buffer.byteLength) / PAGE));
      } catch {
        return null; // the engine refused more memory: the JS kernel takes this work
      }
      heap = new Float32Array(w.memory.buffer);
    }
    return { w, heap, base: COPIES, scratch, blocking };
  }

  function release(bytes: number): void {
    // Wasm memory cannot shrink: after unusually large work, drop the instance (and its memory);
    // the next call compiles the small module again.
    if (COPIES + bytes > RELEASE_BYTES) {
      instance = undefined;
      heap = new Float32Array(0);
    }
  }

  const gemm: GemmF32 = (a, aOff, transA, b, bOff, transB, out, oOff, M, K, N, zeroed = false) => {
    if (load() === null) return false;
    if (M === 0 || N === 0 || K === 0) return true;
    const { aAt, bAt, cAt, end } = copyLayout(COPIES, M, K, N);
    const ws = workspace(end - COPIES);
    if (ws === null) return false;
    const h = ws.heap;
    h.set(a.subarray(aOff, aOff + M * K), aAt >> 2);
    h.set(b.subarray(bOff, bOff + K * N), bAt >> 2);
    if (zeroed) h.fill(0, cAt >> 2, (cAt >> 2) + M * N);
    else h.set(out.subarray(oOff, oOff + M * N), cAt >> 2);
    // A(i, k) = A[i·ars + k·acs] and B(k, j) = B[k·brs + j·bcs] in the copies.
    const ars = transA ? 1 : K, acs = transA ? M : 1;
    const brs = transB ? 1 : N, bcs = transB ? K : 1;
    runBlocks(ws.w, scratch, blocking, aAt, ars, acs, bAt, brs, bcs, cAt, N, M, K, N);
    out.set(h.subarray(cAt >> 2, (cAt >> 2) + M * N), oOff);
    release(end - COPIES);
    return true;
  };

  return { gemm, supported: () => load() !== null, workspace, release };
}

/**
 * The configurations `gemmF32` tries, in order: the first this runtime compiles is used. Relaxed
 * SIMD's fused multiply-add (unflagged from V8 11.4: Chrome 114, Node 22) does a multiply-add in one
 * instruction, which lifts this instruction-bound kernel by about a third; Node 20 rejects it and
 * runs the plain f32x4 mul + add kernel. Both use the 4×8 register tile: its 8 accumulators, 2 B
 * vectors, 4 A splats (V8 issues all of a step's loads first) and one product fit the 15 xmm
 * registers V8 allocates on x64; larger tiles measured slower because they spill.
 */
export const GEMM_CONFIGS: readonly GemmConfig[] = [
  { shape: { mr: 4, nr: 8, relaxed: true }, mc: 128, kc: 256, nc: 2048 },
  { shape: { mr: 4, nr: 8, relaxed: false }, mc: 128, kc: 256, nc: 2048 },
];

// undefined until first use, then the first configuration this runtime runs (or the last, unsupported).
let standard: ReturnType<typeof createGemm> | undefined;
let chosenConfig_: GemmConfig | undefined;

function chosen(): ReturnType<typeof createGemm> {
  if (standard === undefined) {
    for (const config of GEMM_CONFIGS) {
      standard = createGemm(config);
      chosenConfig_ = config;
      if (standard.supported()) break;
    }
  }
  return standard!;
}

/** The configuration `gemmF32` runs (the first this runtime supports), or null where none is. */
export function chosenConfig(): GemmConfig | null {
  return chosen().supported() ? chosenConfig_! : null;
}

/**
 * The memory of the GEMM instance `gemmF32` runs on one thread, grown to hold `bytes` of the caller's
 * data (see `createGemm`); null when this runtime cannot run it. Call `releaseWorkspace(bytes)` after.
 */
export function gemmWorkspace(bytes: number): Workspace | null {
  return chosen().workspace(bytes);
}

/** Ends a `gemmWorkspace` loan of `bytes` (frees the memory after unusually large work). */
export function releaseWorkspace(bytes: number): void {
  chosen().release(bytes);
}

/**
 * Whether this runtime validates the WebAssembly SIMD GEMM's module, without compiling or running it
 * (cheap enough to ask at start-up). A page whose Content-Security-Policy refuses compiling passes
 * this and still computes in JS: `gemmF32` falls back when it cannot instantiate.
 */
export function wasmGemmValidates(): boolean {
  return typeof WebAssembly === 'object' && GEMM_CONFIGS.some((c) => WebAssembly.validate(gemmModuleBytes(c.shape)));
}

/**
 * Whether this runtime runs the WebAssembly SIMD GEMM (Node ≥ 16.4 and current browsers do); when it
 * does not, `gemmF32` returns false and callers use the JS kernel.
 * @example if (!wasmGemmSupported()) console.warn('float32 matmul falls back to JS')
 */
export function wasmGemmSupported(): boolean {
  return chosen().supported();
}

// Products of at least this many multiply-adds run on several threads (when setNumThreads allows).
// Measured on 2 cores (issue 8): alone, 64³ ran 0.7–0.85× as fast on 2 threads as on 1, the main job's
// whole-batch conv products of the time (32×288×12544 and its two backward products, 115M multiply-adds each) 0.9–2.3× (noisy) and
// 1024³ 1.3–1.6×; but inside whole training runs threaded products made the run slower: the main job
// took 85–87 s on 2 threads against 71–76 s on 1 with threads from 2^24 (copies in and out stay on the
// calling thread, and a spinning worker takes the core the JS work and the garbage collector would
// use). So threads start at 2^27 (512³): only products that dwarf what surrounds them.
export const THREAD_MIN_MACS = 1 << 27;

/**
 * out[oOff + M×N] += op(A)·op(B) for float32 arrays, with the operand layouts of
 * `matmulTransposedInto` (`transA`: A is stored K×M; `transB`: B is stored N×K). Runs in WebAssembly
 * with f32x4 arithmetic and float32 accumulation, on `threadCount()` threads for products of at least
 * THREAD_MIN_MACS multiply-adds (with the same bits as on one). Returns false, leaving `out` untouched,
 * when WebAssembly SIMD is unavailable or the operands would need more than 1 GiB of wasm memory.
 * @example gemmF32(x, 0, false, w, 0, true, y, 0, 64, 784, 128) // y (64×128) += x · wᵀ, w [128, 784]
 */
export const gemmF32: GemmF32 = (a, aOff, transA, b, bOff, transB, out, oOff, M, K, N, zeroed = false) => {
  const one = chosen();
  if (M * K * N >= THREAD_MIN_MACS && threadCount() > 1 && one.supported()) {
    const pool = threadPool(chosenConfig_!);
    if (pool !== null && pool.gemm(a, aOff, transA, b, bOff, transB, out, oOff, M, K, N, zeroed)) return true;
  }
  return one.gemm(a, aOff, transA, b, bOff, transB, out, oOff, M, K, N, zeroed);
};
