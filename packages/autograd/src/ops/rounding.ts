// Rounding (zero gradient, as PyTorch), log1p/expm1, and the value tests isnan/isfinite/isinf, any, all.
import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { defineOp } from '../op.js';
import { k } from '../kernels/index.js';
import { normalizeDims, stridesOf } from '../shape.js';
import { cast as gpuCast, map, TESTS } from '../kernels/webgpu/elementwise.js';
import { floatsOnGpu, onGpu, unaryOnGpu } from './webgpu.js';
import { zerosLike } from '../creation.js';
import { operands } from './broadcast.js';
import { add, div, exp, mul } from './elementwise.js';
import { eq, gt, ne } from './compare.js';
import { sum } from './reduce.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** A gradient of zeros: PyTorch records rounding ops and gives them this gradient. */
const zeroGrad = (g: Tensor): Tensor => zerosLike(g);

function stepOp(name: 'floor' | 'ceil' | 'trunc') {
  return defineOp({
    name,
    params: [['x', K.tensor]],
    call: (x: Tensor) => [operands(name, x), undefined],
    saves: 'none',
    forward: ([x]) => ({ data: k[name](x.data), shape: x.shape }),
    webgpu: unaryOnGpu(name),
    backward: ({ grad }) => [zeroGrad(grad)],
  });
}

/** The largest integer ≤ x; gradient 0, as PyTorch. */
export const floor = stepOp('floor');
/** The smallest integer ≥ x; gradient 0. */
export const ceil = stepOp('ceil');
/** x rounded towards 0; gradient 0. */
export const trunc = stepOp('trunc');

/** Options of `round`. */
export interface RoundOptions {
  /** Decimal places to round at (0); negative rounds to tens, hundreds, ... */
  decimals?: number;
}
/**
 * Rounds half to even (2.5 → 2, 3.5 → 4), as PyTorch's `round`; gradient 0.
 * @example round(x, { decimals: 2 })
 */
export const round = defineOp({
  name: 'round',
  params: [['x', K.tensor], ['options', opts({ decimals: K.int() })]],
  call: (x: Tensor, options: RoundOptions = {}) => {
    const decimals = options.decimals ?? 0;
    if (!Number.isInteger(decimals)) throw new DlError(`round: decimals must be an integer, got ${String(decimals)}`);
    return [operands('round', x), { decimals }];
  },
  saves: 'none',
  forward: ([x], { decimals }) => ({ data: k.round(x.data, decimals), shape: x.shape }),
  // With decimals, in f32 as PyTorch's kernels compute it: round(x·10^d) / 10^d.
  webgpu: ([x], { decimals }, gpu) => {
    if (decimals === 0) return unaryOnGpu('round')([x], undefined, gpu);
    const [a] = floatsOnGpu('round', x);
    const s = { a: gpu.scalar(Float32Array.of(10 ** decimals)), strides: x.shape.map(() => 0) };
    return { data: map(gpu, 'round(x * y) / y', [{ a: a!, strides: stridesOf(x.shape) }, s], x.shape, 'float32'), shape: x.shape };
  },
  backward: ({ grad }) => [zeroGrad(grad)],
});

/** log(1 + x), accurate for small x. */
export const log1p = defineOp({
  name: 'log1p',
  params: [['x', K.tensor]],
  call: (x: Tensor) => [operands('log1p', x), undefined],
  saves: 'inputs',
  forward: ([x]) => ({ data: k.log1p(x.data), shape: x.shape }),
  webgpu: unaryOnGpu('log1p'),
  backward: ({ grad, inputs: [x] }) => [div(grad, add(x, 1))],
});
/** eˣ − 1, accurate for small x. */
export const expm1 = defineOp({
  name: 'expm1',
  params: [['x', K.tensor]],
  call: (x: Tensor) => [operands('expm1', x), undefined],
  saves: 'inputs',
  forward: ([x]) => ({ data: k.expm1(x.data), shape: x.shape }),
  webgpu: unaryOnGpu('expm1'),
  backward: ({ grad, inputs: [x] }) => [mul(grad, exp(x))],
});

function testOp(name: 'isnan' | 'isfinite' | 'isinf') {
  return defineOp({
    name,
    params: [['x', K.tensor]],
    call: (x: Tensor) => [operands(name, x), undefined],
    dtypes: 'any',
    forward: ([x]) => ({ data: k[name](x.data), shape: x.shape }),
    // Integers are tested as the floats they convert to (finite, never NaN).
    webgpu: ([x], _, gpu) => {
      const a = x.dtype === 'float32' ? onGpu(x) : gpuCast(gpu, onGpu(x), 'float32');
      return { data: map(gpu, TESTS[name], [{ a, strides: stridesOf(x.shape) }], x.shape, 'bool'), shape: x.shape };
    },
  });
}
/** 1 where x is NaN, else 0 (a mask of x's dtype, without gradient). */
export const isnan = testOp('isnan');
/** 1 where x is finite (neither infinite nor NaN), else 0. */
export const isfinite = testOp('isfinite');
/** 1 where x is ±Infinity, else 0. */
export const isinf = testOp('isinf');

/** Options of `any` and `all`: the dims to test over (all when omitted), and whether to keep them. */
export interface AnyAllOptions {
  dim?: number | readonly number[];
  keepdim?: boolean;
}
function truth(name: string, x: Tensor, options: AnyAllOptions, count: (x: Tensor) => Tensor, test: (n: Tensor) => Tensor): Tensor {
  const dims = normalizeDims(name, options.dim, x.ndim);
  return test(sum(count(x.detach()), { dim: x.ndim === 0 ? [] : dims, keepdim: options.keepdim ?? false }));
}
/** 1 where some element over `dim` is non-zero (NaN counts), else 0; a mask without gradient. @example any(isnan(x)).item() */
export const any = api(sig('any', ['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), function any(x: Tensor, options: AnyAllOptions = {}): Tensor {
  return truth('any', x, options, (v) => ne(v, 0), (n) => gt(n, 0));
});
/** 1 where every element over `dim` is non-zero, else 0 (1 for an empty tensor). */
export const all = api(sig('all', ['x', K.tensor], ['options', opts({ dim: K.dims, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), function all(x: Tensor, options: AnyAllOptions = {}): Tensor {
  return truth('all', x, options, (v) => eq(v, 0), (n) => eq(n, 0));
});
