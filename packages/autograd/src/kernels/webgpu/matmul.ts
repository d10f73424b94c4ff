/// <reference types="@webgpu/types" />
// The first WebGPU kernel (issue 13): a tiled float32 matrix product in WGSL, run on a GPUDevice over
// host arrays. The WebGPU backend will keep tensors in GPU buffers and queue kernels without reading
// back; until that exists this is the kernel it will use, tested against the CPU kernels in Chromium.

/** Rows and columns of C one workgroup computes, and the depth of one shared-memory slice of K. */
const TILE = 32;
const DEPTH = 16;
/** Each thread computes a 4×4 block of C: (TILE / 4)² = 64 threads per workgroup. */
const PER_THREAD = 4;
const THREADS = TILE / PER_THREAD;

/**
 * The WGSL source: C (M×N) = op(A)·op(B), row-major, with A stored K×M when `transA` (and B stored
 * N×K when `transB`), so the backward products need no transposed copies. Every workgroup stages a
 * TILE×DEPTH slice of A and a DEPTH×TILE slice of B in workgroup memory; out-of-range reads give 0.
 */
export function matmulSource(transA: boolean, transB: boolean): string {
  const aAt = transA ? 'k * dims.M + row' : 'row * dims.K + k';
  const bAt = transB ? 'col * dims.K + k' : 'k * dims.N + col';
  return /* wgsl */ `
struct Dims { M: u32, K: u32, N: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;

var<workgroup> tileA: array<array<f32, ${DEPTH}>, ${TILE}>;
var<workgroup> tileB: array<array<f32, ${TILE}>, ${DEPTH}>;

fn readA(row: u32, k: u32) -> f32 {
  if (row >= dims.M || k >= dims.K) { return 0.0; }
  return a[${aAt}];
}
fn readB(k: u32, col: u32) -> f32 {
  if (k >= dims.K || col >= dims.N) { return 0.0; }
  return b[${bAt}];
}

@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
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
      if (col < dims.N) { c[row * dims.N + col] = acc[i][j]; }
    }
  }
}
`;
}

/** A matrix product on the GPU: resolves to C = op(A)·op(B) (M×N, row-major), read back to the host. */
export type GpuMatmul = (
  a: Float32Array, transA: boolean, b: Float32Array, transB: boolean, M: number, K: number, N: number,
) => Promise<Float32Array>;

/**
 * The tiled WGSL product on `device`, with one compiled pipeline per transpose pair (built on first
 * use). Each call uploads A and B, runs one dispatch of ⌈N/32⌉×⌈M/32⌉ workgroups, and reads C back.
 * @example const mm = gpuMatmul(device); const c = await mm(a, false, b, false, 2, 3, 4);
 */
export function gpuMatmul(device: GPUDevice): GpuMatmul {
  const pipelines = new Map<string, GPUComputePipeline>();
  const pipeline = (transA: boolean, transB: boolean): GPUComputePipeline => {
    const key = `${transA}${transB}`;
    let p = pipelines.get(key);
    if (p === undefined) {
      const module = device.createShaderModule({ code: matmulSource(transA, transB) });
      p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      pipelines.set(key, p);
    }
    return p;
  };
  // Zero-length buffers are not allowed: every buffer holds at least one float.
  const upload = (values: Float32Array, usage: number): GPUBuffer => {
    const buffer = device.createBuffer({ size: Math.max(4, values.byteLength), usage: usage | GPUBufferUsage.COPY_DST });
    if (values.length > 0) device.queue.writeBuffer(buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    return buffer;
  };
  return async (a, transA, b, transB, M, K, N) => {
    const out = new Float32Array(M * N);
    if (out.length === 0) return out;
    const p = pipeline(transA, transB);
    const bufA = upload(a.subarray(0, M * K), GPUBufferUsage.STORAGE);
    const bufB = upload(b.subarray(0, K * N), GPUBufferUsage.STORAGE);
    const bufC = device.createBuffer({ size: out.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const bufDims = upload(new Float32Array(new Uint32Array([M, K, N, 0]).buffer), GPUBufferUsage.UNIFORM);
    const read = device.createBuffer({ size: out.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const bind = device.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: [bufA, bufB, bufC, bufDims].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(p);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(N / TILE), Math.ceil(M / TILE));
    pass.end();
    encoder.copyBufferToBuffer(bufC, 0, read, 0, out.byteLength);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    out.set(new Float32Array(read.getMappedRange()));
    read.unmap();
    for (const buffer of [bufA, bufB, bufC, bufDims, read]) buffer.destroy();
    return out;
  };
}

/**
 * A GPUDevice from `navigator.gpu`, or the reason there is none (no WebGPU in this runtime, or no
 * adapter: a machine without a GPU and without a software adapter).
 * @example const d = await requestGpuDevice(); if (typeof d === 'string') console.log(d);
 */
export async function requestGpuDevice(): Promise<GPUDevice | string> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) return 'this runtime has no WebGPU (navigator.gpu is undefined)';
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return 'WebGPU found no adapter (no GPU, and no software adapter enabled)';
  return adapter.requestDevice();
}
