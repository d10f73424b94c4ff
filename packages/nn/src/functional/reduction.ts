import { broadcastShapes, mean, sum, type Tensor, DlError } from '@dl/autograd';
import { fmt } from '../checks.js';

/** How a loss combines its per-element values: their `'mean'` (the default), `'sum'`, or `'none'` (kept). */
export type Reduction = 'mean' | 'sum' | 'none';

/** Checks a reduction name, else throws naming the loss. */
export function checkReduction(layer: string, reduction: Reduction | undefined): Reduction {
  const r = reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new DlError(`${layer}: reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
  return r;
}

/** Applies a checked reduction to per-element losses. */
export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? mean(loss) : reduction === 'sum' ? sum(loss) : loss;
}

/** Checks that input and target have the same shape and dtype, else throws naming the loss and both shapes. */
export function checkSameShape(layer: string, input: Tensor, target: Tensor): void {
  if (input.shape.join() !== target.shape.join() || input.ndim !== target.ndim) {
    throw new DlError(`${layer}: input shape ${fmt(input.shape)} and target shape ${fmt(target.shape)} must match`);
  }
  checkSameDType(layer, input, target, 'target');
}

/** Checks that `other` has the input's dtype. */
export function checkSameDType(layer: string, input: Tensor, other: Tensor, name: string): void {
  if (input.dtype !== other.dtype) throw new DlError(`${layer}: input dtype ${input.dtype} and ${name} dtype ${other.dtype} differ`);
}

/** Checks that `other` (a weight) broadcasts to the input's shape without enlarging it. */
export function checkBroadcastsTo(layer: string, name: string, other: Tensor, input: Tensor): void {
  let ok: boolean;
  try {
    ok = broadcastShapes(layer, other.shape, input.shape).join() === input.shape.join();
  } catch {
    ok = false;
  }
  if (!ok) throw new DlError(`${layer}: ${name} of shape ${fmt(other.shape)} does not broadcast to the input shape ${fmt(input.shape)}`);
  checkSameDType(layer, input, other, name);
}
