import type { Tensor, TensorLike } from '../tensor.js';
import { defineOp } from '../op.js';
import { k } from '../kernels/index.js';
import { binaryForward, operands } from './broadcast.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';

type Predicate = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

function comparison(p: Predicate) {
  const op = defineOp({ name: p, forward: ([a, b]) => binaryForward(p, k[p], a!, b!) });
  return api(sig(p, ['a', K.tensorLike], ['b', K.tensorLike]), (a: TensorLike, b: TensorLike): Tensor => op(operands(p, a, b), undefined));
}

/** 1 where a = b, else 0 (broadcasting; masks carry no gradient). @example eq(argmax(logits, { dim: 1 }), labels) */
export const eq = comparison('eq');
/** 1 where a ≠ b, else 0. */
export const ne = comparison('ne');
/** 1 where a < b, else 0. */
export const lt = comparison('lt');
/** 1 where a ≤ b, else 0. */
export const le = comparison('le');
/** 1 where a > b, else 0. */
export const gt = comparison('gt');
/** 1 where a ≥ b, else 0. */
export const ge = comparison('ge');
