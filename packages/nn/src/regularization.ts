// Penalty terms to add to a loss: differentiable sums over a model's parameters.
import { abs, add, mul, sum, Tensor, zeros, DlError, checks as C } from '@dl/autograd';

function penalty(name: string, params: Iterable<Tensor>, term: (p: Tensor) => Tensor): Tensor {
  let total: Tensor | null = null;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new DlError(`${name}: expected tensors (model.parameters()), got ${p === null ? 'null' : typeof p}`);
    const s = sum(term(p));
    total = total === null ? s : add(total, s);
  }
  return total ?? zeros([]);
}

/**
 * The L1 penalty Σ |w| over every element of every parameter, as a differentiable 0-D tensor (the
 * gradient at w = 0 is 0, as PyTorch's `abs`). Add `lambda * l1Penalty(...)` to the loss for lasso-style
 * sparsity.
 * @example const loss = add(crossEntropy(logits, y), mul(l1Penalty(model.parameters()), 1e-4));
 */
export const l1Penalty = C.api(C.sig('l1Penalty', ['params', C.kind('iterable', 'an iterable of tensors', (v) => typeof v === 'object' && v !== null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function')]), function l1Penalty(params: Iterable<Tensor>): Tensor {
  return penalty('l1Penalty', params, abs);
});

/**
 * The L2 penalty Σ w² over every element of every parameter, as a differentiable 0-D tensor. It is the
 * plain sum of squares (no ½ and no square root): adding `lambda / 2 * l2Penalty(params)` to the loss
 * gives the gradient `lambda * w`, which is what SGD's `weightDecay: lambda` adds.
 * @example const loss = add(mseLoss(y, t), mul(l2Penalty(model.parameters()), lambda / 2));
 */
export const l2Penalty = C.api(C.sig('l2Penalty', ['params', C.kind('iterable', 'an iterable of tensors', (v) => typeof v === 'object' && v !== null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function')]), function l2Penalty(params: Iterable<Tensor>): Tensor {
  return penalty('l2Penalty', params, (p) => mul(p, p));
});
