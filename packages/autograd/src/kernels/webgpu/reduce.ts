// Reductions and row-wise log-softmax in WGSL (issue 13): one thread per output value, looping over the
// reduced axis, so every output is summed in the same order as the CPU kernel's.
import { MAIN, workgroupsFor, type GpuArray, type GpuContext } from './context.js';

/** NaN told from its bits (exponent all ones, mantissa not zero), which no float fast-math can fold away. */
const IS_NAN = /* wgsl */ `fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`;

/** The reductions over one axis. */
export type ReduceOp = 'sum' | 'max' | 'prod';

function reduceSource(op: ReduceOp): string {
  // max starts at −∞ and takes a NaN (or anything larger) and keeps it: WGSL's max() and float compares may
  // ignore NaN (SwiftShader's do), so NaN is told from the bits.
  const [init, step] = op === 'sum' ? ['0.0', 'acc + v'] : op === 'prod' ? ['1.0', 'acc * v'] : ['bitcast<f32>(negInfBits)', 'select(acc, v, !isNan(acc) && (isNan(v) || v > acc))'];
  return /* wgsl */ `
struct Dims { outer: u32, size: u32, inner: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> dims: Dims;

${IS_NAN}
${MAIN}
  if (i >= dims.outer * dims.inner) { return; }
  let o = i / dims.inner;
  let j = i % dims.inner;
  // −∞ from its bits at run time (a constant −∞ is not a valid WGSL f32 literal).
  var negInfBits = 0xff800000u;
  var acc = ${init};
  for (var r = 0u; r < dims.size; r++) {
    let v = x[(o * dims.size + r) * dims.inner + j];
    acc = ${step};
  }
  out[i] = acc;
}
`;
}

/**
 * Encodes the sum (or max) of `x` (shape `shape`) over dimension `dim`, which is dropped from the
 * result's shape; returns the result, still on the GPU.
 * @example const colSums = reduce(ctx, 'sum', g, [64, 10], 0); // [10]
 */
export function reduce(ctx: GpuContext, op: ReduceOp, x: GpuArray, shape: readonly number[], dim: number): { out: GpuArray; shape: number[] } {
  if (!Number.isInteger(dim) || dim < 0 || dim >= shape.length) throw new Error(`webgpu ${op}: dim ${dim} is out of range for shape [${shape.join(',')}]`);
  const outer = shape.slice(0, dim).reduce((p, s) => p * s, 1);
  const size = shape[dim]!;
  const inner = shape.slice(dim + 1).reduce((p, s) => p * s, 1);
  const outShape = [...shape.slice(0, dim), ...shape.slice(dim + 1)];
  const out = ctx.alloc(outer * inner);
  if (outer * inner > 0) ctx.dispatch(reduceSource(op), [x.buffer, out.buffer], new Uint32Array([outer, size, inner, 0]), workgroupsFor(outer * inner));
  return { out, shape: outShape };
}

function extremeSource(type: string, sign: 1 | -1): string {
  const better = sign === 1 ? 'v > best' : 'v < best';
  // As the CPU kernel: a NaN, once picked, stays; a NaN beats any number; the first of equal values wins.
  const take = type === 'f32' ? `(isNan(v) || ${better}) && !isNan(best)` : better;
  return /* wgsl */ `
struct Dims { outer: u32, size: u32, inner: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> out: array<${type}>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<uniform> dims: Dims;

${IS_NAN}
${MAIN}
  if (i >= dims.outer * dims.inner) { return; }
  let base = (i / dims.inner) * dims.size * dims.inner + i % dims.inner;
  var best = x[base];
  var at = 0;
  for (var r = 1u; r < dims.size; r++) {
    let v = x[base + r * dims.inner];
    if (${take}) { best = v; at = i32(r); }
  }
  out[i] = best;
  indices[i] = at;
}
`;
}

/**
 * The largest (sign 1) or smallest (−1) value of `x` viewed as [outer, size, inner] along its middle
 * axis, and its position there (int32), as the CPU's extremeAxis: NaN wins, ties go to the first.
 */
export function extremeAxis(ctx: GpuContext, x: GpuArray, outer: number, size: number, inner: number, sign: 1 | -1): { values: GpuArray; indices: GpuArray } {
  const values = ctx.alloc(outer * inner, x.dtype);
  const indices = ctx.alloc(outer * inner, 'int32');
  if (outer * inner > 0) {
    ctx.dispatch(extremeSource(x.dtype === 'float32' ? 'f32' : x.dtype === 'int32' ? 'i32' : 'u32', sign), [x.buffer, values.buffer, indices.buffer], new Uint32Array([outer, size, inner, 0]), workgroupsFor(outer * inner));
  }
  return { values, indices };
}

/**
 * A kernel with one thread per line of x viewed as [outer, size, inner] along its middle axis (f32 in, f32
 * out of the same shape): `base` is the line's first element and its elements are dims.inner apart.
 */
const ALONG_LINES = /* wgsl */ `struct Dims { outer: u32, size: u32, inner: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> dims: Dims;

${MAIN}
  let line = i;
  if (line >= dims.outer * dims.inner) { return; }
  let base = (line / dims.inner) * dims.size * dims.inner + line % dims.inner;`;

function scanSource(op: 'sum' | 'prod'): string {
  return /* wgsl */ `
${ALONG_LINES}
  var acc = ${op === 'sum' ? '0.0' : '1.0'};
  for (var r = 0u; r < dims.size; r++) {
    acc = acc ${op === 'sum' ? '+' : '*'} x[base + r * dims.inner];
    out[base + r * dims.inner] = acc;
  }
}
`;
}

/** Running sums (or products) of `x` viewed as [outer, size, inner] along its middle axis, in order. */
export function scanAxis(ctx: GpuContext, op: 'sum' | 'prod', x: GpuArray, outer: number, size: number, inner: number): GpuArray {
  const out = ctx.alloc(outer * size * inner);
  if (outer * size * inner > 0) ctx.dispatch(scanSource(op), [x.buffer, out.buffer], new Uint32Array([outer, size, inner, 0]), workgroupsFor(outer * inner));
  return out;
}

const LOG_SOFTMAX = /* wgsl */ `
${IS_NAN}
${ALONG_LINES}
  let step = dims.inner;
  var negInfBits = 0xff800000u;
  var top = bitcast<f32>(negInfBits);
  for (var c = 0u; c < dims.size; c++) {
    let v = x[base + c * step];
    top = select(top, v, !isNan(top) && (isNan(v) || v > top));
  }
  var total = 0.0;
  for (var c = 0u; c < dims.size; c++) { total += exp(x[base + c * step] - top); }
  let shift = top + log(total);
  for (var c = 0u; c < dims.size; c++) { out[base + c * step] = x[base + c * step] - shift; }
}
`;

/**
 * Encodes log-softmax of `x` viewed as [outer, size, inner] over its middle dimension (the max is
 * subtracted first, as PyTorch's kernel does, so large logits do not overflow); returns the result on the GPU.
 * @example const logp = logSoftmaxAxis(ctx, logits, 64, 10, 1);
 */
export function logSoftmaxAxis(ctx: GpuContext, x: GpuArray, outer: number, size: number, inner: number): GpuArray {
  const out = ctx.alloc(outer * size * inner);
  if (outer * size * inner > 0) ctx.dispatch(LOG_SOFTMAX, [x.buffer, out.buffer], new Uint32Array([outer, size, inner, 0]), workgroupsFor(outer * inner));
  return out;
}

/** Log-softmax over the last dimension of `x` viewed as [rows, cols]. @example const logp = logSoftmaxRows(ctx, logits, 64, 10); */
export function logSoftmaxRows(ctx: GpuContext, x: GpuArray, rows: number, cols: number): GpuArray {
  return logSoftmaxAxis(ctx, x, rows, cols, 1);
}

const ARGSORT = /* wgsl */ `
${IS_NAN}
struct Dims { outer: u32, size: u32, inner: u32, descending: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> dims: Dims;

var<private> base: u32;

// Whether position a sorts after position b, as the CPU's comparison: NaN after every number (before, when
// descending), equal values in their original order.
fn after(a: u32, b: u32) -> bool {
  let u = x[base + a * dims.inner];
  let v = x[base + b * dims.inner];
  let down = dims.descending == 1u;
  if (isNan(u) || isNan(v)) {
    if (isNan(u) && isNan(v)) { return a > b; }
    return isNan(u) != down;
  }
  if (u < v) { return down; }
  if (u > v) { return !down; }
  return a > b;
}

${MAIN}
  if (i >= dims.outer * dims.inner) { return; }
  base = (i / dims.inner) * dims.size * dims.inner + i % dims.inner;
  for (var j = 0u; j < dims.size; j++) { out[base + j * dims.inner] = i32(j); }
  // A stable insertion sort of the positions, in place in the output.
  for (var j = 1u; j < dims.size; j++) {
    let cur = out[base + j * dims.inner];
    var k = j;
    loop {
      if (k == 0u) { break; }
      let prev = out[base + (k - 1u) * dims.inner];
      if (!after(u32(prev), u32(cur))) { break; }
      out[base + k * dims.inner] = prev;
      k--;
    }
    out[base + k * dims.inner] = cur;
  }
}
`;

/**
 * The positions that sort each line of `x` (viewed as [outer, size, inner]) along its middle axis, as int32,
 * in the CPU's order (stable; NaN last, or first when descending). One thread sorts a line by insertion, so
 * long lines are slow: O(size²) each.
 */
export function argsortAxis(ctx: GpuContext, x: GpuArray, outer: number, size: number, inner: number, descending: boolean): GpuArray {
  const out = ctx.alloc(outer * size * inner, 'int32');
  if (outer * size * inner > 0) ctx.dispatch(ARGSORT, [x.buffer, out.buffer], new Uint32Array([outer, size, inner, descending ? 1 : 0]), workgroupsFor(outer * inner));
  return out;
}
