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
  /** A constructor's signature (called with `new`). */
  readonly construct?: boolean;
}

/** `[name, kind]` pairs, `'...name'` for a rest parameter. */
export type ParamSpec = readonly [string, Kind];

/** A signature from `[name, kind]` pairs: `sig('sum', ['x', tensor], ['options', options({ dim: dims })])`. */
export function sig(name: string, ...params: readonly ParamSpec[]): Signature {
  return { name, params: params.map(([n, kind]) => (n.startsWith('...') ? { name: n.slice(3), kind, rest: true } : { name: n, kind })) };
}

/**
 * PyTorch's calling forms, rewritten to the declared ones: numbers spread where a list is declared
 * (`zeros(2, 3)`, `view(-1, 4)`), and positional values for an options object's keys
 * (`sum(x, 1)`, `Conv2d(1, 8, 3, 1, 1)`), merged with an options object given last.
 */
export function normalizeArgs(signature: Signature, input: readonly unknown[]): unknown[] {
  const { name, params } = signature;
  // Copied only when a calling form is rewritten: most calls pass through as they are.
  let args = input as unknown[];
  // An options object given early, in place of optional positionals (`arange(5, { dtype })`), moves last.
  const lastParam = params[params.length - 1];
  const at = args.length - 1;
  if (at >= 0 && at < params.length - 1 && lastParam?.kind.keys !== undefined && isPlainObject(args[at]) &&
    params.slice(at, -1).every((q) => q.kind.optional === true && q.kind.tag !== 'any' && q.kind.keys === undefined && q.rest !== true)) {
    args = [...args.slice(0, at), ...params.slice(at, -1).map(() => undefined), args[at]];
  }
  for (let i = 0; i < params.length && i < args.length; i++) {
    const p = params[i]!;
    if (p.rest) break;
    if (p.kind.spread === true && typeof args[i] === 'number') {
      let j = i;
      while (j < args.length && typeof args[j] === 'number') j++;
      args = [...args.slice(0, i), args.slice(i, j), ...args.slice(j)];
    }
    const keys = p.kind.positional;
    if (keys !== undefined && keys.length > 0) {
      let n = args.length;
      while (n > i && args[n - 1] === undefined) n--;
      const rest = args.slice(i, n);
      const last = rest[rest.length - 1];
      const given = isPlainObject(last) ? last : undefined;
      const pos = given === undefined ? rest : rest.slice(0, -1);
      if (pos.length === 0) break;
      if (pos.length > keys.length) {
        throw new DlError(name, `takes at most ${i + keys.length} positional arguments (${[...params.slice(0, i).map((q) => q.name), ...keys].join(', ')}) before its options, got ${i + pos.length}`, {
          arg: `argument ${i + keys.length + 1}`,
        });
      }
      const misplaced = pos.findIndex((v) => isPlainObject(v));
      if (misplaced >= 0) {
        throw new DlError(name, `argument ${i + misplaced + 1} is an options object, but more arguments follow it; the options object goes last`, { arg: keys[misplaced] });
      }
      const merged: Record<string, unknown> = { ...given };
      pos.forEach((v, j) => {
        if (v === undefined) return;
        const key = keys[j]!;
        if (given !== undefined && given[key] !== undefined) {
          throw new DlError(name, `${key} was given twice, as argument ${i + j + 1} and in the options`, { arg: key });
        }
        merged[key] = v;
      });
      args = [...args.slice(0, i), merged];
      break;
    }
  }
  return args;
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
      const normalized = normalizeArgs(signature, args);
      checkArgs(signature, normalized);
      const r = (impl as unknown as (...a: unknown[]) => unknown).apply(this, normalized);
      // An async entry point (initWebGpu, setDeviceAsync_) rejects with errors named as a sync one throws them.
      if (depth === 1 && r instanceof Promise) return r.catch((e: unknown) => Promise.reject(asDlError(signature.name, e)));
      return r;
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

/**
 * Makes a class a checked public constructor: `new C(...args)` checks `args` against `signature`
 * (PyTorch's positional forms included, see `normalizeArgs`) and every error, from the constructor or
 * from the layers it builds, leaves as a `DlError` naming `signature.name` (TorchCNN, not Conv2d).
 * Instances, `instanceof` and subclassing are those of `cls`; calling it without `new` is an error.
 */
export function checkedClass<C extends abstract new (...args: never[]) => unknown, Extra = unknown>(cls: C, signature: Signature): C & Extra {
  const s: Signature = { ...signature, construct: true };
  const proxy: C = new Proxy(cls, {
    construct(target, args, newTarget): object {
      depth++;
      try {
        const normalized = normalizeArgs(s, args);
        checkArgs(s, normalized);
        return Reflect.construct(target as unknown as new (...a: unknown[]) => object, normalized, newTarget === proxy ? target : newTarget);
      } catch (e) {
        throw depth === 1 ? asDlError(s.name, e) : e;
      } finally {
        depth--;
      }
    },
    apply(): never {
      throw new DlError(s.name, `is a class: create one with new ${s.name}(...)`);
    },
    get(target, key, receiver): unknown {
      return key === 'signature' ? s : Reflect.get(target, key, receiver === proxy ? target : receiver);
    },
  });
  return proxy as C & Extra;
}
