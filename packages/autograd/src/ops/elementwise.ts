import { DlError } from '../checks/error.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from '../op.js';
import { k } from '../kernels/index.js';
import { stridesOf } from '../shape.js';
import { zerosLike } from '../creation.js';
import { binaryForward, binaryOnGpu, broadcastAll, broadcastOnGpu, operands } from './broadcast.js';
import type { GpuDType } from '../kernels/webgpu/context.js';
import { cast as gpuCast, CLAMP, map, WGSL_TYPE, whereExpr } from '../kernels/webgpu/elementwise.js';
import { floatsOnGpu, onGpu } from './webgpu.js';
import { unary } from './unary.js';
import { eq, ge, gt, le, lt } from './compare.js';
import { type Checked } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

// bool + bool is logical or, as in PyTorch (1 + 1 would not be a bool).
const addOnGpu = binaryOnGpu('add', true);
const orOnGpu = binaryOnGpu('maximum', true);
/** a + b, broadcasting. @example add(x, 1) */
export const add: Checked<(a: TensorLike, b: TensorLike) => Tensor> = defineOp({
  name: 'add',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => [operands('add', a, b), undefined],
  saves: 'none',
  dtypes: 'any',
  // A bias added to activations skips the broadcast copy (addRows; a + b is b + a bit for bit).
  forward: ([a, b]) => (a.dtype === 'bool' ? binaryForward('add', k.maximum, a, b) : binaryForward('add', k.add, a, b, k.addRows)),
  webgpu: (inputs, attrs, gpu) => (inputs[0].dtype === 'bool' ? orOnGpu : addOnGpu)(inputs, attrs, gpu),
  backward: ({ grad }) => [grad, grad],
});
/** a − b, broadcasting. */
export const sub: Checked<(a: TensorLike, b: TensorLike) => Tensor> = defineOp({
  name: 'sub',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => {
    if ((a instanceof Tensor && a.dtype === 'bool') || (b instanceof Tensor && b.dtype === 'bool')) {
      throw new DlError('sub', 'subtraction with a bool tensor is not supported (as in PyTorch)', { hint: 'invert a mask with logicalNot(), compare two with logicalXor(), or convert with .int() first' });
    }
    return [operands('sub', a, b), undefined];
  },
  saves: 'none',
  dtypes: 'any',
  forward: ([a, b]) => binaryForward('sub', k.sub, a, b),
  webgpu: binaryOnGpu('sub', true),
  backward: ({ grad, needsInputGrad: [, gb] }) => [grad, gb ? neg(grad) : null],
});
/** a · b elementwise, broadcasting. */
export const mul: Checked<(a: TensorLike, b: TensorLike) => Tensor> = defineOp({
  name: 'mul',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => [operands('mul', a, b), undefined],
  saves: 'inputs',
  dtypes: 'any',
  forward: ([a, b]) => binaryForward('mul', k.mul, a, b),
  webgpu: binaryOnGpu('mul', true),
  backward: ({ grad, inputs: [a, b], needsInputGrad: [ga, gb] }) => [ga ? mul(grad, b) : null, gb ? mul(grad, a) : null],
});
/** a / b elementwise, broadcasting. */
export const div: Checked<(a: TensorLike, b: TensorLike) => Tensor> = defineOp({
  name: 'div',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => [operands('div', a, b), undefined],
  saves: 'inputs',
  forward: ([a, b]) => binaryForward('div', k.div, a, b),
  webgpu: binaryOnGpu('div'),
  backward: ({ grad, inputs: [a, b], needsInputGrad: [ga, gb] }) => [
    ga ? div(grad, b) : null,
    gb ? neg(div(mul(grad, a), mul(b, b))) : null,
  ],
});
/** a raised to b elementwise, broadcasting. @example pow(x, 2) */
export const pow: Checked<(a: TensorLike, b: TensorLike) => Tensor> = defineOp({
  name: 'pow',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => [operands('pow', a, b), undefined],
  forward: ([a, b]) => binaryForward('pow', k.pow, a, b),
  webgpu: binaryOnGpu('pow'),
  // PyTorch's conventions: the base gets 0 where base and exponent are 0 (not 0·0⁻¹ = NaN; masking
  // only that point keeps the formula, and so second derivatives, intact at b = 0 elsewhere), and the
  // exponent gets 0 where the base is 0 and the exponent ≥ 0 (the limit of aᵇ·log a as a → 0⁺).
  backward: ({ grad, inputs: [a, b], output, needsInputGrad: [ga, gb] }) => [
    ga ? where(mul(eq(a, 0), eq(b, 0)), 0, mul(grad, mul(b, pow(a, sub(b, 1))))) : null,
    gb ? where(mul(eq(a, 0), ge(b, 0)), 0, mul(grad, mul(output, log(a)))) : null,
  ],
});
/**
 * The gradients of maximum or minimum: a tie splits the gradient evenly, and an input gets the whole
 * gradient unless it lost (`loses(a, b)` is 1), so where a NaN is compared both inputs get it (PyTorch).
 */
function extremeBackward(grad: Tensor, a: Tensor, b: Tensor, loses: (x: Tensor, y: Tensor) => Tensor, [ga, gb]: boolean[]): (Tensor | null)[] {
  const half = mul(eq(a, b).to(grad.dtype), 0.5);
  const wins = (x: Tensor, y: Tensor): Tensor => sub(sub(1, loses(x, y).to(grad.dtype)), half);
  return [ga ? mul(grad, wins(a, b)) : null, gb ? mul(grad, wins(b, a)) : null];
}
/** The larger of a and b elementwise (NaN propagates). */
export const maximum = defineOp({
  name: 'maximum',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => [operands('maximum', a, b), undefined],
  saves: 'inputs',
  dtypes: 'any',
  forward: ([a, b]) => binaryForward('maximum', k.maximum, a, b),
  webgpu: binaryOnGpu('maximum', true),
  backward: ({ grad, inputs: [a, b], needsInputGrad }) => extremeBackward(grad, a, b, lt, needsInputGrad),
});
/** The smaller of a and b elementwise (NaN propagates). */
export const minimum = defineOp({
  name: 'minimum',
  params: [['a', K.tensorLike], ['b', K.tensorLike]],
  call: (a: TensorLike, b: TensorLike) => [operands('minimum', a, b), undefined],
  saves: 'inputs',
  dtypes: 'any',
  forward: ([a, b]) => binaryForward('minimum', k.minimum, a, b),
  webgpu: binaryOnGpu('minimum', true),
  backward: ({ grad, inputs: [a, b], needsInputGrad }) => extremeBackward(grad, a, b, gt, needsInputGrad),
});
/**
 * `a` where `condition` is non-zero, else `b`; all three broadcast. The condition is a mask of any
 * dtype and gets no gradient; numbers adopt the dtype of the tensor branch (of the condition when
 * both branches are numbers).
 * @example where(gt(x, 0), x, 0) // relu
 */
export const where: Checked<(condition: TensorLike, a: TensorLike, b: TensorLike) => Tensor> = defineOp({
  name: 'where',
  params: [['condition', K.tensorLike], ['a', K.tensorLike], ['b', K.tensorLike]],
  call: (condition: TensorLike, a: TensorLike, b: TensorLike) => {
    const [c] = operands('where', condition);
    const [x, y] = a instanceof Tensor || b instanceof Tensor ? operands('where', a, b) : operands('where', c, a, b).slice(1);
    return [[c, x!, y!] as [c: Tensor, a: Tensor, b: Tensor], undefined];
  },
  saves: 'inputs',
  dtypes: 'any',
  forward: ([c, a, b]) => {
    const { shape, data } = broadcastAll('where', [c, a, b]);
    return { data: k.where(data[0]!, data[1]!, data[2]!), shape };
  },
  webgpu: ([c, a, b], _, gpu) => {
    if (a.dtype !== 'float32' && a.dtype !== 'int32') floatsOnGpu('where', a);
    const { shape, operands: xs } = broadcastOnGpu('where', [c, a, b]);
    return { data: map(gpu, whereExpr(WGSL_TYPE[c.dtype as GpuDType]), xs, shape, a.dtype as 'float32' | 'int32'), shape };
  },
  backward: ({ grad, inputs: [c], needsInputGrad: [, ga, gb] }) => [null, ga ? where(c, grad, 0) : null, gb ? where(c, 0, grad) : null],
});

/** −x. */
export const neg = unary('neg', (g) => neg(g), 'none', 'numeric');
/** eˣ. */
export const exp = unary('exp', (g, _x, y) => mul(g, y), 'output');
/** The natural logarithm. */
export const log = unary('log', (g, x) => div(g, x));
/** The square root. */
export const sqrt = unary('sqrt', (g, _x, y) => div(g, mul(y, 2)), 'output');
/** |x|; its gradient at 0 is 0, as PyTorch's. */
export const abs = unary('abs', (g, x) => mul(g, sign(x)), 'inputs', 'numeric');
/** sin x. */
export const sin = unary('sin', (g, x) => mul(g, cos(x)));
/** cos x. */
export const cos = unary('cos', (g, x) => neg(mul(g, sin(x))));
/** The Gauss error function. */
export const erf = unary('erf', (g, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))));
/** −1, 0 or 1 by the sign of x; its gradient is 0 (recorded, as PyTorch's, so backward through it works). */
export const sign = unary('sign', (g) => zerosLike(g), 'none', 'any');

/** Bounds of `clamp`; either may be omitted. */
export interface ClampOptions {
  min?: number | null;
  max?: number | null;
}
/** `clamp`'s calling forms: `{ min, max }`, or PyTorch's positional `(min, max?)` (`clamp(x, 0)`, `clamp(x, null, 1)`). */
export type ClampArgs = [options: ClampOptions] | [min: number | null, max?: number | null];
/**
 * Limits x to [min, max] elementwise.
 * @example clamp(x, { min: 0 })
 */
export const clamp = defineOp({
  name: 'clamp',
  params: [['x', K.tensor], ['options', K.required(opts({ min: K.nullable(K.number), max: K.nullable(K.number) }, { positional: ['min', 'max'] }))]],
  call: (x: Tensor, options: ClampOptions) => {
    const min = options.min ?? -Infinity;
    const max = options.max ?? Infinity;
    if (options.min == null && options.max == null) throw new DlError('clamp: give at least one of min and max');
    if (Number.isNaN(min) || Number.isNaN(max)) throw new DlError(`clamp: bounds must not be NaN (min ${min}, max ${max})`);
    return [operands('clamp', x), { min, max }];
  },
  saves: 'inputs',
  dtypes: 'any',
  forward: ([x], { min, max }) => ({ data: k.clamp(x.data, min, max), shape: x.shape }),
  webgpu: ([x], { min, max }, gpu) => {
    // The bounds as one-value operands (a WGSL literal cannot be ±∞); int32 tensors are clamped as f32 and converted back.
    const ints = x.dtype === 'int32';
    const a = ints ? gpuCast(gpu, onGpu(x), 'float32') : floatsOnGpu('clamp', x)[0]!;
    const bound = (v: number) => ({ a: gpu.scalar(Float32Array.of(v)), strides: x.shape.map(() => 0) });
    const out = map(gpu, CLAMP, [{ a, strides: stridesOf(x.shape) }, bound(min), bound(max)], x.shape, 'float32');
    return { data: ints ? gpuCast(gpu, out, 'int32') : out, shape: x.shape };
  },
  // The gradient passes where min ≤ x ≤ max, bounds included, as in PyTorch.
  backward: ({ grad, inputs: [x], attrs: { min, max } }) => [mul(grad, mul(ge(x, min), le(x, max)))],
}) as Checked<(x: Tensor, ...args: ClampArgs) => Tensor>;
