import { allocate, type DType, type TypedArray } from '../dtype.js';
import { jsKernels, wasmKernels, useKernels, type Kernels } from '../kernels/index.js';
import { useWasmProducts } from '../kernels/matmul.js';
import { wasmGemmValidates } from '../kernels/wasm/gemm.js';

/** The backends `setBackend` takes. */
export type BackendName = 'js' | 'wasm';

/**
 * The boundary between the graph and the kernels: where a backend keeps values and what computes on
 * them. Ops reach kernels only through the active backend (`k`), and every buffer of tensor values
 * (autograd's, nn's hand-written layers', the optimizers' state, data batches) comes from `allocate`.
 * Both CPU backends keep values in typed arrays on the JS heap (the README says why not in wasm memory).
 */
export interface Backend {
  readonly name: BackendName;
  /** What runs where, in a few words (for messages and the bench). */
  readonly description: string;
  /** Why this runtime cannot run the backend, or null when it can. */
  unavailable(): string | null;
  /** A zero-filled buffer of `n` values of `dtype`. */
  allocate(dtype: DType, n: number): TypedArray;
  /** The kernels every op's forward (and so every backward rule) runs on. */
  readonly kernels: Kernels;
  /** Called when the backend becomes the active one. */
  activate(): void;
}

/** The plain TypeScript backend: every kernel a loop over typed arrays. The reference for the others. */
export const jsBackend: Backend = {
  name: 'js',
  description: 'plain TypeScript loops',
  unavailable: () => null,
  allocate,
  kernels: jsKernels,
  activate() {
    useWasmProducts(false);
    useKernels(jsKernels);
  },
};

/** The default backend: the same loops, with float32 matrix products (matmul, linear, conv, RNNs), the LSTM and GRU cells and the hot elementwise kernels (arithmetic, relu, sums, 2x2 pooling, the plain SGD step) in WebAssembly SIMD. */
export const wasmBackend: Backend = {
  name: 'wasm',
  description: 'float32 products, convolutions, recurrent cells and the hot elementwise kernels (arithmetic, relu, sums, 2x2 pooling, the SGD step) in WebAssembly SIMD; other kernels in TypeScript',
  unavailable: () => (wasmGemmValidates() ? null : 'this runtime has no WebAssembly SIMD (or no WebAssembly)'),
  allocate,
  kernels: wasmKernels,
  activate() {
    useWasmProducts(true);
    useKernels(wasmKernels);
  },
};
