import { DlError } from './checks/error.js';
import { Tensor, type NestedArray } from './tensor.js';
import { allocate, checkDType, defaultDType, isFloat, type DType, type FloatDType, type TypedArray } from './dtype.js';
import { checkShape, fmt, numel } from './shape.js';
import { defaultGenerator, generatorKind, type Generator } from './random.js';
import { api, sig, type Checked } from './checks/guard.js';
import * as K from './checks/kinds.js';
import { options as opts } from './checks/options.js';
import { checkNumel } from './checks/limits.js';
import { describe } from './checks/describe.js';
import { deviceKind, getDefaultDevice, type Device } from './device.js';
import { toDevice } from './ops/movement.js';

/** Options shared by the factories. */
export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
  /** Where the values go: `'cpu'` or `'webgpu'` (after `await initWebGpu()`); the default device unless given. */
  device?: Device;
}
/** Options of the random factories: the generator (the default one unless given). */
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function make(data: TypedArray, shape: readonly number[], options: TensorOptions): Tensor {
  const device = options.device ?? getDefaultDevice();
  if (device === 'cpu') return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? false });
  const t = toDevice(new Tensor(data, shape), device);
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOption(op: string, options: TensorOptions): DType {
  return checkDType(op, options.dtype ?? defaultDType);
}

/**
 * A tensor from nested arrays, a flat array or a typed array (copied), optionally with a shape.
 * Numbers make float32 (JavaScript has no separate integers, so `{ dtype: 'int32' }` asks for them),
 * `true`/`false` make bool, a Float64Array float64 and an Int32Array int32.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true }); tensor([2, 0, 1], { dtype: 'int32' }); tensor([true, false])
 */
export const tensor = api(sig('tensor', ['values', K.any], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind, shape: K.shape })]), function tensor(
  values: NestedArray | ArrayLike<number> | NestedBools,
  options: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  const isTyped = values instanceof Float32Array || values instanceof Float64Array;
  if (!(typeof values === 'number' || typeof values === 'boolean' || Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView)))) {
    throw new DlError('tensor', `values must be a number, a boolean, (nested) arrays of them or a typed array, got ${describe(values)}`, { arg: 'values' });
  }
  const inferred = values instanceof Float64Array ? 'float64' : values instanceof Int32Array ? 'int32' : firstLeaf(values) === 'boolean' ? 'bool' : defaultDType;
  const dtype = checkDType('tensor', options.dtype ?? inferred);
  let shape: number[];
  let flat: ArrayLike<number | boolean>;
  if (typeof values === 'number' || typeof values === 'boolean') {
    shape = [];
    flat = [values];
  } else if (isTyped || !Array.isArray(values)) {
    flat = values as ArrayLike<number>;
    shape = [flat.length];
  } else {
    shape = [];
    let level = values as NestedArray;
    while (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0] as NestedArray;
    }
    flat = flattenNested(values as NestedArray[], shape);
  }
  if (options.shape !== undefined) {
    const s = checkShape('tensor', options.shape);
    if (numel(s) !== flat.length) throw new DlError(`tensor: shape ${fmt(s)} needs ${numel(s)} values but got ${flat.length}`);
    shape = s;
  }
  const data = allocate(dtype, flat.length);
  const bool = dtype === 'bool';
  for (let i = 0; i < flat.length; i++) {
    const v: unknown = flat[i];
    if (typeof v === 'number') data[i] = bool ? +(v !== 0) : v;
    else if (typeof v === 'boolean') data[i] = +v;
    else throw new DlError(`tensor: element ${i} is ${typeof v}, not a number or a boolean`);
  }
  return make(data, shape, options);
});

/** Nested arrays of booleans, as `tensor()` accepts for a bool tensor. */
export type NestedBools = boolean | NestedBools[];

/** The type of the first leaf of nested arrays (for dtype inference). */
function firstLeaf(values: unknown): string {
  let v = values;
  while (Array.isArray(v)) v = v[0];
  return typeof v;
}

function flattenNested(values: NestedArray[], shape: readonly number[]): (number | boolean)[] {
  const out: (number | boolean)[] = [];
  const walk = (v: NestedArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new DlError(`tensor: ragged nested array at ${path}: expected a number`);
      if (typeof v !== 'number' && typeof v !== 'boolean') throw new DlError(`tensor: ${path} is ${typeof v}, not a number or a boolean`);
      out.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new DlError(`tensor: ragged nested array at ${path}: expected ${shape[depth]} elements like the first row`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
  };
  walk(values, 0, 'values');
  return out;
}

function filled(op: string, shape: readonly number[], value: number, options: TensorOptions): Tensor {
  const s = checkShape(op, shape);
  const dtype = dtypeOption(op, options);
  return make(allocate(dtype, numel(s)).fill(dtype === 'bool' ? +(value !== 0) : value), s, options);
}

/** A tensor of `shape` filled with `value`. @example full([2, 3], 7) */
export const full = api(sig('full', ['shape', K.shape], ['value', K.number], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filled('full', shape, value, options);
});
/** A tensor of zeros. @example zeros([2, 3]) */
export const zeros = api(sig('zeros', ['shape', K.sizes], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, options);
}) as Checked<((shape: readonly number[], options?: TensorOptions) => Tensor) & ((...sizes: number[]) => Tensor) & ((...args: [...sizes: number[], options: TensorOptions]) => Tensor)>;
/** A tensor of ones. @example ones([2, 3], { dtype: 'float64' }) */
export const ones = api(sig('ones', ['shape', K.sizes], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, options);
}) as Checked<((shape: readonly number[], options?: TensorOptions) => Tensor) & ((...sizes: number[]) => Tensor) & ((...args: [...sizes: number[], options: TensorOptions]) => Tensor)>;
/** Zeros of `x`'s shape and dtype (unless overridden). @example zerosLike(w) */
export const zerosLike = api(sig('zerosLike', ['x', K.tensor], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function zerosLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return filled('zerosLike', x.shape, 0, { dtype: x.dtype, device: x.device, ...options });
});
/** Ones of `x`'s shape and dtype (unless overridden). @example onesLike(y) */
export const onesLike = api(sig('onesLike', ['x', K.tensor], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function onesLike(x: Tensor, options: TensorOptions = {}): Tensor {
  return filled('onesLike', x.shape, 1, { dtype: x.dtype, device: x.device, ...options });
});
/** `value` in `x`'s shape and dtype (unless overridden). @example fullLike(x, 0.5) */
export const fullLike = api(sig('fullLike', ['x', K.tensor], ['value', K.number], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function fullLike(x: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return filled('fullLike', x.shape, value, { dtype: x.dtype, device: x.device, ...options });
});

/** Options of `arange`. */
export interface ArangeOptions extends TensorOptions {
  step?: number;
}
/**
 * start, start+step, … before end, as PyTorch's `arange` (one argument is the end).
 * @example arange(5) // [0, 1, 2, 3, 4]; arange(1, 2, { step: 0.25 })
 */
export const arange = api(sig('arange', ['start', K.number], ['end', K.optional(K.number)], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind, step: K.number }, { positional: ['step'] })]), function arange(start: number, end?: number, options: ArangeOptions = {}): Tensor {
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  const step = options.step ?? 1;
  if (step === 0 || !Number.isFinite(step) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new DlError(`arange: start ${lo}, end ${hi} and step ${step} must be finite, with a non-zero step`);
  }
  if ((hi - lo) * step < 0) {
    throw new DlError(`arange: step ${step} goes away from end ${hi} (start ${lo}); the step's sign must match end - start`);
  }
  const n = Math.ceil((hi - lo) / step);
  checkNumel('arange', [n], 'end');
  const data = allocate(dtypeOption('arange', options), n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return make(data, [n], options);
}) as Checked<(start: number, end?: number, ...args: [options?: ArangeOptions] | [step: number, options?: ArangeOptions]) => Tensor>;

/** `steps` evenly spaced values from start to end, both included. @example linspace(0, 1, 5) // [0, 0.25, 0.5, 0.75, 1] */
export const linspace = api(sig('linspace', ['start', K.number], ['end', K.number], ['steps', K.number], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new DlError(`linspace: steps must be a non-negative integer, got ${steps}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new DlError(`linspace: start ${start} and end ${end} must be finite`);
  checkNumel('linspace', [steps], 'steps');
  const data = allocate(dtypeOption('linspace', options), steps);
  const delta = steps > 1 ? (end - start) / (steps - 1) : 0;
  // As PyTorch: the first half counts up from start, the second down from end, so both ends are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) data[i] = i < half || steps === 1 ? start + i * delta : end - (steps - 1 - i) * delta;
  return make(data, [steps], options);
});

/** The n×m identity matrix (m = n by default). */
export const eye = api(sig('eye', ['n', K.number], ['m', K.optional(K.number)], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind })]), function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const s = checkShape('eye', [n, m]);
  checkNumel('eye', s);
  const data = allocate(dtypeOption('eye', options), n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return make(data, s, options);
});

const BELOW_ONE_F32 = 1 - 2 ** -24;

/** Uniform values in [0, 1). @example rand([2, 3], { generator: new Generator(1) }) */
export const rand = api(sig('rand', ['shape', K.sizes], ['options', opts({ dtype: K.floatDtype, requiresGrad: K.bool, device: deviceKind, generator: generatorKind })]), function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape('rand', shape);
  const g = options.generator ?? defaultGenerator;
  const data = allocate(dtypeOption('rand', options), numel(s));
  for (let i = 0; i < data.length; i++) data[i] = g.uniform();
  // A double just below 1 rounds to 1 in float32; keep the promised [0, 1).
  if (data instanceof Float32Array) for (let i = 0; i < data.length; i++) if (data[i] === 1) data[i] = BELOW_ONE_F32;
  return make(data, s, options);
}) as Checked<((shape: readonly number[], options?: RandomOptions) => Tensor) & ((...sizes: number[]) => Tensor) & ((...args: [...sizes: number[], options: RandomOptions]) => Tensor)>;
/** Standard normal values. @example manualSeed(0); randn([2, 3]) */
export const randn = api(sig('randn', ['shape', K.sizes], ['options', opts({ dtype: K.floatDtype, requiresGrad: K.bool, device: deviceKind, generator: generatorKind })]), function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const s = checkShape('randn', shape);
  const g = options.generator ?? defaultGenerator;
  const data = allocate(dtypeOption('randn', options), numel(s));
  for (let i = 0; i < data.length; i++) data[i] = g.normal();
  return make(data, s, options);
}) as Checked<((shape: readonly number[], options?: RandomOptions) => Tensor) & ((...sizes: number[]) => Tensor) & ((...args: [...sizes: number[], options: RandomOptions]) => Tensor)>;
/** Uniform integers in [low, high), int32 unless `dtype` says otherwise. @example randint(0, 10, [5]) */
export const randint = api(sig('randint', ['low', K.number], ['high', K.number], ['shape', K.shape], ['options', opts({ dtype: K.dtype, requiresGrad: K.bool, device: deviceKind, generator: generatorKind })]), function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new DlError(`randint: expects integers low < high, got low ${low} and high ${high}`);
  }
  const s = checkShape('randint', shape);
  const g = options.generator ?? defaultGenerator;
  const data = allocate(checkDType('randint', options.dtype ?? 'int32'), numel(s));
  for (let i = 0; i < data.length; i++) data[i] = g.integer(low, high);
  return make(data, s, options);
});
/** Standard normal values in `x`'s shape and dtype (unless overridden). */
export const randnLike = api(sig('randnLike', ['x', K.tensor], ['options', opts({ dtype: K.floatDtype, requiresGrad: K.bool, device: deviceKind, generator: generatorKind })]), function randnLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return randn(x.shape, { device: x.device, ...options, dtype: options.dtype ?? floatLike('randnLike', x) });
});
/** Uniform values in [0, 1) in `x`'s shape and dtype (unless overridden). */
export const randLike = api(sig('randLike', ['x', K.tensor], ['options', opts({ dtype: K.floatDtype, requiresGrad: K.bool, device: deviceKind, generator: generatorKind })]), function randLike(x: Tensor, options: RandomOptions = {}): Tensor {
  return rand(x.shape, { device: x.device, ...options, dtype: options.dtype ?? floatLike('randLike', x) });
});

/** `x`'s dtype for a random factory that makes floats: an int32 or bool `x` is refused, as PyTorch does. */
function floatLike(op: string, x: Tensor): FloatDType {
  if (!isFloat(x.dtype)) throw new DlError(op, `makes float values and cannot take the dtype of a ${x.dtype} tensor`, { arg: 'x', hint: "pass { dtype: 'float32' }" });
  return x.dtype;
}
