// The fuzz suite's table of signatures: every public function and constructor of every package, with
// the kinds of its parameters. Functions built with `checks.api` carry their signature; the rest
// (classes, and functions added without one) are listed here by hand.
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
  /** Whether every parameter is declared (a full `checks.api` signature); the others run with DL_FUZZ_ALL=1. */
  checked: boolean;
}

export const packages = { autograd, nn, optim, data, io } as const;

// Exports that are not entry points to fuzz: types' runtime shadows, constants, namespaces, error classes,
// testing helpers, and I/O that touches the network or files (covered by their own tests).
export const notFuzzed = new Set([
  'autograd.checks', 'autograd.DlError', 'autograd.GradcheckError', 'autograd.defaultDType', 'autograd.defaultGenerator',
  'autograd.Tensor', // constructed in every draw; its constructor has its own findings tests
  'autograd.isGradEnabled', 'autograd.gradcheck', 'autograd.gradgradcheck', 'autograd.defineOp', 'autograd.broadcastShapes',
  'nn.F', 'nn.init', 'nn.manual', 'nn.Module', 'nn.Parameter', 'nn.Sequential', 'nn.ModuleList', 'nn.ModuleDict', 'nn.Loss',
  'nn.ParameterList', 'nn.BatchNorm',
  'optim.Optimizer', 'optim.LRScheduler',
  'data.loadMnist', 'io.save', 'io.saveState', 'io.writeFileAtomic',
]);

const T = K.tensor;
const loose = (n: number): Kind[] => [...Array.from({ length: n }, () => T), K.any];

// Constructors and functions without a carried signature: the kinds of their parameters.
const byHand: Record<string, { kinds: Kind[]; rest?: boolean; construct?: boolean }> = {
  'nn.Linear': { kinds: [K.int({ min: 1 }), K.int({ min: 1 }), K.any], construct: true },
  'nn.Conv2d': { kinds: [K.int({ min: 1 }), K.int({ min: 1 }), K.any, K.any], construct: true },
  'nn.Embedding': { kinds: [K.int({ min: 1 }), K.int({ min: 1 }), K.any], construct: true },
  // Fused recurrent kernels (ops/recurrent.ts), used by the nn layers.
  ...Object.fromEntries(['lstmCellReference', 'gruCellReference', 'lstmCell', 'gruCell', 'recurrentLayerReference', 'recurrentLayer']
    .map((n) => [`autograd.${n}`, { kinds: loose(3), rest: true }])),
  // Ops added since (issue 9's idioms), until they carry a signature of their own.
  ...Object.fromEntries(['cumsum', 'cumprod', 'prod', 'sort', 'argsort', 'topk', 'norm', 'bmm', 'einsum', 'floor', 'ceil', 'trunc', 'round',
    'log1p', 'expm1', 'isnan', 'isfinite', 'isinf', 'any', 'all', 'randperm', 'multinomial', 'bernoulli', 'flip', 'roll', 'repeat',
    'tile', 'triu', 'tril']
    .map((n) => [`autograd.${n}`, { kinds: loose(1), rest: true }])),
};

/** The entries of one package: carried signatures first, then the hand-written ones, then loose ones for classes. */
export function entriesOf(pkg: keyof typeof packages): { entries: Entry[]; missing: string[] } {
  const entries: Entry[] = [];
  const missing: string[] = [];
  for (const [name, value] of Object.entries(packages[pkg])) {
    const key = `${pkg}.${name}`;
    if (notFuzzed.has(key) || typeof value !== 'function') continue;
    const signature = (value as { signature?: autograd.checks.Signature }).signature;
    const isClass = /^class\b/.test(Function.prototype.toString.call(value));
    if (signature !== undefined) {
      entries.push({
        name: signature.name, kinds: signature.params.map((p) => p.kind), rest: signature.params.at(-1)?.rest,
        checked: !signature.params.some((p) => p.rest === true && p.kind.tag === 'any'),
        call: (args) => (value as (...a: unknown[]) => unknown)(...args),
      });
    } else if (byHand[key] !== undefined) {
      const h = byHand[key]!;
      entries.push({
        name, kinds: h.kinds, rest: h.rest, checked: false,
        call: (args) => (isClass ? new (value as new (...a: unknown[]) => unknown)(...args) : (value as (...a: unknown[]) => unknown)(...args)),
      });
    } else if (isClass || pkg !== 'autograd') {
      // Constructors and functions of the other packages: drawn from the general pool, tensors first.
      entries.push({
        name, kinds: loose(2), rest: true, checked: false,
        call: (args) => (isClass ? new (value as new (...a: unknown[]) => unknown)(...args) : (value as (...a: unknown[]) => unknown)(...args)),
      });
    } else {
      missing.push(key);
    }
  }
  return { entries, missing };
}

// ---- values ----

const hostile: unknown[] = [
  null, undefined, 'x', '1', '0.1', 'false', {}, [], [1, 'a'], [[6]], NaN, Infinity, -Infinity, -1, 0, 1.5, 2 ** 32 + 1, 1e12,
  true, false, () => 1, new Int32Array(2), [1e6, 1e6], [1e10, 0], [-1, 2], [2.5], { requires_grad: true }, { axis: 1 }, { keepdim: 'no' },
];

const arbShape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
export const arbTensor = fc.tuple(arbShape, fc.constantFrom('float32', 'float64' as const), fc.boolean()).map(([shape, dtype, rg]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 11) / 3 - 1.5;
  return new Tensor(data, shape, { requiresGrad: rg });
});

function validOf(k: Kind): fc.Arbitrary<unknown> {
  const tag = k.tag;
  if (tag === 'tensor') return arbTensor;
  if (tag === 'tensorLike') return fc.oneof(arbTensor, fc.double({ min: -3, max: 3, noNaN: true }));
  if (tag === 'number' || tag === 'finite') {
    const lo = k.min ?? -3;
    return fc.double({ min: lo, max: Math.max(lo, k.max ?? 3), noNaN: true });
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
  if (tag === 'options') {
    const keys = k.keys!;
    return fc.record(Object.fromEntries(Object.entries(keys).map(([key, kk]) => [key, validOf(kk)])), { requiredKeys: [] });
  }
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
