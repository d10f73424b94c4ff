// Test helpers: an optimizer by name, and tensors from plain arrays.
import { tensor, type DType, type Tensor } from '@dl/autograd';
import { Adagrad, Adam, AdamW, Momentum, RMSProp, SGD, type Optimizer } from '@dl/optim';
import type { Kind } from './scalarReference.js';

export const kinds: readonly Kind[] = ['SGD', 'Momentum', 'RMSProp', 'Adam', 'AdamW', 'Adagrad'];

/** `new <kind>(params, options)`; params may be tensors or groups with options. */
export function makeOptimizer(kind: Kind, params: any, options: Record<string, unknown> = {}): Optimizer<any, any> {
  switch (kind) {
    case 'SGD': return new SGD(params, options);
    case 'Momentum': return new Momentum(params, options);
    case 'RMSProp': return new RMSProp(params, options);
    case 'Adam': return new Adam(params, options);
    case 'AdamW': return new AdamW(params, options);
    case 'Adagrad': return new Adagrad(params, options);
  }
}

/** A leaf that requires grad, from a flat array and a shape. */
export function param(values: readonly number[], shape: readonly number[] = [values.length], dtype: DType = 'float64'): Tensor {
  return tensor([...values], { shape, dtype, requiresGrad: true });
}

/** Sets `p.grad` from a flat array (or to null). */
export function setGrad(p: Tensor, values: readonly number[] | null): void {
  p.grad = values === null ? null : tensor([...values], { shape: p.shape, dtype: p.dtype });
}
