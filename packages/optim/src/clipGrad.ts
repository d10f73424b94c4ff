// Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_. Each clipped gradient is
// replaced by a new tensor rather than written in place: after z = x + y, x.grad and y.grad may share storage.
import { Tensor, DlError, checks as C } from '@dl/autograd';

/** Options of `clipGradNorm_`. */
export interface ClipGradNormOptions {
  /** The order p of the norm: any p > 0, or Infinity for the max norm (default 2). */
  normType?: number;
  /** Throw if the total norm is NaN or infinite instead of scaling by it (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

function gradsOf(op: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new DlError(`${op}: params must be tensors, but element ${i} is ${typeof p}`);
  });
  return list.filter((p) => p.grad !== null);
}

/**
 * Scales all gradients together so that their total p-norm (the norm of all gradient values as one
 * vector) is at most `maxNorm`, and returns the total norm before clipping. Parameters without a
 * gradient are skipped. Scales by `maxNorm / (norm + 1e-6)` when that is below 1, as PyTorch does.
 * @example
 * loss.backward();
 * const norm = clipGradNorm_(model.parameters(), 1.0);
 * opt.step();
 */
export const clipGradNorm_ = C.api(C.sig('clipGradNorm_', ['params', C.kind('params', 'a Tensor or an iterable of tensors', (v) => v instanceof Tensor || (typeof v === 'object' && v !== null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'))], ['maxNorm', C.number], ['options', C.options({ normType: C.number, errorIfNonfinite: C.bool }, { positional: ['normType', 'errorIfNonfinite'] })]), function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): number {
  const { normType = 2, errorIfNonfinite = false } = options;
  const op = 'clipGradNorm_';
  if (!(maxNorm >= 0) || !Number.isFinite(maxNorm)) throw new DlError(`${op}: invalid maxNorm ${maxNorm} (expected a finite number >= 0)`);
  if (!(normType > 0)) throw new DlError(`${op}: invalid normType ${normType} (expected a number > 0 or Infinity)`);
  const withGrad = gradsOf(op, params);
  let total = 0;
  if (normType === Infinity) {
    for (const p of withGrad) for (const v of p.grad!.data) total = Math.max(total, Math.abs(v));
  } else {
    let acc = 0;
    for (const p of withGrad) {
      const d = p.grad!.data;
      if (normType === 2) for (let i = 0; i < d.length; i++) acc += d[i]! * d[i]!;
      else if (normType === 1) for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]!);
      else for (let i = 0; i < d.length; i++) acc += Math.abs(d[i]!) ** normType;
    }
    total = acc ** (1 / normType);
  }
  if (withGrad.some((p) => p.grad!.data.some(Number.isNaN))) total = NaN;
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new DlError(`${op}: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; pass errorIfNonfinite: false to scale anyway`);
  }
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) {
    for (const p of withGrad) {
      const g = p.grad!;
      const out = g.data.slice();
      for (let i = 0; i < out.length; i++) out[i] = out[i]! * coef;
      p.grad = new Tensor(out, g.shape);
    }
  }
  return total;
});

/**
 * Clamps every gradient value into `[-clipValue, clipValue]`. Parameters without a gradient are skipped.
 * @example clipGradValue_(model.parameters(), 0.5)
 */
export const clipGradValue_ = C.api(C.sig('clipGradValue_', ['params', C.kind('params', 'a Tensor or an iterable of tensors', (v) => v instanceof Tensor || (typeof v === 'object' && v !== null && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'))], ['clipValue', C.number]), function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue_';
  if (!(clipValue >= 0) || !Number.isFinite(clipValue)) throw new DlError(`${op}: invalid clipValue ${clipValue} (expected a finite number >= 0)`);
  for (const p of gradsOf(op, params)) {
    const g = p.grad!;
    const out = g.data.slice();
    for (let i = 0; i < out.length; i++) {
      const v = out[i]!;
      if (v > clipValue) out[i] = clipValue;
      else if (v < -clipValue) out[i] = -clipValue;
    }
    p.grad = new Tensor(out, g.shape);
  }
});

/** The same as `clipGradNorm_` (the name the issue and older PyTorch use). */
export const clipGradNorm = clipGradNorm_;
/** The same as `clipGradValue_`. */
export const clipGradValue = clipGradValue_;
