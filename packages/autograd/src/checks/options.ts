import { DlError } from './error.js';
import { describe } from './describe.js';
import type { Kind } from './kinds.js';

/** `weight_decay` → `weightDecay`. */
export function camelCase(key: string): string {
  return key.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A plain options object: not an array, a tensor, a typed array or a class instance other than Object. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === Object.prototype || proto === null;
}

/**
 * Checks an options object: every key is known (an unknown one is refused naming the valid keys, and
 * the camelCase spelling when it was snake_case or differently cased) and every value is of its key's
 * kind. `undefined` values count as left out.
 */
export function checkOptions(fn: string, arg: string, value: unknown, keys: Readonly<Record<string, Kind>>): void {
  if (!isPlainObject(value)) {
    const names = Object.keys(keys);
    throw new DlError(fn, `${arg} must be an options object${names.length ? ` { ${names.join(', ')} }` : ''}, got ${describe(value)}`, { arg });
  }
  for (const key of Object.keys(value)) {
    const k = keys[key];
    // A key set to undefined says nothing (options built by spreading optional fields), so it is not refused.
    if (k === undefined && value[key] !== undefined) {
      const valid = Object.keys(keys);
      const camel = camelCase(key);
      const near = valid.find((v) => v === camel) ?? valid.find((v) => v.toLowerCase() === camel.toLowerCase());
      const hint = near !== undefined ? `did you mean '${near}'?${near === camel && camel !== key ? ' Options are camelCase' : ''}` : undefined;
      throw new DlError(fn, `unknown option '${key}'; the valid options are ${valid.length ? valid.join(', ') : 'none'}`, { arg: `${arg}.${key}`, hint });
    }
    const v = value[key];
    if (v !== undefined) k!.check(fn, key, v);
  }
}

/**
 * The kind of an options object with these keys (each key optional). `positional` lists the keys that
 * may instead be passed as positional arguments in PyTorch's order (`sum(x, 1, true)`), the options
 * object still accepted last (`sum(x, [0, 1], { keepdim: true })`).
 */
export function options(keys: Readonly<Record<string, Kind>>, extra: { positional?: readonly string[] } = {}): Kind {
  const names = Object.keys(keys);
  return {
    tag: 'options', what: `an options object { ${names.join(', ')} }`, keys, optional: true, positional: extra.positional,
    check: (fn, arg, v) => (v === undefined ? undefined : checkOptions(fn, arg, v, keys)),
  };
}
