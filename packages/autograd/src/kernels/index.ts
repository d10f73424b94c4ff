import * as elementwise from './cpu/elementwise.js';
import * as reduce from './cpu/reduce.js';
import * as matmul from './matmul.js';
import * as movement from './cpu/movement.js';
import * as im2col from './cpu/im2col.js';
import * as compare from './cpu/compare.js';
import * as recurrent from './cpu/recurrent.js';
import * as scan from './cpu/scan.js';
import * as rounding from './cpu/rounding.js';
import * as convert from './cpu/convert.js';

export type { Window2d } from './cpu/im2col.js';
export type { CellMode, RecurrentDims, RecurrentSaved } from './cpu/recurrent.js';

/**
 * The contract between ops and raw loops: everything an op's forward may call. Kernels see typed
 * arrays and sizes only (no tensors, no tape), so another backend (wasm) can implement the same.
 */
export type Kernels = typeof elementwise & typeof reduce & typeof matmul & typeof movement & typeof im2col & typeof compare & typeof recurrent
  & typeof scan & typeof rounding & typeof convert;

/** The CPU kernels: plain loops over typed arrays, and float32 matmul in WebAssembly SIMD (kernels/wasm). */
export const k: Kernels = { ...elementwise, ...reduce, ...matmul, ...movement, ...im2col, ...compare, ...recurrent, ...scan, ...rounding, ...convert };
