import { Tensor, type TensorLike } from '../tensor.js';
import { defineOp } from '../op.js';
import { k } from '../kernels/index.js';
import { binaryForward, broadcastOnGpu, operands } from './broadcast.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { maximum, mul } from './elementwise.js';
import { compareExpr, map, WGSL_TYPE } from '../kernels/webgpu/elementwise.js';
import type { GpuDType } from '../kernels/webgpu/context.js';

type Predicate = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

function comparison(p: Predicate) {
  return defineOp({
    name: p,
    params: [['a', K.tensorLike], ['b', K.tensorLike]],
    call: (a: TensorLike, b: TensorLike) => [operands(p, a, b), undefined],
    dtypes: 'any',
    forward: ([a, b]) => binaryForward(p, k[p], a, b),
    webgpu: ([a, b], _, gpu) => {
      const { shape, operands: xs } = broadcastOnGpu(p, [a, b]);
      return { data: map(gpu, compareExpr(p, WGSL_TYPE[a.dtype as GpuDType]), xs, shape, 'bool'), shape };
    },
  });
}

/** True where a = b (a bool tensor, broadcasting; masks carry no gradient). @example eq(argmax(logits, { dim: 1 }), labels) */
export const eq = comparison('eq');
/** True where a ≠ b (a bool tensor). */
export const ne = comparison('ne');
/** True where a < b (a bool tensor). */
export const lt = comparison('lt');
/** True where a ≤ b (a bool tensor). */
export const le = comparison('le');
/** True where a > b (a bool tensor). */
export const gt = comparison('gt');
/** True where a ≥ b (a bool tensor). */
export const ge = comparison('ge');

/** Whether each value is non-zero (true for NaN), as a bool tensor. */
function truthy(x: TensorLike): Tensor {
  return x instanceof Tensor && x.dtype === 'bool' ? x : ne(x, 0);
}
const logic = (name: string, f: (a: Tensor, b: Tensor) => Tensor) =>
  api(sig(name, ['a', K.tensorLike], ['b', K.tensorLike]), (a: TensorLike, b: TensorLike): Tensor => f(truthy(a), truthy(b)));

/** True where x is 0 (false), as PyTorch's `logical_not` (`~mask` on a bool tensor). @example x.gt(0).logicalNot() */
export const logicalNot = api(sig('logicalNot', ['x', K.tensor]), function logicalNot(x: Tensor): Tensor {
  return eq(truthy(x), 0);
});
/** True where both are non-zero, broadcasting (PyTorch's `logical_and`, `a & b` on bool tensors). */
export const logicalAnd = logic('logicalAnd', (a, b) => mul(a, b));
/** True where either is non-zero, broadcasting (PyTorch's `logical_or`, `a | b` on bool tensors). */
export const logicalOr = logic('logicalOr', (a, b) => maximum(a, b));
/** True where exactly one is non-zero, broadcasting (PyTorch's `logical_xor`, `a ^ b` on bool tensors). */
export const logicalXor = logic('logicalXor', (a, b) => ne(a, b));
