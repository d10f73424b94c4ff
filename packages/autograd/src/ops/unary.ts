// The declaration shared by the unary ops of elementwise.ts and activation.ts: one kernel of the active
// backend, a derivative rule, and PyTorch's dtype rules. Internal (not exported from the package).
import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
import { defineOp } from '../op.js';
import { k } from '../kernels/index.js';
import { operands } from './broadcast.js';
import { UNARY, type UnaryOp } from '../kernels/webgpu/elementwise.js';
import { unaryOnGpu } from './webgpu.js';
import * as K from '../checks/kinds.js';

/**
 * Declares a unary op from its kernel's name (looked up on the active backend at each call) and its
 * derivative rule. `dtypes`: 'float' converts integer and bool inputs to float first; 'any' keeps every
 * dtype; 'numeric' keeps int32 but refuses bool, as PyTorch's neg and abs do.
 */
export function unary(
  name: 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sin' | 'cos' | 'erf' | 'sign' | 'relu' | 'sigmoid' | 'tanh',
  rule?: (grad: Tensor, x: Tensor, out: Tensor) => Tensor,
  saves: 'inputs' | 'output' | 'none' = 'inputs',
  dtypes: 'float' | 'any' | 'numeric' = 'float',
) {
  return defineOp({
    name,
    params: [['x', K.tensor]],
    call: (x: Tensor) => {
      if (dtypes === 'numeric' && x.dtype === 'bool') {
        throw new DlError(name, `${name} of a bool tensor is not supported (as in PyTorch)`, { hint: 'invert a mask with logicalNot(), or convert with .int() first' });
      }
      return [operands(name, x), undefined];
    },
    saves,
    dtypes: dtypes === 'float' ? 'float' : 'any',
    // The active backend's kernel of that name, looked up at each call (setBackend replaces `k`).
    forward: ([x]) => ({ data: k[name](x.data), shape: x.shape }),
    // neg and abs keep int32 (WGSL's - and abs work on i32); the rest compute in f32.
    webgpu: name in UNARY ? unaryOnGpu(name as UnaryOp, dtypes === 'numeric') : undefined,
    backward: rule && (({ grad, inputs: [x], output }) => [rule(grad, x, output)]),
  });
}

