import { Tensor } from '../tensor.js';
import { DlError } from './error.js';
import { describe } from './describe.js';
import { checkNumel } from './limits.js';
import { checkDType, dtypes } from '../dtype.js';

/**
 * One kind of argument: what it must be (`what`, for messages and the fuzz table) and a check that
 * throws a `DlError` naming the function and the argument. `tag` names the kind for tools that read
 * signatures (the fuzz suite draws values per tag).
 */
export interface Kind {
  readonly tag: string;
  readonly what: string;
  check(fn: string, arg: string, value: unknown): void;
  /** Whether `undefined` is accepted (the argument may be left out). */
  readonly optional?: boolean;
  /** For `options` kinds: the kind of each key. */
  readonly keys?: Readonly<Record<string, Kind>>;
  /** For `oneOf`: the accepted values. */
  readonly values?: readonly unknown[];
  /** For `list` / `union` / `optional`: the inner kinds. */
  readonly inner?: readonly Kind[];
  /** For numbers: the accepted range. */
  readonly min?: number;
  readonly max?: number;
  /** For `options` kinds: the keys that may also be given as positional arguments, in PyTorch's order. */
  readonly positional?: readonly string[];
  /** For list kinds (`shape`, `ints`): the list may also be spread as numbers (`zeros(2, 3)`, `view(-1, 4)`). */
  readonly spread?: boolean;
}

function refuse(fn: string, arg: string, what: string, value: unknown, hint?: string): never {
  throw new DlError(fn, `${arg} must be ${what}, got ${describe(value)}`, { arg, hint });
}

/** A kind from a predicate. */
export function kind(tag: string, what: string, ok: (v: unknown) => boolean, extra: Partial<Kind> = {}): Kind {
  return { tag, what, check: (fn, arg, v) => void (ok(v) || refuse(fn, arg, what, v)), ...extra };
}

/** Any tensor. */
export const tensor: Kind = kind('tensor', 'a Tensor', (v) => v instanceof Tensor);
/** A Float32Array or Float64Array (the values of a float tensor, for code that updates them by hand). */
export const floatArray: Kind = kind('floatArray', 'a Float32Array or Float64Array', (v) => v instanceof Float32Array || v instanceof Float64Array);
/** A float32 or float64 tensor (what random initialisers and parameters need). */
export const floatTensor: Kind = {
  tag: 'floatTensor',
  what: 'a float Tensor',
  check(fn, arg, v) {
    if (!(v instanceof Tensor)) refuse(fn, arg, 'a float Tensor', v);
    if (v.dtype !== 'float32' && v.dtype !== 'float64') {
      throw new DlError(fn, `${arg} must be a float32 or float64 tensor, got ${describe(v)}`, { arg, hint: "convert it with .float() or .to('float64')" });
    }
  },
};
/** A tensor, or a number standing for a scalar of the other operand's dtype. */
export const tensorLike: Kind = kind('tensorLike', 'a Tensor or a number', (v) => v instanceof Tensor || typeof v === 'number');
/** Any number, NaN and infinities included (fill values, bounds that may be infinite). */
export const number: Kind = kind('number', 'a number', (v) => typeof v === 'number');
/** A real boolean: `'false'` and `0` are refused, not read as truthy or falsy. */
export const bool: Kind = kind('bool', 'true or false', (v) => typeof v === 'boolean');
/** Any string. */
export const string: Kind = kind('string', 'a string', (v) => typeof v === 'string');
/** A function. */
export const func: Kind = kind('func', 'a function', (v) => typeof v === 'function');
/** Anything (the function checks it itself, or any value is fine). */
export const any: Kind = { tag: 'any', what: 'any value', check: () => {}, optional: true };

/** A finite number in [min, max] (either bound optional); `gt` makes the lower bound strict. */
export function finite(range: { min?: number; max?: number; gt?: number; lt?: number } = {}): Kind {
  const { min, max, gt, lt } = range;
  const parts = [
    min !== undefined ? `>= ${min}` : gt !== undefined ? `> ${gt}` : '',
    max !== undefined ? `<= ${max}` : lt !== undefined ? `< ${lt}` : '',
  ].filter(Boolean);
  const what = `a finite number${parts.length ? ` ${parts.join(' and ')}` : ''}`;
  return kind('finite', what, (v) =>
    typeof v === 'number' && Number.isFinite(v) && (min === undefined || v >= min) && (max === undefined || v <= max) &&
    (gt === undefined || v > gt) && (lt === undefined || v < lt), { min: min ?? gt, max: max ?? lt });
}

/** An integer in [min, max] (a size, a count, a seed, an index). */
export function int(range: { min?: number; max?: number } = {}): Kind {
  const { min, max } = range;
  const what =
    min === 0 && max === undefined ? 'a non-negative integer' : min === 1 && max === undefined ? 'a positive integer'
      : `an integer${min !== undefined ? ` >= ${min}` : ''}${min !== undefined && max !== undefined ? ' and' : ''}${max !== undefined ? ` <= ${max}` : ''}`;
  return kind('int', what, (v) => Number.isInteger(v) && (min === undefined || (v as number) >= min) && (max === undefined || (v as number) <= max), { min, max });
}

/** A dim: an integer, negative counting from the end (its range is checked against the tensor). */
// Any number passes here: the op resolves it against the tensor's dims, naming the range when it is out of it.
export const dim: Kind = kind('dim', 'an integer dim', (v) => typeof v === 'number');
/** One dim or a list of dims. */
export const dims: Kind = kind('dims', 'an integer dim or an array of integer dims', (v) =>
  typeof v === 'number' || (Array.isArray(v) && v.every((d) => typeof d === 'number')));

/** A shape: an array of non-negative integer sizes whose element count a tensor can hold. */
export const shape: Kind = {
  tag: 'shape',
  what: 'a shape (an array of non-negative integers)',
  check(fn, arg, v) {
    if (Array.isArray(v) && v.every((s) => typeof s === 'number') && !v.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new DlError(fn, `invalid ${arg} [${v.join(',')}]: sizes must be non-negative integers`, { arg });
    }
    if (!Array.isArray(v) || !v.every((s) => Number.isInteger(s) && s >= 0)) {
      refuse(fn, arg, this.what, v, Array.isArray(v) ? undefined : typeof v === 'number' ? `pass the sizes as an array: [${v}]` : undefined);
    }
    checkNumel(fn, v, arg);
  },
};
/** A shape that may also be given as separate sizes, as PyTorch's `zeros(2, 3)`. */
export const sizes: Kind = { ...shape, spread: true };
/** A list of integers (sizes that may be -1, pads, split sizes). */
export const ints: Kind = kind('ints', 'an array of integers', (v) => Array.isArray(v) && v.every((s) => Number.isInteger(s)));
/** A dtype name: 'float32', 'float64', 'int32' or 'bool'; PyTorch's names get a hint. */
export const dtype: Kind = {
  ...oneOf(...dtypes),
  check(fn, arg, v) {
    if (typeof v !== 'string') throw new DlError(fn, `unsupported ${arg} ${describe(v)} (expected 'float32', 'float64', 'int32' or 'bool')`, { arg });
    checkDType(fn, v);
  },
};
/** A float dtype name, for what only floats can hold (random normals, parameters). */
export const floatDtype: Kind = {
  ...oneOf('float32', 'float64'),
  check(fn, arg, v) {
    if (v !== 'float32' && v !== 'float64') {
      const integral = v === 'int32' || v === 'bool';
      throw new DlError(fn, `unsupported ${arg} ${typeof v === 'string' ? `'${v}'` : describe(v)} (expected 'float32' or 'float64')`, {
        arg, hint: integral ? 'only float32 and float64 are taken here: int32 and bool tensors hold no gradients or random draws' : undefined,
      });
    }
  },
};

/** One of a fixed set of values (strings, usually). */
export function oneOf(...values: readonly unknown[]): Kind {
  const shown = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  const what = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
  return kind(values.every((v) => (dtypes as readonly unknown[]).includes(v)) ? 'dtype' : 'oneOf', what, (v) => values.includes(v), { values });
}

/** An instance of a class, named in messages (`an Optimizer`). */
export function instance(cls: abstract new (...args: never[]) => unknown, what: string): Kind {
  return kind(`instance:${cls.name}`, what, (v) => v instanceof cls);
}

/** A non-empty or any-length array whose every element is of `item`'s kind; elements are named `arg[i]`. */
export function list(item: Kind, options: { nonEmpty?: boolean; what?: string } = {}): Kind {
  const what = options.what ?? `${options.nonEmpty ? 'a non-empty' : 'an'} array of ${item.what.replace(/^an? /, '')}s`;
  return {
    tag: 'list', what, inner: [item],
    check(fn, arg, v) {
      if (!Array.isArray(v) || (options.nonEmpty && v.length === 0)) refuse(fn, arg, what, v);
      (v as unknown[]).forEach((x, i) => item.check(fn, `${arg}[${i}]`, x));
    },
  };
}

/** `undefined` or a value of `k`'s kind. */
export function optional(k: Kind): Kind {
  return { ...k, optional: true, check: (fn, arg, v) => (v === undefined ? undefined : k.check(fn, arg, v)) };
}

/** `null` or a value of `k`'s kind. */
export function nullable(k: Kind): Kind {
  return { ...k, tag: `nullable:${k.tag}`, what: `${k.what} or null`, inner: [k], check: (fn, arg, v) => (v === null ? undefined : k.check(fn, arg, v)) };
}

/** A value of the first kind that accepts it. */
export function union(...kinds: readonly Kind[]): Kind {
  const what = kinds.map((k) => k.what).join(', or ');
  return {
    tag: 'union', what, inner: kinds,
    check(fn, arg, v) {
      for (const k of kinds) {
        try {
          k.check(fn, arg, v);
          return;
        } catch (e) {
          if (!(e instanceof DlError)) throw e;
        }
      }
      refuse(fn, arg, what, v);
    },
  };
}

/** `k`, but the argument may not be left out (an options object a function cannot do without). */
export function required(k: Kind): Kind {
  return { ...k, optional: false };
}
