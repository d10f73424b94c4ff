import * as elementwise from './cpu/elementwise.js';
import * as reduce from './cpu/reduce.js';
import * as wasmRouted from './matmul.js';
import * as jsMatmul from './cpu/matmul.js';
import * as movement from './cpu/movement.js';
import * as im2col from './cpu/im2col.js';
import * as compare from './cpu/compare.js';
import * as recurrent from './cpu/recurrent.js';
import * as scan from './cpu/scan.js';
import * as rounding from './cpu/rounding.js';
import * as convert from './cpu/convert.js';
import * as convRef from './cpu/conv.js';
import * as convWasm from './conv.js';
import * as elementwiseWasm from './elementwise.js';
import * as reduceWasm from './reduce.js';
import * as maxPoolWasm from './maxPool.js';

export type { Window2d } from './cpu/im2col.js';
export type { CellMode, RecurrentDims, RecurrentSaved } from './cpu/recurrent.js';

/**
 * The contract between ops and raw loops: everything an op's forward may call. Kernels see typed
 * arrays and sizes only (no tensors, no tape), so each backend supplies its own set.
 */
export type Kernels = typeof elementwise & typeof reduce & Pick<typeof wasmRouted, 'matmulInto' | 'matmulTransposedInto'> & typeof movement & typeof im2col & typeof compare & typeof recurrent
  & typeof scan & typeof rounding & typeof convert & Pick<typeof convRef, 'conv2d' | 'conv2dInput' | 'conv2dWeight'>;

const loops = { ...elementwise, ...reduce, ...movement, ...im2col, ...compare, ...recurrent, ...scan, ...rounding, ...convert };

/** The plain TypeScript kernels, float32 products included: the reference the other backends are tested against. */
export const jsKernels: Kernels = { ...loops, conv2d: convRef.conv2d, conv2dInput: convRef.conv2dInput, conv2dWeight: convRef.conv2dWeight, matmulInto: jsMatmul.matmulInto, matmulTransposedInto: jsMatmul.matmulTransposedInto };

/** The same loops, with float32 products, convolutions, sums, 2×2 max pooling and some elementwise kernels in WebAssembly SIMD (kernels/wasm). */
export const wasmKernels: Kernels = { ...loops, ...convWasm, ...elementwiseWasm, ...reduceWasm, ...maxPoolWasm, matmulInto: wasmRouted.matmulInto, matmulTransposedInto: wasmRouted.matmulTransposedInto };

/**
 * The kernels of the active backend, which every op calls (a live binding: `setBackend` replaces it).
 */
export let k: Kernels = wasmKernels;

/** @internal Makes `next` the kernels every op calls; only the backend selection calls it. */
export function useKernels(next: Kernels): void {
  k = next;
}
