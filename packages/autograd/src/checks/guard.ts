import { DlError } from './error.js';
import type { Kind } from './kinds.js';
import { isPlainObject } from './options.js';

/** One parameter of a public function: its name and its kind. */
export interface Param {
  readonly name: string;
  readonly kind: Kind;
  /** A rest parameter (`...shape`): every remaining argument is of this kind. */
  readonly rest?: boolean;
}

/** A public function's signature: its name (as errors show it) and its parameters in order. */
export interface Signature {
  readonly name: string;
  readonly params: readonly Param[];
}

/** `[name, kind]` pairs, `'...name'` for a rest parameter. */
export type ParamSpec = readonly [string, Kind];

/** A signature from `[name, kind]` pairs: `sig('sum', ['x', tensor], ['options', options({ dim: dims })])`. */
export function sig(name: string, ...params: readonly ParamSpec[]): Signature {
  return { name, params: params.map(([n, kind]) => (n.startsWith('...') ? { name: n.slice(3), kind, rest: true } : { name: n, kind })) };
}

/** Checks `args` against `signature`: count, then each argument's kind. Trailing `undefined`s count as left out. */
export function checkArgs(signature: Signature, args: ArrayLike<unknown>): void {
  const { name, params } = signature;
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  const last = params[params.length - 1];
  // An empty options object past the parameters says nothing, so it is not an ignored argument.
  if (last?.rest !== true && n === params.length + 1 && isPlainObject(args[n - 1]) && Object.keys(args[n - 1] as object).length === 0) n--;
  if (last?.rest !== true && n > params.length) {
    throw new DlError(name, `takes at most ${params.length} argument${params.length === 1 ? '' : 's'} (${params.map((p) => p.name).join(', ')}), got ${n}`, {
      arg: `argument ${params.length + 1}`,
    });
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p.rest) {
      // Every element of a rest parameter is checked, trailing undefineds included: they reach the function.
      for (let j = i; j < args.length; j++) p.kind.check(name, `${p.name}[${j - i}]`, args[j]);
      return;
    }
    const v = args[i];
    if (v === undefined) {
      if (!p.kind.optional) throw new DlError(name, `${p.name} is required (${p.kind.what})`, { arg: p.name });
      continue;
    }
    p.kind.check(name, p.name, v);
  }
}

// The depth of public calls in progress: only the outermost one names the error, so a failure inside
// another public function (mean inside var, max inside logsumexp) reports the function the user called.
let depth = 0;
// Errors thrown by the user's own code (hooks, custom ops, module forwards, datasets) pass through as they are.
const foreign = new WeakSet<object>();

/** The error to throw from the outermost public call `fn`: a `DlError` naming `fn`. */
export function asDlError(fn: string, e: unknown): unknown {
  if (typeof e === 'object' && e !== null && foreign.has(e)) return e;
  if (e instanceof DlError) {
    // Anomaly mode reports the op that produced the value wherever the user's call ran it.
    if (e.fn === 'detectAnomaly' || e.fn === 'registerHook') return e;
    return e.fn === fn ? e : new DlError(fn, e.detail, { arg: e.arg, hint: e.hint, cause: e });
  }
  if (e instanceof RangeError && /allocation failed|Invalid typed array length|Invalid array length|Array buffer/i.test(e.message)) {
    return new DlError(fn, `out of memory: ${e.message}`, { hint: 'use smaller tensors or batches', cause: e });
  }
  if (e instanceof Error && e.constructor === Error) {
    // A message written before DlError existed: "op: what went wrong".
    const d = new DlError(e.message, { cause: e });
    return d.fn === 'dl' ? new DlError(fn, e.message, { cause: e }) : asDlError(fn, d);
  }
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new DlError(fn, `internal error (${what})`, { hint: 'this is a bug in dl; please report it with the arguments', cause: e });
}

/** Runs `body` as the public call `fn`: errors leave it as `DlError`s naming `fn` (or the outer call). */
export function guard<T>(fn: string, body: () => T): T {
  depth++;
  try {
    return body();
  } catch (e) {
    throw depth === 1 ? asDlError(fn, e) : e;
  } finally {
    depth--;
  }
}

/**
 * Runs the user's own code (a hook, a custom op's forward, a module's forward, a dataset's getItem)
 * from inside a public call: dl calls it makes name themselves, and its own errors pass through untouched.
 */
export function userCall<T>(body: () => T): T {
  const saved = depth;
  depth = 0;
  try {
    return body();
  } catch (e) {
    if (typeof e === 'object' && e !== null) foreign.add(e);
    throw e;
  } finally {
    depth = saved;
  }
}

/** A function whose arguments are checked against `signature`; errors name `signature.name`. */
export type Checked<F> = F & { readonly signature: Signature };

/**
 * Makes `impl` a public entry point: arguments are checked against `signature` first, and every error
 * leaves as a `DlError` naming the function (see `guard`). The signature is kept on the function for
 * tools (the fuzz suite draws arguments from it).
 * @example export const sum = api(sig('sum', ['x', tensor], ['options', options({ dim: optional(dims) })]), (x, o) => ...);
 */
export function api<F extends (...args: never[]) => unknown>(signature: Signature, impl: F): Checked<F> {
  const f = function (this: unknown, ...args: unknown[]): unknown {
    depth++;
    try {
      checkArgs(signature, args);
      return (impl as unknown as (...a: unknown[]) => unknown).apply(this, args);
    } catch (e) {
      throw depth === 1 ? asDlError(signature.name, e) : e;
    } finally {
      depth--;
    }
  };
  Object.defineProperty(f, 'name', { value: impl.name || signature.name });
  Object.defineProperty(f, 'signature', { value: signature });
  return f as unknown as Checked<F>;
}

/** Checks `args` against a signature inside a method or constructor (which `api` cannot wrap), as the outermost call. */
export function checkCall(signature: Signature, args: ArrayLike<unknown>): void {
  guard(signature.name, () => checkArgs(signature, args));
}
