// Running a function of the GEMM module on copies of the caller's arrays: the kernels that live on the
// JavaScript heap (the cells, the elementwise kernels) lend the GEMM instance's memory for one call.
import { align16 } from './blocks.js';
import { gemmWorkspace, releaseWorkspace, type GemmExports } from './gemm.js';
import type { TypedArray } from '../../dtype.js';

// Below this many elements the copies and the call cost more than the JS loop saves.
const WASM_MIN_ELEMENTS = 1024;

/** Whether an elementwise kernel or sum over n elements of these arrays is worth copying into wasm: all float32, n large enough. */
export function wasmTakes(n: number, ...xs: TypedArray[]): boolean {
  return n >= WASM_MIN_ELEMENTS && xs.every((x) => x instanceof Float32Array);
}

/**
 * A slice of an array a module function reads (`in`), writes (`out`) or both: the array, its offset and
 * length; or `scratch`, floats of working memory that are neither copied in nor out (no array).
 */
export type Region =
  | readonly [array: Float32Array, offset: number, length: number, use: 'in' | 'out' | 'inout']
  | readonly [array: null, offset: 0, length: number, use: 'scratch'];

/**
 * Lays the regions out one after another (16-byte aligned) in the GEMM's memory, copies in those it
 * reads, runs `call` with their byte addresses in order, and copies out those it writes. False (nothing
 * written) when wasm cannot run it.
 */
export function inWasm(regions: readonly Region[], call: (w: GemmExports, at: number[]) => void): boolean {
  const offsets: number[] = [];
  let bytes = 0;
  for (const [, , length] of regions) {
    offsets.push(bytes);
    bytes += align16(4 * length);
  }
  const ws = gemmWorkspace(bytes);
  if (ws === null) return false;
  const { heap, base } = ws;
  regions.forEach(([array, offset, length, use], i) => {
    if (array !== null && use !== 'out') heap.set(array.subarray(offset, offset + length), (base + offsets[i]!) >> 2);
  });
  call(ws.w, offsets.map((o) => base + o));
  regions.forEach(([array, offset, length, use], i) => {
    const at = (base + offsets[i]!) >> 2;
    if (array !== null && use !== 'in') array.set(heap.subarray(at, at + length), offset);
  });
  releaseWorkspace(bytes);
  return true;
}

