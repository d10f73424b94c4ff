// Running sums and products along a dim, and the product reduction; backward rules are written in ops
// (cumsum and cumprod of flipped gradients), so their gradients are differentiable again.
import { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../op.js';
import { k } from '../kernels/index.js';
import { reduce as gpuReduce, scanAxis as gpuScanAxis } from '../kernels/webgpu/reduce.js';
import { floatsOnGpu } from './webgpu.js';
import { normalizeDim, numel, type Shape } from '../shape.js';
import { div, mul, where } from './elementwise.js';
import { sum } from './reduce.js';
import { counted } from './counting.js';
import { ones, onesLike } from '../creation.js';
import { cat, reshape, slice, transpose, unsqueeze } from './movement.js';
import { flip } from './shaping.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** The [outer, n, inner] view of `shape` around `dim`. */
function around(shape: Shape, dim: number): [number, number, number] {
  return [numel(shape.slice(0, dim)), shape[dim]!, numel(shape.slice(dim + 1))];
}

/** A tensor of ones shaped as x with `dim` of size 1, on x's device. */
function onesAlong(x: Tensor, dim: number): Tensor {
  return ones(x.shape.map((s, i) => (i === dim ? 1 : s)), { dtype: x.dtype, device: x.device });
}

/** Runs `f` on x seen as 1-D when x is 0-D (PyTorch scans a scalar as one element), with `dim` resolved. */
function alongDim(op: string, x: Tensor, dim: number, f: (x: Tensor, d: number) => Tensor): Tensor {
  const d = normalizeDim(op, dim, x.ndim);
  return x.ndim === 0 ? reshape(f(reshape(x, [1]), 0), []) : f(x, d);
}

const cumsumOp: Op<{ dim: number }, [x: Tensor]> = defineOp<{ dim: number }, [x: Tensor]>({
  name: 'cumsum',
  dtypes: 'any',
  saves: 'none',
  forward: ([x], { dim }) => ({ data: k.cumsumAxis(x.data, ...around(x.shape, dim)), shape: x.shape }),
  webgpu: ([x], { dim }, gpu) => ({ data: gpuScanAxis(gpu, 'sum', floatsOnGpu('cumsum', x)[0]!, ...around(x.shape, dim)), shape: x.shape }),
  // Each input reaches every later output: the gradient is the reversed running sum of the gradient.
  backward: ({ grad, attrs }) => [flip(cumsumOp([flip(grad, attrs.dim)], attrs), attrs.dim)],
});

/** Running sums along `dim`: out[i] = x[0] + … + x[i]. @example cumsum(tensor([1, 2, 3]), 0) // [1, 3, 6] */
export const cumsum = api(sig('cumsum', ['x', K.tensor], ['dim', K.dim]), function cumsum(x: Tensor, dim: number): Tensor {
  return alongDim('cumsum', counted(x), dim, (t, d) => cumsumOp([t], { dim: d }));
});

const cumprodOp: Op<{ dim: number }, [x: Tensor]> = defineOp<{ dim: number }, [x: Tensor]>({
  name: 'cumprod',
  dtypes: 'any',
  forward: ([x], { dim }) => ({ data: k.cumprodAxis(x.data, ...around(x.shape, dim)), shape: x.shape }),
  webgpu: ([x], { dim }, gpu) => ({ data: gpuScanAxis(gpu, 'prod', floatsOnGpu('cumprod', x)[0]!, ...around(x.shape, dim)), shape: x.shape }),
  backward: ({ grad, inputs: [x], output, attrs: { dim } }) => {
    // Without zeros, ∂out_j/∂x_i = out_j / x_i: the reversed running sum of grad·out, over x (only
    // while no running product is 0 or so small that grad·out would underflow).
    const [tiny, small] = x.dtype === 'float64' ? [1e-250, 1e-30] : [1e-30, 1e-8];
    // (On the GPU the values cannot be looked at, so the exact way below is always taken.)
    if (x.device === 'cpu' && output.data.every((v) => Math.abs(v) > tiny) && x.data.every((v) => Math.abs(v) > small)) return [div(flip(cumsum(flip(mul(grad, output), dim), dim), dim), x)];
    // With zeros, the products that leave x_i out: row i of Y holds x with x_i replaced by 1, so
    // cumprod(Y)[i, j] = Π_{k ≤ j, k ≠ i} x_k, and grad_i = Σ_{j ≥ i} grad_j · that.
    const n = x.shape[dim]!;
    const xt = transpose(x, dim, -1);
    const eye = new Float64Array(n * n);
    const upper = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) [eye[i * n + j], upper[i * n + j]] = [i === j ? 1 : 0, j >= i ? 1 : 0];
    const asDtype = (a: Float64Array) => new Tensor(x.dtype === 'float64' ? a : Float32Array.from(a), [n, n]).to(x.device);
    const y = where(asDtype(eye), 1, unsqueeze(xt, -2));
    const c = cumprodOp([y], { dim: y.ndim - 1 });
    const g = mul(unsqueeze(transpose(grad, dim, -1), -2), asDtype(upper));
    return [transpose(sum(mul(g, c), { dim: -1 }), dim, -1)];
  },
});

/** Running products along `dim`: out[i] = x[0] · … · x[i]; the gradient is exact where x has zeros. */
export const cumprod = api(sig('cumprod', ['x', K.tensor], ['dim', K.dim]), function cumprod(x: Tensor, dim: number): Tensor {
  return alongDim('cumprod', counted(x), dim, (t, d) => cumprodOp([t], { dim: d }));
});

/** Options of `prod`: one dim to multiply over (all when omitted), and whether to keep it with size 1. */
export interface ProdOptions {
  dim?: number;
  keepdim?: boolean;
}
const prodOp = defineOp<{ dim: number; keepdim: boolean }, [x: Tensor]>({
  name: 'prod',
  dtypes: 'any',
  saves: 'inputs',
  forward: ([x], { dim, keepdim }) => {
    const shape = keepdim ? x.shape.map((s, i) => (i === dim ? 1 : s)) : x.shape.filter((_, i) => i !== dim);
    return { data: k.prodAxis(x.data, ...around(x.shape, dim)), shape };
  },
  webgpu: ([x], { dim, keepdim }, gpu) => {
    const shape = keepdim ? x.shape.map((s, i) => (i === dim ? 1 : s)) : x.shape.filter((_, i) => i !== dim);
    return { data: gpuReduce(gpu, 'prod', floatsOnGpu('prod', x)[0]!, x.shape, dim).out, shape };
  },
  // ∂/∂x_i = Π_{k≠i} x_k, the product of the exclusive running products from the left and from the
  // right: no division, so zeros get their exact gradient.
  backward: ({ grad, inputs: [x], attrs: { dim, keepdim } }) => {
    const n = x.shape[dim]!;
    const g = keepdim ? grad : unsqueeze(grad, dim);
    if (n <= 1) return [mul(g, onesLike(x))];
    const one = onesAlong(x, dim);
    const left = cat([one, slice(cumprod(x, dim), dim, 0, n - 1)], dim);
    const right = flip(cat([one, slice(cumprod(flip(x, dim), dim), dim, 0, n - 1)], dim), dim);
    return [mul(g, mul(left, right))];
  },
});

/**
 * The product over `dim` (of every element when omitted); the gradient is exact with zeros.
 * @example prod(x, { dim: 1, keepdim: true })
 */
export const prod = api(sig('prod', ['x', K.tensor], ['options', opts({ dim: K.dim, keepdim: K.bool }, { positional: ['dim', 'keepdim'] })]), function prod(x: Tensor, options: ProdOptions = {}): Tensor {
  const t = counted(x);
  if (options.dim === undefined) {
    const all = prodOp([reshape(t!, [t!.numel()])], { dim: 0, keepdim: false });
    return options.keepdim ? reshape(all, t!.shape.map(() => 1)) : all;
  }
  const d = normalizeDim('prod', options.dim, t!.ndim);
  if (t!.ndim === 0) return reshape(prodOp([reshape(t!, [1])], { dim: 0, keepdim: false }), []);
  return prodOp([t!], { dim: d, keepdim: options.keepdim ?? false });
});
