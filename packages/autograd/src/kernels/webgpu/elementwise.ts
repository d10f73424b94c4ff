// Elementwise WGSL kernels (issue 13): one generated shader per op and arity, for any rank up to
// MAX_RANK, broadcasting through per-input strides (0 along a broadcast dimension) passed in a uniform.
import { broadcastShapes, broadcastStrides } from '../../shape.js';
import { WORKGROUP, workgroupsFor, type GpuArray, type GpuContext } from './context.js';

/** The most dimensions an elementwise kernel indexes. */
export const MAX_RANK = 6;

/** Unary ops and their WGSL expression in `x`. */
export const UNARY = {
  neg: '-x',
  abs: 'abs(x)',
  exp: 'exp(x)',
  log: 'log(x)',
  sqrt: 'sqrt(x)',
  tanh: 'tanh(x)',
  sigmoid: '1.0 / (1.0 + exp(-x))',
  relu: 'select(x, 0.0, x < 0.0)',
} as const;

/**
 * Binary ops and their WGSL expression in `x` and `y`; reluBackward is (grad, input) → 0 where input ≤ 0, else
 * grad (a NaN input passes it, as PyTorch's threshold_backward).
 */
export const BINARY = {
  add: 'x + y',
  sub: 'x - y',
  mul: 'x * y',
  div: 'x / y',
  maximum: 'max(x, y)',
  minimum: 'min(x, y)',
  reluBackward: 'select(x, 0.0, y <= 0.0)',
} as const;

export type UnaryOp = keyof typeof UNARY;
export type BinaryOp = keyof typeof BINARY;


// Uniform layout, in u32 words: n, rank, 2 spare, then out's shape, then each input's strides (MAX_RANK each).
const SHAPE_AT = 4;
const strideAt = (input: number) => SHAPE_AT + MAX_RANK * (1 + input);
const META_WORDS = Math.ceil(strideAt(2) / 4) * 4;

function source(expr: string, arity: 1 | 2): string {
  const inputs = arity === 1 ? ['a'] : ['a', 'b'];
  return /* wgsl */ `
struct Meta { v: array<vec4<u32>, ${META_WORDS / 4}> }
${inputs.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<f32>;`).join('\n')}
@group(0) @binding(${arity}) var<storage, read_write> out: array<f32>;
@group(0) @binding(${arity + 1}) var<uniform> info: Meta;

fn m(i: u32) -> u32 { return info.v[i / 4u][i % 4u]; }

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;
  if (i >= m(0u)) { return; }
  var rest = i;
${inputs.map((name) => `  var at_${name} = 0u;`).join('\n')}
  for (var d = m(1u); d > 0u; d--) {
    let size = m(${SHAPE_AT}u + d - 1u);
    let coord = rest % size;
    rest = rest / size;
${inputs.map((name, k) => `    at_${name} += coord * m(${strideAt(k)}u + d - 1u);`).join('\n')}
  }
  let x = a[at_a];
${arity === 2 ? '  let y = b[at_b];' : ''}
  out[i] = ${expr};
}
`;
}

function run(ctx: GpuContext, op: string, expr: string, xs: readonly { a: GpuArray; shape: readonly number[] }[], shape: readonly number[]): GpuArray {
  if (shape.length > MAX_RANK) throw new Error(`webgpu ${op}: rank ${shape.length} is more than the ${MAX_RANK} the kernels index`);
  const n = shape.reduce((p, s) => p * s, 1);
  const out = ctx.alloc(n);
  if (n === 0) return out;
  const meta = new Uint32Array(META_WORDS);
  meta[0] = n;
  meta[1] = shape.length;
  meta.set(shape, SHAPE_AT);
  xs.forEach((x, k) => meta.set(broadcastStrides(x.shape, shape), strideAt(k)));
  ctx.dispatch(source(expr, xs.length as 1 | 2), [...xs.map((x) => x.a.buffer), out.buffer], meta, workgroupsFor(n));
  return out;
}

/**
 * Encodes `op` of `x` (shape `shape`) and returns the result, of the same shape, still on the GPU.
 * @example const y = unary(ctx, 'relu', x, [64, 128]);
 */
export function unary(ctx: GpuContext, op: UnaryOp, x: GpuArray, shape: readonly number[]): GpuArray {
  return run(ctx, op, UNARY[op], [{ a: x, shape }], shape);
}

/**
 * Encodes `op` of `x` and `y`, broadcast together as NumPy does, and returns the result and its shape.
 * @example const { out, shape } = binary(ctx, 'add', h, [64, 128], bias, [128]);
 */
export function binary(ctx: GpuContext, op: BinaryOp, x: GpuArray, xShape: readonly number[], y: GpuArray, yShape: readonly number[]): { out: GpuArray; shape: number[] } {
  const shape = broadcastShapes(`webgpu ${op}`, xShape, yShape);
  return { out: run(ctx, op, BINARY[op], [{ a: x, shape: xShape }, { a: y, shape: yShape }], shape), shape };
}
