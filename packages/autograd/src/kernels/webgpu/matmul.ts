/// <reference types="@webgpu/types" />
// A tiled float32 matrix product in WGSL (issue 13), encoded on a GpuContext over GPU arrays.
import type { GpuArray, GpuContext } from './context.js';

/** The depth of one shared-memory slice of K. */
const DEPTH = 16;
/** Each thread computes a 4×4 block of C: (tile / 4)² threads per workgroup (64 or 256). */
const PER_THREAD = 4;

/**
 * Rows and columns of C one workgroup computes, chosen by shape: 64×64 tiles (256 threads, twice the
 * reuse of each staged value) when both sides of C are at least 256, else 32×32, so that small and thin
 * products still spread over many workgroups.
 */
export function tileFor(M: number, N: number): 32 | 64 {
  return Math.min(M, N) >= 256 ? 64 : 32;
}

/**
 * The WGSL source: C (M×N) = op(A)·op(B), row-major, with A stored K×M when `transA` (and B stored
 * N×K when `transB`), so the backward products need no transposed copies. Every workgroup stages a
 * TILE×DEPTH slice of A and a DEPTH×TILE slice of B in workgroup memory; out-of-range reads give 0.
 */
export function matmulSource(transA: boolean, transB: boolean, TILE: 32 | 64 = 32): string {
  const THREADS = TILE / PER_THREAD;
  const aAt = transA ? 'k * dims.M + row' : 'row * dims.K + k';
  const bAt = transB ? 'col * dims.K + k' : 'k * dims.N + col';
  return /* wgsl */ `
struct Dims { M: u32, K: u32, N: u32, pad: u32, aStep: u32, bStep: u32, cStep: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<private> batchA: u32;
var<private> batchB: u32;
var<workgroup> tileA: array<array<f32, ${DEPTH}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${DEPTH}>;

fn readA(row: u32, k: u32) -> f32 {
  if (row >= dims.M || k >= dims.K) { return 0.0; }
  return a[batchA + ${aAt}];
}
fn readB(k: u32, col: u32) -> f32 {
  if (k >= dims.K || col >= dims.N) { return 0.0; }
  return b[batchB + ${bAt}];
}

@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  batchA = wg.z * dims.aStep;
  batchB = wg.z * dims.bStep;
  let batchC = wg.z * dims.cStep;
  let row0 = wg.y * ${TILE}u;
  let col0 = wg.x * ${TILE}u;
  let local = lid.y * ${THREADS}u + lid.x;
  var acc: array<array<f32, ${PER_THREAD}>, ${PER_THREAD}>;
  for (var k0 = 0u; k0 < dims.K; k0 += ${DEPTH}u) {
    // ${TILE * DEPTH} values of each slice, loaded by ${THREADS * THREADS} threads.
    for (var i = local; i < ${TILE * DEPTH}u; i += ${THREADS * THREADS}u) {
      let r = i / ${DEPTH}u;
      let kk = i % ${DEPTH}u;
      tileA[r][kk] = readA(row0 + r, k0 + kk);
      let kb = i / ${TILE}u;
      let cb = i % ${TILE}u;
      tileB[kb][cb] = readB(k0 + kb, col0 + cb);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk++) {
      var bv: array<f32, ${PER_THREAD}>;
      for (var j = 0u; j < ${PER_THREAD}u; j++) { bv[j] = tileB[kk][lid.x * ${PER_THREAD}u + j]; }
      for (var i = 0u; i < ${PER_THREAD}u; i++) {
        let av = tileA[lid.y * ${PER_THREAD}u + i][kk];
        for (var j = 0u; j < ${PER_THREAD}u; j++) { acc[i][j] = fma(av, bv[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${PER_THREAD}u; i++) {
    let row = row0 + lid.y * ${PER_THREAD}u + i;
    if (row >= dims.M) { continue; }
    for (var j = 0u; j < ${PER_THREAD}u; j++) {
      let col = col0 + lid.x * ${PER_THREAD}u + j;
      if (col < dims.N) { c[batchC + row * dims.N + col] = acc[i][j]; }
    }
  }
}
`;
}

/**
 * Encodes C = op(A)·op(B) (M×N, row-major) into `ctx`'s pending work and returns C, still on the GPU:
 * one dispatch of ⌈N/32⌉×⌈M/32⌉ workgroups, with the pipeline of this transpose pair compiled once.
 * @example const c = matmul(ctx, a, false, b, true, M, K, N); const values = await ctx.read(c);
 */
export function matmul(ctx: GpuContext, a: GpuArray, transA: boolean, b: GpuArray, transB: boolean, M: number, K: number, N: number): GpuArray {
  return batchedMatmul(ctx, a, transA, b, transB, 1, M, K, N, false, false);
}

/**
 * `batches` products C[i] = op(A[i])·op(B[i]) into one [batches, M, N] array, in one dispatch (the
 * batch on the workgroups' z); an operand marked `shared` is one matrix used by every batch.
 */
export function batchedMatmul(
  ctx: GpuContext, a: GpuArray, transA: boolean, b: GpuArray, transB: boolean, batches: number, M: number, K: number, N: number, sharedA: boolean, sharedB: boolean,
): GpuArray {
  if (a.length < (sharedA ? 1 : batches) * M * K || b.length < (sharedB ? 1 : batches) * K * N) {
    throw new Error(`webgpu matmul: ${batches}x${M}x${K}x${N} needs more values than ${a.length} and ${b.length}`);
  }
  if (Math.ceil(N / 32) > 65535 || Math.ceil(M / 32) > 65535 || batches > 65535) {
    throw new Error(`webgpu matmul: ${batches}x${M}x${K}x${N} needs more than the 65,535 workgroups a dispatch dimension allows`);
  }
  const c = ctx.alloc(batches * M * N);
  if (M === 0 || N === 0 || batches === 0) return c;
  // K = 0 leaves C zero: the loop over K slices runs no step, and every thread writes its zeros.
  const dims = new Uint32Array([M, K, N, 0, sharedA ? 0 : M * K, sharedB ? 0 : K * N, M * N, 0]);
  const tile = tileFor(M, N);
  ctx.dispatch(matmulSource(transA, transB, tile), [a.buffer, b.buffer, c.buffer], dims, [Math.ceil(N / tile), Math.ceil(M / tile), batches]);
  return c;
}
