import type { Tensor } from './tensor.js';
import { fmt } from './shape.js';

/** A backward rule: the gradient of each input given the output's gradient (null where not needed). */
export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

/** One recorded operation on the tape: it produced one output tensor from `inputs`. */
export interface Node {
  /** The op's name, used in error messages and `gradFn` printing. */
  readonly op: string;
  /** The tensors the op read. */
  readonly inputs: readonly Tensor[];
  /** For each input, whether a gradient must flow to it. */
  readonly needsInputGrad: readonly boolean[];
  /** The rule, or null once a backward without `retainGraph` has freed it. */
  backward: BackwardFn | null;
  /** The stack at forward time, kept while `detectAnomaly` is on. */
  readonly stack?: string;
}

let gradEnabled = true;
let anomalyEnabled = false;

/** Whether operations are being recorded on the tape now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Whether `detectAnomaly` is active. */
export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/** Runs `fn` with grad mode set to `enabled`, restoring the previous mode after. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs `fn` without recording operations (PyTorch's `torch.no_grad()`).
 * @example const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, even inside `noGrad` (PyTorch's `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/**
 * Runs `fn` with anomaly detection: the first op whose forward or backward produces a NaN or an
 * infinity throws an error naming the op and the stack where that op was called.
 * @example detectAnomaly(() => loss(x).backward());
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fn();
  } finally {
    anomalyEnabled = prev;
  }
}

/** Index of the first non-finite value in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/** Throws the anomaly error for `op` when `t` holds a NaN or infinity. */
export function checkAnomaly(op: string, phase: 'forward' | 'backward', t: Tensor, stack: string | undefined): void {
  const i = firstNonFinite(t.data);
  if (i < 0) return;
  const where = stack ? `\nThe op was called at:\n${stack.split('\n').slice(1).join('\n')}` : '';
  throw new Error(`detectAnomaly: '${op}' produced ${t.data[i]} in its ${phase} (element ${i} of shape ${fmt(t.shape)})${where}`);
}
