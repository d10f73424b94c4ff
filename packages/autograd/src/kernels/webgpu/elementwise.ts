// Elementwise WGSL kernels (issue 13): one generated shader per op and arity, for any rank up to
// MAX_RANK, reading each input through strides passed in a uniform (0 along a broadcast dimension, permuted
// for a transpose), so one generator serves elementwise math, broadcasting, permutes and casts.
import { broadcastShapes, broadcastStrides } from '../../shape.js';
import { MAIN, workgroupsFor, type GpuArray, type GpuContext, type GpuDType } from './context.js';

/** The most dimensions an elementwise kernel indexes. */
export const MAX_RANK = 8;

/** Whether a WGSL f32 `v` is NaN, from its bits (SwiftShader folds float compares with NaN). */
const nan = (v: string) => `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)`;
/** `pick` unless x or y is NaN, then NaN: PyTorch's maximum and minimum propagate NaN; a tie keeps x. */
// (x + y is that NaN: a NaN constant is not a valid WGSL f32, and the sum is computed at run time.)
const nanOr = (pick: string) => `select(${pick}, x + y, ${nan('x')} || ${nan('y')})`;

/** Unary ops and their WGSL expression in `x`. */
export const UNARY = {
  neg: '-x',
  abs: 'abs(x)',
  sign: `select(sign(x), x, ${nan('x')})`,
  sin: 'sin(x)',
  cos: 'cos(x)',
  erf: 'erff(x)',
  floor: 'floor(x)',
  ceil: 'ceil(x)',
  trunc: 'trunc(x)',
  // WGSL's round goes half to even, as PyTorch's.
  round: 'round(x)',
  // log(1 + x) and exp(x) − 1 corrected by the rounding of 1 + x and of exp(x) (Goldberg's trick).
  log1p: 'select(log(1.0 + x) * x / ((1.0 + x) - 1.0), x, (1.0 + x) == 1.0)',
  expm1: 'expm1f(x)',
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
  maximum: nanOr('select(y, x, x >= y)'),
  minimum: nanOr('select(y, x, x <= y)'),
  reluBackward: 'select(x, 0.0, y <= 0.0)',
  pow: 'powf(x, y)',
} as const;

/**
 * Helpers every generated kernel may call. powf is JavaScript's Math.pow on f32 (WGSL's pow is undefined for a
 * negative base): 1 for a zero exponent, NaN for a negative base with a fractional exponent, the sign of
 * (−1)^y for an integral one, and exp2(y·log2|x|) otherwise (so 0 and ∞ come out as IEEE says).
 */
const PRELUDE = /* wgsl */ `
fn erff(x: f32) -> f32 {
  // Abramowitz and Stegun 7.1.26: |error| < 1.5e-7.
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return select(1.0 - p * exp(-x * x), p * exp(-x * x) - 1.0, x < 0.0);
}
fn expm1f(x: f32) -> f32 {
  let u = exp(x);
  if (u == 1.0) { return x; }
  if (u == 0.0) { return -1.0; }
  let um1 = u - 1.0;
  if (um1 == u) { return u; }
  return um1 * x / log(u);
}
fn powf(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  let r = exp2(y * log2(abs(x)));
  if (x >= 0.0 || ${nan('x')}) { return r; }
  if (fract(y) != 0.0) { return (x - x) / (x - x); }
  return select(r, -r, fract(y * 0.5) != 0.0);
}
`;

/** The WGSL of where(c, a, b) with the condition `x` of WGSL type `type` (NaN counts as true, as on the CPU). */
export function whereExpr(type: string): string {
  const truthy = type === 'f32' ? '((bitcast<u32>(x) & 0x7fffffffu) != 0u)' : type === 'i32' ? '(x != 0)' : '(x != 0u)';
  return `select(z, y, ${truthy})`;
}

/** The value tests, on f32 bits (a bool, u32 0 or 1). */
export const TESTS = {
  isnan: `select(0u, 1u, ${nan('x')})`,
  isinf: 'select(0u, 1u, (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u)',
  isfinite: 'select(0u, 1u, (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u)',
} as const;

/** clamp(x, y, z) with the bounds as operands: min(max(x, lo), hi), NaN stays NaN, lo > hi gives hi. */
export const CLAMP = `select(min(max(x, y), z), x, ${nan('x')})`;

/** Comparisons: a bool (u32 0 or 1) of x and y; with a NaN only ne is true, as IEEE and PyTorch say. */
export const COMPARE = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;
export type CompareOp = keyof typeof COMPARE;

/** The WGSL expression of comparison `op` on operands of WGSL type `type`. */
export function compareExpr(op: CompareOp, type: string): string {
  const plain = `x ${COMPARE[op]} y`;
  if (type !== 'f32') return `select(0u, 1u, ${plain})`;
  const anyNan = `(${nan('x')} || ${nan('y')})`;
  return op === 'ne' ? `select(0u, 1u, ${plain} || ${anyNan})` : `select(0u, 1u, ${plain} && !${anyNan})`;
}

export type UnaryOp = keyof typeof UNARY;
export type BinaryOp = keyof typeof BINARY;


/** The WGSL element type of each GPU dtype: bools are one u32 (0 or 1) each. */
export const WGSL_TYPE = { float32: 'f32', int32: 'i32', bool: 'u32' } as const satisfies Record<GpuDType, string>;

// Uniform layout, in u32 words: n, rank, 2 spare, then out's shape, then each input's strides (MAX_RANK each,
// signed: a flip reads backwards), then each input's offset.
const SHAPE_AT = 4;
const strideAt = (input: number) => SHAPE_AT + MAX_RANK * (1 + input);
const MAX_INPUTS = 3;
const OFFSET_AT = strideAt(MAX_INPUTS);
const META_WORDS = Math.ceil((OFFSET_AT + MAX_INPUTS) / 4) * 4;
const NAMES = ['x', 'y', 'z'];

function source(expr: string, inTypes: readonly string[], outType: string): string {
  const inputs = inTypes.map((_, i) => `in${i}`);
  return /* wgsl */ `${PRELUDE}
struct Meta { v: array<vec4<u32>, ${META_WORDS / 4}> }
${inputs.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<${inTypes[i]}>;`).join('\n')}
@group(0) @binding(${inputs.length}) var<storage, read_write> out: array<${outType}>;
@group(0) @binding(${inputs.length + 1}) var<uniform> info: Meta;

fn m(i: u32) -> u32 { return info.v[i / 4u][i % 4u]; }

${MAIN}
  if (i >= m(0u)) { return; }
  var rest = i;
${inputs.map((name, k) => `  var at_${name} = i32(m(${OFFSET_AT + k}u));`).join('\n')}
  for (var d = m(1u); d > 0u; d--) {
    let size = m(${SHAPE_AT}u + d - 1u);
    let coord = i32(rest % size);
    rest = rest / size;
${inputs.map((name, k) => `    at_${name} += coord * bitcast<i32>(m(${strideAt(k)}u + d - 1u));`).join('\n')}
  }
${inputs.map((name, k) => `  let ${NAMES[k]} = ${name}[u32(at_${name})];`).join('\n')}
  out[i] = ${expr};
}
`;
}

/** An operand of `map`: its values, per output dim its stride (0 where it is broadcast, negative to read backwards), and where it starts. */
export interface Strided {
  readonly a: GpuArray;
  readonly strides: readonly number[];
  readonly offset?: number;
}

/**
 * The uniform of a strided kernel over `shape` (dims collapsed first): the element count, the rank, the
 * shape, and each operand's signed strides and offset.
 */
function stridedMeta(outShape: readonly number[], operands: readonly Strided[]): { n: number; meta: Uint32Array } {
  const { shape, xs } = collapse(outShape, operands);
  if (shape.length > MAX_RANK) throw new Error(`webgpu: rank ${shape.length} is more than the ${MAX_RANK} the kernels index`);
  if (xs.length > MAX_INPUTS) throw new Error(`webgpu: at most ${MAX_INPUTS} operands, got ${xs.length}`);
  const meta = new Uint32Array(META_WORDS);
  const n = shape.reduce((p, s) => p * s, 1);
  meta[0] = n;
  meta[1] = shape.length;
  meta.set(shape, SHAPE_AT);
  const signed = new Int32Array(meta.buffer);
  xs.forEach((x, k) => {
    signed.set(x.strides, strideAt(k));
    meta[OFFSET_AT + k] = x.offset ?? 0;
  });
  return { n, meta };
}

/**
 * Encodes out[i] = expr(x, y, z) over an output of `shape`, reading each operand through its strides
 * (so one kernel broadcasts, permutes and expands), and returns the output, of dtype `to`. With `asBits`
 * every value is read and written as its 32 bits (a copy of any dtype).
 * @example map(ctx, 'x * y', [{ a, strides: [4, 1] }, { a: b, strides: [0, 1] }], [3, 4], 'float32')
 */
export function map(ctx: GpuContext, expr: string, operands: readonly Strided[], shape: readonly number[], to: GpuDType, asBits = false): GpuArray {
  const { n, meta } = stridedMeta(shape, operands);
  const out = ctx.alloc(n, to);
  if (n === 0) return out;
  const inTypes = operands.map((x) => (asBits ? 'u32' : WGSL_TYPE[x.a.dtype]));
  ctx.dispatch(source(expr, inTypes, asBits ? 'u32' : WGSL_TYPE[to]), [...operands.map((x) => x.a.buffer), out.buffer], meta, workgroupsFor(n));
  return out;
}

/**
 * The values of `a` read through `strides` into a new contiguous array of `shape` (any dtype, copied
 * as bits): permute, expand and broadcast copies.
 */
export function stridedCopy(ctx: GpuContext, a: GpuArray, strides: readonly number[], shape: readonly number[], offset = 0): GpuArray {
  return map(ctx, 'x', [{ a, strides, offset }], shape, a.dtype, true);
}

const STRIDED_WRITE = /* wgsl */ `
struct Meta { v: array<vec4<u32>, ${META_WORDS / 4}> }
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> info: Meta;
fn m(i: u32) -> u32 { return info.v[i / 4u][i % 4u]; }

${MAIN}
  if (i >= m(0u)) { return; }
  var rest = i;
  var at = i32(m(${OFFSET_AT}u));
  for (var d = m(1u); d > 0u; d--) {
    let size = m(${SHAPE_AT}u + d - 1u);
    at += i32(rest % size) * bitcast<i32>(m(${strideAt(0)}u + d - 1u));
    rest = rest / size;
  }
  out[u32(at)] = src[i];
}
`;

/**
 * Writes `src` (contiguous, of `shape`) into `out` at offset + Σ coord·stride, encoded in order with the
 * pending work (the CPU's stridedWriteInto): slices' gradients, padding, concatenation.
 */
export function stridedWrite(ctx: GpuContext, out: GpuArray, offset: number, shape: readonly number[], strides: readonly number[], src: GpuArray): void {
  // The destination is the strided operand; src is read in order, which collapsing dims keeps.
  const { n, meta } = stridedMeta(shape, [{ a: out, strides, offset }]);
  if (n > 0) ctx.dispatch(STRIDED_WRITE, [src.buffer, out.buffer], meta, workgroupsFor(n));
}

/** An array of `n` copies of the one value in `scalar` (a GPU array of length 1), of its dtype. */
export function fill(ctx: GpuContext, scalar: GpuArray, n: number): GpuArray {
  return map(ctx, 'x', [{ a: scalar, strides: [0] }], [n], scalar.dtype, true);
}

/**
 * The same indexing over fewer dims: size-1 dims dropped, and neighbours merged where every operand steps
 * through them as through one dim (a contiguous copy becomes rank 1, a repeat's interleaved dims shrink).
 */
function collapse(shape: readonly number[], xs: readonly Strided[]): { shape: number[]; xs: Strided[] } {
  const keep = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  const out: number[] = [];
  const strides: number[][] = xs.map(() => []);
  for (const d of keep) {
    const last = out.length - 1;
    if (last >= 0 && xs.every((x, k) => strides[k]![last] === x.strides[d]! * shape[d]!)) {
      out[last] = out[last]! * shape[d]!;
      xs.forEach((x, k) => (strides[k]![last] = x.strides[d]!));
    } else {
      out.push(shape[d]!);
      xs.forEach((x, k) => strides[k]!.push(x.strides[d]!));
    }
  }
  return { shape: out, xs: xs.map((x, k) => ({ a: x.a, strides: strides[k]!, offset: x.offset })) };
}

/** A NaN-aware "is not zero" on f32 bits (SwiftShader folds float compares with NaN). */
const NONZERO_F32 = '(bitcast<u32>(x) & 0x7fffffffu) != 0u';

/** `a` converted to dtype `to`: floats truncate toward zero into int32; anything not zero (NaN too) is true. */
export function cast(ctx: GpuContext, a: GpuArray, to: GpuDType): GpuArray {
  if (a.dtype === to) return ctx.copy(a);
  const expr = to === 'float32' ? 'f32(x)' : to === 'int32' ? 'i32(x)' : a.dtype === 'float32' ? `select(0u, 1u, ${NONZERO_F32})` : 'select(0u, 1u, x != 0)';
  const flat = [a.length];
  return map(ctx, expr, [{ a, strides: [1] }], flat, to);
}

/**
 * Encodes `op` of `x` (shape `shape`) and returns the result, of the same shape, still on the GPU.
 * @example const y = unary(ctx, 'relu', x, [64, 128]);
 */
export function unary(ctx: GpuContext, op: UnaryOp, x: GpuArray, shape: readonly number[]): GpuArray {
  return map(ctx, UNARY[op], [{ a: x, strides: broadcastStrides(shape, shape) }], shape, 'float32');
}

/**
 * Encodes `op` of `x` and `y`, broadcast together as NumPy does, and returns the result and its shape.
 * @example const { out, shape } = binary(ctx, 'add', h, [64, 128], bias, [128]);
 */
export function binary(ctx: GpuContext, op: BinaryOp, x: GpuArray, xShape: readonly number[], y: GpuArray, yShape: readonly number[]): { out: GpuArray; shape: number[] } {
  const shape = broadcastShapes(`webgpu ${op}`, xShape, yShape);
  const xs = [{ a: x, strides: broadcastStrides(xShape, shape) }, { a: y, strides: broadcastStrides(yShape, shape) }];
  return { out: map(ctx, BINARY[op], xs, shape, 'float32'), shape };
}
