import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
import { defineOp, type Op } from '../op.js';
import { k } from '../kernels/index.js';
import { normalizeDim, numel } from '../shape.js';
import { binaryOnGpu, operands } from './broadcast.js';
import { logSoftmaxAxis } from '../kernels/webgpu/reduce.js';
import { floatsOnGpu } from './webgpu.js';
import { unary } from './unary.js';
import { add, erf, exp, mul, pow, sub, where } from './elementwise.js';
import { gt } from './compare.js';
import { sum } from './reduce.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** max(x, 0). */
export const relu = unary('relu', (g, x) => reluBackwardOp([g, x], undefined));
// grad where x > 0 (or x is NaN), else 0, in one kernel instead of gt then mul; as PyTorch, an infinite
// grad at x ≤ 0 gives 0, not NaN. Linear in grad; x gets no gradient (the mask is constant almost everywhere).
const reluBackwardOp: Op<undefined, [grad: Tensor, x: Tensor]> = defineOp<undefined, [grad: Tensor, x: Tensor]>({
  name: 'reluBackward',
  saves: 'inputs',
  forward: ([grad, x]) => ({ data: k.reluBackward(grad.data, x.data), shape: x.shape }),
  webgpu: binaryOnGpu('reluBackward'),
  backward: ({ grad, inputs: [, x], needsInputGrad: [gg] }) => [gg ? reluBackwardOp([grad, x], undefined) : null, null],
});

// A dedicated kernel: composing 1 / (1 + exp(-x)) overflows for large negative x.
/** 1 / (1 + e⁻ˣ). */
export const sigmoid = unary('sigmoid', (g, _x, y) => mul(g, mul(y, sub(1, y))), 'output');

/** The hyperbolic tangent. */
export const tanh = unary('tanh', (g, _x, y) => mul(g, sub(1, mul(y, y))), 'output');

/** Options of `leakyRelu`. */
export interface LeakyReluOptions {
  /** The slope for x ≤ 0 (0.01 by default). */
  negativeSlope?: number;
}
/** x for x > 0, else negativeSlope·x. */
export const leakyRelu = api(sig('leakyRelu', ['x', K.tensor], ['options', opts({ negativeSlope: K.finite() }, { positional: ['negativeSlope'] })]), function leakyRelu(x: Tensor, options: LeakyReluOptions = {}): Tensor {
  return where(gt(x, 0), x, mul(x, options.negativeSlope ?? 0.01));
});

/** Options of `gelu`. */
export interface GeluOptions {
  /** `'none'` (exact, with erf; the default) or `'tanh'` (the tanh approximation). */
  approximate?: 'none' | 'tanh';
}
/** The Gaussian error linear unit x·Φ(x), exact or with PyTorch's tanh approximation. */
export const gelu = api(sig('gelu', ['x', K.tensor], ['options', opts({ approximate: K.oneOf('none', 'tanh') })]), function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  const approximate = options.approximate ?? 'none';
  if (approximate === 'tanh') {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== 'none') throw new DlError(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
});

// A dedicated rule for stability: log(softmax(x)) loses everything below e^-745 to underflow.
/** log(softmax(x)) along `dim`, computed stably. */
export const logSoftmax = defineOp({
  name: 'logSoftmax',
  params: [['x', K.tensor], ['dim', K.dim]],
  call: (x: Tensor, dim: number) => {
    const d = normalizeDim('logSoftmax', dim, x.ndim);
    return [operands('logSoftmax', x), { dim: x.ndim === 0 ? 0 : d }];
  },
  saves: 'output',
  forward: ([x], { dim }) => {
    const s = x.shape;
    // A 0-d tensor is one row of one element.
    const n = s.length === 0 ? 1 : s[dim]!;
    return { data: k.logSoftmaxAxis(x.data, numel(s.slice(0, dim)), n, numel(s.slice(dim + 1))), shape: s };
  },
  webgpu: ([x], { dim }, gpu) => {
    const s = x.shape;
    const [a] = floatsOnGpu('logSoftmax', x);
    return { data: logSoftmaxAxis(gpu, a!, numel(s.slice(0, dim)), s.length === 0 ? 1 : s[dim]!, numel(s.slice(dim + 1))), shape: s };
  },
  backward: ({ grad, output, attrs: { dim } }) => [sub(grad, mul(exp(output), sum(grad, { dim, keepdim: true })))],
});
/** exp(x) / Σ exp(x) along `dim`. @example softmax(logits, -1) */
export const softmax = api(sig('softmax', ['x', K.tensor], ['dim', K.dim]), function softmax(x: Tensor, dim: number): Tensor {
  normalizeDim('softmax', dim, x.ndim);
  return exp(logSoftmax(x, dim));
});
