import { DlError } from './checks/error.js';
import type { Tensor } from './tensor.js';
import { fmt } from './shape.js';
import { api, sig, userCall } from './checks/guard.js';
import * as K from './checks/kinds.js';


/** One recorded operation on the tape: it produced one output tensor from `inputs`. */
export interface Node {
  /** The op's name, used in error messages and `gradFn` printing. */
  readonly op: string;
  /** The tensors the op read; emptied when a backward without `retainGraph` frees the node. */
  inputs: readonly Tensor[];
  /** For each input, whether a gradient must flow to it. */
  readonly needsInputGrad: readonly boolean[];
  /**
   * The in-place versions of the inputs, then of the output, when the op ran (see `markModified`);
   * −1 for those whose values the backward does not read.
   */
  readonly versions: readonly number[];
  /** The stack at forward time, kept while `detectAnomaly` is on. */
  readonly stack: string | undefined;
  /** @internal The number of the last backward walk that reached this node (see the engine's `reverseTopo`). */
  walk: number;
  /** Whether a backward without `retainGraph` has freed the rule and what it reads. */
  readonly freed: boolean;
  /** Runs the rule: the gradient of each input (null where none) from the output's. */
  backward(grad: Tensor): (Tensor | null)[];
  /** Lets go of the rule, the values it reads and the inputs (a backward without `retainGraph`). */
  free(): void;
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

/** @internal Sets grad mode and returns the previous one (the tape's hot path; restore it in a `finally`). */
export function swapGradMode(enabled: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = enabled;
  return prev;
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
 * Refuses what an async function returned: the mode `fn` ran under ends when it returns, at its first
 * `await`, so the ops after that would silently run under the outer mode. The promise's own failure is
 * then nobody's to handle, so it is caught here (this error reports the misuse).
 */
function refusePromise<T>(fn: string, result: T): T {
  if (typeof (result as { then?: unknown } | null)?.then !== 'function') return result;
  (result as unknown as Promise<unknown>).then(undefined, () => {});
  throw new DlError(fn, 'fn returned a Promise (an async function?); the grad mode cannot follow an await, so the ops after it would be recorded under the outer mode', {
    hint: `call ${fn} around the synchronous work inside the async function instead: const y = ${fn}(() => model.forward(x)); await ...`,
  });
}

/**
 * Runs `fn` without recording operations (PyTorch's `torch.no_grad()`).
 * `fn` must be synchronous: a function returning a promise is refused (call `noGrad` around each
 * synchronous step inside the async function).
 * @example const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 */
export const noGrad = api(sig('noGrad', ['fn', K.func]), function noGrad<T>(fn: () => T): T {
  return refusePromise('noGrad', withGradMode(false, () => userCall(fn)));
});

/** Runs `fn` with recording on, even inside `noGrad` (PyTorch's `torch.enable_grad()`). */
export const enableGrad = api(sig('enableGrad', ['fn', K.func]), function enableGrad<T>(fn: () => T): T {
  return refusePromise('enableGrad', withGradMode(true, () => userCall(fn)));
});

/**
 * Runs `fn` with anomaly detection: the first op whose forward or backward produces a NaN or an
 * infinity throws an error naming the op and the stack where that op was called.
 * @example detectAnomaly(() => loss(x).backward());
 */
export const detectAnomaly = api(sig('detectAnomaly', ['fn', K.func]), function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return refusePromise('detectAnomaly', userCall(fn));
  } finally {
    anomalyEnabled = prev;
  }
});

/** Index of the first non-finite value in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

let ruleDepth = 0;

/**
 * Runs a backward rule. The ops inside it check nothing themselves (a NaN there belongs to the rule's op,
 * not to a `div` inside it): the engine checks what the rule returns.
 */
export function runRule<T>(fn: () => T): T {
  ruleDepth++;
  try {
    return fn();
  } finally {
    ruleDepth--;
  }
}

/** Whether an op's forward output must be checked now: anomaly mode on, and not inside a backward rule. */
export function checksForward(): boolean {
  return anomalyEnabled && ruleDepth === 0;
}

/** The stack where an op is being called, deep enough to reach the user's code through library layers. */
export function captureStack(): string {
  const prev = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  try {
    return new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = prev;
  }
}

// Frames in this package's own files are dropped from anomaly reports, so the first frame shown is the caller's.
// A bundle to a classic script (an IIFE) has no import.meta.url; its frames are then all kept.
const ownPaths = ownFilePaths(import.meta.url);

function ownFilePaths(url: string | undefined): string[] {
  if (typeof url !== 'string' || !URL.canParse?.(url)) return [];
  const dir = new URL('.', url);
  return [dir.href, decodeURIComponent(dir.pathname)];
}

/** The frames of `stack` outside this package (all of them if none are). */
export function callerFrames(stack: string): string {
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  const outside = frames.filter((l) => !ownPaths.some((p) => l.includes(p)));
  return (outside.length > 0 ? outside : frames).join('\n');
}

/**
 * Throws the anomaly error for `op` when `t` holds a NaN or an infinity: which op, in its forward or in
 * the gradient its backward gave input `input`, which element, and where the op was called.
 */
export function checkAnomaly(op: string, t: Tensor, stack: string | undefined, input?: number): void {
  const i = firstNonFinite(t.data);
  if (i < 0) return;
  const what = input === undefined ? 'its forward output' : `the gradient its backward computed for input ${input}`;
  const where = stack ? `\nThe op was called at:\n${callerFrames(stack)}` : '\n(the op was called outside detectAnomaly, so its call site is unknown)';
  throw new DlError(`detectAnomaly: '${op}' produced ${t.data[i]} in ${what} (element ${i} of shape ${fmt(t.shape)})${where}`);
}
