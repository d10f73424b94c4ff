// Gather along one axis and its adjoint in WGSL (issue 13). The adjoint has one thread per output
// value that sums the gradients whose index points at it, so no float atomics are needed and every
// sum runs in a fixed order.
import { MAIN, workgroupsFor, type GpuArray, type GpuContext } from './context.js';
import { WGSL_TYPE } from './elementwise.js';

/**
 * out[o, r, j] = x[o, index[·], j] over [outer, m, inner]: `perElement` reads index[i] (gather: one position
 * per output value), otherwise index[r] (indexSelect: one position per row of the middle axis).
 */
function pickSource(type: string, perElement: boolean): string {
  return /* wgsl */ `
struct Dims { outer: u32, n: u32, m: u32, inner: u32 }
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<${type}>;
@group(0) @binding(3) var<uniform> dims: Dims;

${MAIN}
  if (i >= dims.outer * dims.m * dims.inner) { return; }
  let j = i % dims.inner;
  let r = (i / dims.inner) % dims.m;
  let o = i / (dims.inner * dims.m);
  out[i] = x[(o * dims.n + u32(index[${perElement ? 'i' : 'r'}])) * dims.inner + j];
}
`;
}

const SCATTER_ADD = /* wgsl */ `
struct Dims { outer: u32, n: u32, m: u32, inner: u32 }
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> index: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;

${MAIN}
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
  if (total > 0) ctx.dispatch(pickSource(WGSL_TYPE[x.dtype], true), [x.buffer, index.buffer, out.buffer], new Uint32Array([outer, n, m, inner]), workgroupsFor(total));
  return out;
}

/** The adjoint of `gather`: out [outer, n, inner] sums src [outer, m, inner] where the index points. */
export function scatterAdd(ctx: GpuContext, src: GpuArray, index: GpuArray, outer: number, n: number, m: number, inner: number): GpuArray {
  const out = ctx.alloc(outer * n * inner);
  const total = outer * n * inner;
  if (total > 0) ctx.dispatch(SCATTER_ADD, [src.buffer, index.buffer, out.buffer], new Uint32Array([outer, n, m, inner]), workgroupsFor(total));
  return out;
}

/** out[o, r, j] = x[o, index[r], j]: x viewed as [outer, n, inner], `index` (int32, in [0, n), checked by the caller) of length m. */
export function indexSelect(ctx: GpuContext, x: GpuArray, index: GpuArray, outer: number, n: number, inner: number): GpuArray {
  const m = index.length;
  const out = ctx.alloc(outer * m * inner, x.dtype);
  if (outer * m * inner > 0) ctx.dispatch(pickSource(WGSL_TYPE[x.dtype], false), [x.buffer, index.buffer, out.buffer], new Uint32Array([outer, n, m, inner]), workgroupsFor(outer * m * inner));
  return out;
}

function segmentSource(type: string, accumulate: boolean): string {
  return /* wgsl */ `
struct Dims { outer: u32, n: u32, m: u32, inner: u32, targets: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> src: array<${type}>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read> starts: array<i32>;
@group(0) @binding(3) var<storage, read> order: array<i32>;
@group(0) @binding(4) var<storage, read_write> out: array<${type}>;
@group(0) @binding(5) var<uniform> dims: Dims;

${MAIN}
  if (i >= dims.outer * dims.targets * dims.inner) { return; }
  let j = i % dims.inner;
  let t = (i / dims.inner) % dims.targets;
  let o = i / (dims.inner * dims.targets);
  let at = (o * dims.n + u32(targets[t])) * dims.inner + j;
  ${accumulate ? `var acc = out[at];
  for (var k = starts[t]; k < starts[t + 1u]; k++) { acc += src[(o * dims.m + u32(order[k])) * dims.inner + j]; }
  out[at] = acc;` : `out[at] = src[(o * dims.m + u32(order[starts[t + 1u] - 1])) * dims.inner + j];`}
}
`;
}

/**
 * The positions grouped by target, built on the CPU (where the positions are): the distinct targets,
 * where each one's sources start in `order` (CSR), and the sources in their original order within a target.
 */
function segments(positions: Int32Array): { targets: Int32Array; starts: Int32Array; order: Int32Array } {
  const order = Int32Array.from(positions.keys()).sort((a, b) => positions[a]! - positions[b]! || a - b);
  const targets: number[] = [];
  const starts: number[] = [];
  order.forEach((r, k) => {
    if (k === 0 || positions[r] !== positions[order[k - 1]!]) {
      targets.push(positions[r]!);
      starts.push(k);
    }
  });
  starts.push(order.length);
  return { targets: Int32Array.from(targets), starts: Int32Array.from(starts), order };
}

/**
 * Into `out` (viewed as [outer, n, inner]) at out[o, positions[r], j]: adds every src[o, r, j]
 * (`accumulate`, in the order of r, so repeated positions add up deterministically) or writes the last one
 * (PyTorch's index_put_ without accumulate on the CPU), for src viewed as [outer, m, inner].
 */
export function segmentWrite(ctx: GpuContext, out: GpuArray, src: GpuArray, positions: Int32Array, outer: number, n: number, inner: number, accumulate: boolean): void {
  if (positions.length === 0 || outer * inner === 0) return;
  const { targets, starts, order } = segments(positions);
  const bufs = [src, ctx.upload(targets), ctx.upload(starts), ctx.upload(order), out].map((a) => a.buffer);
  const total = outer * targets.length * inner;
  ctx.dispatch(segmentSource(WGSL_TYPE[out.dtype], accumulate), bufs, new Uint32Array([outer, n, positions.length, inner, targets.length, 0, 0, 0]), workgroupsFor(total));
}
