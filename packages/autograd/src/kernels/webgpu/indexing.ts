// Gather along one axis and its adjoint in WGSL (issue 13). The adjoint has one thread per output
// value that sums the gradients whose index points at it, so no float atomics are needed and every
// sum runs in a fixed order.
import { WORKGROUP, workgroupsFor, type GpuArray, type GpuContext } from './context.js';
import { WGSL_TYPE } from './elementwise.js';

function gatherSource(type: string): string {
  return /* wgsl */ `
struct Dims { outer: u32, n: u32, m: u32, inner: u32 }
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
@group(0) @binding(3) var<uniform> dims: Dims;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= dims.outer * dims.m * dims.inner) { return; }
  let o = i / (dims.m * dims.inner);
  let j = i % dims.inner;
  out[i] = x[(o * dims.n + u32(index[i])) * dims.inner + j];
}
`;
}

const SCATTER_ADD = /* wgsl */ `
struct Dims { outer: u32, n: u32, m: u32, inner: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= dims.outer * dims.n * dims.inner) { return; }
  let o = i / (dims.n * dims.inner);
  let c = i32((i / dims.inner) % dims.n);
  let j = i % dims.inner;
  var acc = 0.0;
  for (var r = 0u; r < dims.m; r++) {
    let at = (o * dims.m + r) * dims.inner + j;
    if (index[at] == c) { acc += src[at]; }
  }
  out[i] = acc;
}
`;

/**
 * out[o, r, j] = x[o, index[o, r, j], j] for x viewed as [outer, n, inner] and `index` (int32, values
 * in [0, n), checked by the caller) as [outer, m, inner].
 */
export function gather(ctx: GpuContext, x: GpuArray, index: GpuArray, outer: number, n: number, m: number, inner: number): GpuArray {
  const out = ctx.alloc(outer * m * inner, x.dtype);
  const total = outer * m * inner;
  if (total > 0) ctx.dispatch(gatherSource(WGSL_TYPE[x.dtype]), [x.buffer, index.buffer, out.buffer], new Uint32Array([outer, n, m, inner]), workgroupsFor(total));
  return out;
}

/** The adjoint of `gather`: out [outer, n, inner] sums src [outer, m, inner] where the index points. */
export function scatterAdd(ctx: GpuContext, src: GpuArray, index: GpuArray, outer: number, n: number, m: number, inner: number): GpuArray {
  const out = ctx.alloc(outer * n * inner);
  const total = outer * n * inner;
  if (total > 0) ctx.dispatch(SCATTER_ADD, [src.buffer, index.buffer, out.buffer], new Uint32Array([outer, n, m, inner]), workgroupsFor(total));
  return out;
}
