// The fuzz suite's table of signatures: every public function and constructor of every package, with
// the kinds of its parameters, read from the signature each carries (`checks.api`, `checks.checkedClass`).
import fc from 'fast-check';
import * as autograd from '@dl/autograd';
import * as nn from '@dl/nn';
import * as optim from '@dl/optim';
import * as data from '@dl/data';
import * as io from '@dl/io';

const { checks: K, Tensor } = autograd;
type Kind = autograd.checks.Kind;

/** One fuzzed entry point: how to call it with an argument list, and its parameters' kinds. */
export interface Entry {
  name: string;
  call: (args: unknown[]) => unknown;
  kinds: readonly Kind[];
  /** Whether the last kind is a rest parameter. */
  rest?: boolean;
  /** Whether every parameter is declared (no `...rest` of any value). */
  checked: boolean;
}

export const packages = { autograd, nn, optim, data, io } as const;

// Exports that are not entry points to fuzz: types' runtime shadows, constants, namespaces, error classes,
// testing helpers, and I/O that touches the network or files (covered by their own tests).
export const notFuzzed = new Set([
  'autograd.checks', 'autograd.DlError', 'autograd.GradcheckError', 'autograd.defaultDType', 'autograd.defaultGenerator',
  'autograd.Tensor', // constructed in every draw; its constructor has its own findings tests
  // gradcheck runs the user's function with finite differences (its own tests); defineOp's spec (and
  // defineOpWithAux's, the same) is checked by op.ts.
  'autograd.gradcheck', 'autograd.gradgradcheck', 'autograd.defineOp', 'autograd.defineOpWithAux',
  // Abstract bases and containers of the user's own modules (checked by their own tests).
  'nn.F', 'nn.Module', 'nn.Sequential', 'nn.ModuleList', 'nn.ModuleDict', 'nn.Loss', 'nn.BatchNorm', 'nn.manual.BatchNorm',
  'optim.Optimizer', 'optim.LRScheduler',
  'data.loadMnist', 'io.save', 'io.saveState', 'io.writeFileAtomic',
]);


/** The exports of a package to walk: its top level, and for nn the `init` and `manual` namespaces (F repeats the top level). */
function exportsOf(pkg: keyof typeof packages): [string, unknown][] {
  const top = Object.entries(packages[pkg]) as [string, unknown][];
  if (pkg !== 'nn') return top;
  return [...top, ...Object.entries(nn.init).map(([k, v]) => [`init.${k}`, v] as [string, unknown]), ...Object.entries(nn.manual).map(([k, v]) => [`manual.${k}`, v] as [string, unknown])];
}

/** The entries of one package, from the signatures its functions and constructors carry; `missing` lists those without one. */
export function entriesOf(pkg: keyof typeof packages): { entries: Entry[]; missing: string[] } {
  const entries: Entry[] = [];
  const missing: string[] = [];
  for (const [name, value] of exportsOf(pkg)) {
    const key = `${pkg}.${name}`;
    if (notFuzzed.has(key) || typeof value !== 'function') continue;
    const signature = (value as { signature?: autograd.checks.Signature }).signature;
    if (signature === undefined) {
      missing.push(key);
      continue;
    }
    entries.push({
      name: signature.name, kinds: signature.params.map((p) => p.kind), rest: signature.params.at(-1)?.rest,
      checked: !signature.params.some((p) => p.rest === true && p.kind.tag === 'any'),
      call: (args) => (signature.construct === true ? new (value as new (...a: unknown[]) => unknown)(...args) : (value as (...a: unknown[]) => unknown)(...args)),
    });
  }
  return { entries, missing };
}

// ---- values ----

// 2^40 + 1 wraps to 1 under `| 0` and `>>> 0`, as 2^32 + 1 does, but no valid step in [-3, 3] makes an
// arange from it small enough to allocate (2^32 + 1 with a step of -2.97 is a valid 5.8 GB request).
const hostile: unknown[] = [
  null, undefined, 'x', '1', '0.1', 'false', {}, [], [1, 'a'], [[6]], NaN, Infinity, -Infinity, -1, 0, 1.5, 2 ** 40 + 1, 1e12,
  true, false, () => 1, new Int32Array(2), [1e6, 1e6], [1e10, 0], [-1, 2], [2.5], { requires_grad: true }, { axis: 1 }, { keepdim: 'no' },
];

const arbShape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
// Mostly float tensors (the ones ops differentiate), and int32 and bool ones, which every op must take or refuse by name.
const arbDType = fc.constantFrom('float32', 'float32', 'float64', 'float64', 'int32', 'bool' as const);
export const arbTensor = fc.tuple(arbShape, arbDType, fc.boolean()).map(([shape, dtype, rg]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = dtype === 'bool' ? (i * 7919) % 3 === 0 ? 1 : 0 : dtype === 'int32' ? ((i * 7919) % 11) - 5 : ((i * 7919) % 11) / 3 - 1.5;
  const float = dtype === 'float32' || dtype === 'float64';
  return new Tensor(data, shape, { requiresGrad: rg && float });
});

export function validOf(k: Kind): fc.Arbitrary<unknown> {
  const tag = k.tag;
  if (tag === 'tensor') return arbTensor;
  if (tag === 'tensorLike') return fc.oneof(arbTensor, fc.integer({ min: -192, max: 192 }).map((i) => i / 64));
  if (tag === 'number' || tag === 'finite') {
    // Multiples of 1/64 in range: no subnormal steps (arange(-1, 1, 1e-300) is a valid request for more memory than a test has).
    const lo = k.min ?? -3;
    const hi = Math.max(lo, k.max ?? 3);
    return fc.integer({ min: Math.ceil(lo * 64), max: Math.floor(hi * 64) }).map((i) => Math.min(hi, Math.max(lo, i / 64)));
  }
  if (tag === 'int' || tag === 'size2') return fc.integer({ min: k.min ?? -2, max: Math.max(k.min ?? -2, Math.min(k.max ?? 4, 4)) });
  if (tag === 'dim') return fc.integer({ min: -3, max: 3 });
  if (tag === 'dims') return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 3 }));
  if (tag === 'shape') return arbShape;
  if (tag === 'bool') return fc.boolean();
  if (tag === 'dtype' || tag === 'oneOf') return fc.constantFrom(...(k.values ?? ['float32']));
  if (tag === 'list') return fc.array(validOf(k.inner![0]!), { maxLength: 3 });
  if (tag === 'union') return fc.oneof(...k.inner!.map(validOf));
  if (tag.startsWith('nullable:')) return fc.oneof(fc.constant(null), validOf(k.inner![0]!));
  if (tag === 'func') return fc.constant((...xs: unknown[]) => xs[0]);
  if (tag === 'floatArray') return fc.constantFrom(new Float32Array([1, -2, 3]), new Float64Array([0.5, 2, -1]), new Float32Array(2), new Float64Array(0)).map((a) => a.slice());
  if (tag === 'options') {
    const keys = k.keys!;
    return fc.record(Object.fromEntries(Object.entries(keys).map(([key, kk]) => [key, validOf(kk)])), { requiredKeys: [] });
  }
  if (tag === 'instance:Generator') return fc.integer({ min: 0, max: 9 }).map((seed) => new autograd.Generator(seed));
  if (tag.startsWith('instance:')) return fc.constant(undefined);
  return fc.oneof(arbTensor, fc.integer({ min: -2, max: 4 }), fc.constantFrom(...hostile));
}

/** A value of kind `k`, or (with probability 1 in 4) a hostile one. */
export function arbOf(k: Kind): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: validOf(k) }, { weight: 1, arbitrary: fc.constantFrom(...hostile) });
}

/** Argument lists for an entry: its parameters, sometimes cut short or with one extra. */
export function arbArgs(e: Entry): fc.Arbitrary<unknown[]> {
  const fixed = fc.tuple(...e.kinds.map(arbOf));
  return fc.tuple(fixed, fc.integer({ min: 0, max: 9 })).map(([args, r]) => (r === 0 ? args.slice(0, Math.max(0, args.length - 1)) : r === 1 ? [...args, 7] : args));
}
