import fc from 'fast-check';
import { Generator, Tensor, DlError } from '@dl/autograd';
import { arbTensor, type TensorConstraints } from '@dl/autograd/testing';
import type { ManualLayer } from '../manual/layer.js';
import { copyToTwin, pairWithTwin, toManualLayout, type TwinModule, type TwinPair } from '../manual/twin.js';

/**
 * The autograd side of a cross-check: a module (any `Module`) whose `forward` records on the tape,
 * holding its parameters as `weight`/`bias` (Linear, Conv2d) or in sub-modules listed by `modules()`.
 */
export interface AutogradTwin extends TwinModule {
  forward(x: Tensor): Tensor;
}

/** Tolerances of the comparison: |manual − autograd| ≤ atol + rtol·|autograd|, elementwise. */
export interface Tolerance {
  /** 1e-9 by default. */
  rtol?: number;
  /** 1e-10 by default. */
  atol?: number;
}

/** Options of `checkAgainstTwin`. */
export interface CheckAgainstTwinOptions extends Tolerance {
  /** ∂loss/∂output to backpropagate (standard normal values from `seed` by default). */
  dupstream?: Tensor;
  /** Seed of the default `dupstream` (0). */
  seed?: number;
  /** Whether to copy the manual parameters into the twin first (true). */
  copy?: boolean;
}

/** The first disagreement a cross-check found: which quantity, where, and both values. */
export class CrossCheckError extends Error {
  constructor(
    message: string,
    /** `'y (forward output)'`, `'dx'`, or a layer's gradient (`'dW of layer Linear 1'`). */
    readonly quantity: string,
    /** The flat index of the element. */
    readonly index: number,
    readonly manual: number,
    readonly autograd: number,
  ) {
    super(message);
    this.name = 'CrossCheckError';
  }
}

function compare(quantity: string, manual: Tensor | null, autograd: Tensor | null, tol: Required<Tolerance>, context: string): void {
  if (manual === null || autograd === null) {
    throw new CrossCheckError(`crossCheck: ${quantity} is missing on the ${manual === null ? 'manual' : 'autograd'} side (${context})`, quantity, -1, NaN, NaN);
  }
  if (manual.numel() !== autograd.numel() || manual.shape.join() !== autograd.shape.join()) {
    throw new CrossCheckError(
      `crossCheck: ${quantity} has shape [${manual.shape.join(',')}] by hand but [${autograd.shape.join(',')}] from autograd (${context})`,
      quantity, -1, NaN, NaN,
    );
  }
  for (let i = 0; i < manual.numel(); i++) {
    const m = manual.data[i]!;
    const a = autograd.data[i]!;
    if (!(Math.abs(m - a) <= tol.atol + tol.rtol * Math.abs(a))) {
      throw new CrossCheckError(
        `crossCheck: ${quantity} differs at element ${i} of shape [${manual.shape.join(',')}]: manual ${m}, autograd ${a} (${context})`,
        quantity, i, m, a,
      );
    }
  }
}

/** Pairs the layers with parameters on both sides, checking that every parameter is float64. */
function checkedPairs(manual: ManualLayer, twin: AutogradTwin): TwinPair[] {
  const pairs = pairWithTwin(manual, twin, 'crossCheck');
  for (const p of pairs) {
    for (const [side, t] of [['manual W', p.manual.W], ['manual b', p.manual.b], ['twin weight', p.twin.weight], ['twin bias', p.twin.bias]] as const) {
      if (t.dtype !== 'float64') {
        throw new DlError(`crossCheck: the ${side} of layer ${p.index} is ${t.dtype}; build both sides in float64 ({ dtype: 'float64' }, module.double())`);
      }
    }
  }
  return pairs;
}

function normalLike(shape: readonly number[], seed: number): Tensor {
  const g = new Generator(seed);
  const n = shape.reduce((a, s) => a * s, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = g.normal();
  return new Tensor(data, shape);
}

/**
 * Runs one input through a manual layer and its autograd twin (with the manual parameters copied
 * over) and checks, in float64, that the forward outputs, `dx` and every layer's `dW` and `db` equal
 * the twin's output, `x.grad`, and `weight.grad`/`bias.grad`, and that layers with running statistics
 * (batch normalisation) end with the same `runningMean`, `runningVar` and `numBatchesTracked`. Put
 * both sides in the same mode (`train()`/`eval()`) first. Returns true, or throws a
 * `CrossCheckError` naming the quantity, the element and both values.
 * @example checkAgainstTwin(new manual.Linear(3, 2, { dtype: 'float64' }), new Linear(3, 2).double(), randn([4, 3], { dtype: 'float64' }));
 */
export function checkAgainstTwin(manual: ManualLayer, twin: AutogradTwin, x: Tensor, options: CheckAgainstTwinOptions = {}): true {
  const tol = { rtol: options.rtol ?? 1e-9, atol: options.atol ?? 1e-10 };
  if (x.dtype !== 'float64') throw new DlError(`crossCheck: the input is ${x.dtype}; cross-checks run in float64`);
  const pairs = checkedPairs(manual, twin);
  if (options.copy ?? true) copyToTwin(manual, twin);
  const context = `input shape [${x.shape.join(',')}]`;

  const y = manual.forward(new Tensor(x.data.slice(), x.shape));
  const dupstream = options.dupstream ?? normalLike(y.shape, options.seed ?? 0);
  const dx = manual.backward(dupstream);

  const leaf = new Tensor(x.data.slice(), x.shape, { requiresGrad: true });
  for (const p of pairs) {
    p.twin.weight.grad = null;
    p.twin.bias.grad = null;
  }
  const yTwin = twin.forward(leaf);
  compare('y (forward output)', y, yTwin.detach(), tol, context);
  yTwin.backward(dupstream);
  compare('dx', dx, leaf.grad, tol, context);
  for (const p of pairs) {
    const name = `${p.manual.constructor.name} ${p.index}`;
    compare(`dW of layer ${name}`, p.manual.dW, p.twin.weight.grad && toManualLayout(p, p.twin.weight.grad), tol, context);
    compare(`db of layer ${name}`, p.manual.db, p.twin.bias.grad && new Tensor(p.twin.bias.grad.data, p.manual.b.shape), tol, context);
    if (p.stats !== null) {
      const { manual: ms, twin: ts } = p.stats;
      compare(`runningMean of layer ${name}`, ms.runningMean, ts.runningMean, tol, context);
      compare(`runningVar of layer ${name}`, ms.runningVar, ts.runningVar, tol, context);
      compare(`numBatchesTracked of layer ${name}`, new Tensor(Float64Array.of(ms.numBatchesTracked), []), ts.numBatchesTracked, tol, context);
    }
  }
  return true;
}

/** Options of `crossCheck` and `crossCheckProperty`. */
export interface CrossCheckOptions extends Tolerance, Pick<TensorConstraints, 'min' | 'max' | 'filter'> {
  /** The inputs to try, as a fast-check arbitrary of float64 tensors (overrides `inputShape`). */
  input?: fc.Arbitrary<Tensor>;
  /**
   * The input shape, or an arbitrary of shapes. Inferred for a lone Linear ([1-3, in]) or Conv2d
   * ([1-2, C, H, W] with H, W from the kernel size up) and for a net starting with a Linear.
   */
  inputShape?: readonly number[] | fc.Arbitrary<readonly number[]>;
  /** Draws inputs whose values are pairwise distinct, on a 0.001 grid in [min, max], so max-pool windows have no ties. */
  distinct?: boolean;
  /** Rejects whole inputs; `filter` rejects single values. */
  inputFilter?: (x: Tensor) => boolean;
  /** Number of random inputs (50). */
  numRuns?: number;
  /** fast-check seed, to replay a failure. */
  seed?: number;
}

function inferShape(manual: ManualLayer): fc.Arbitrary<readonly number[]> {
  const layers = (manual as { layers?: unknown }).layers;
  const first = (Array.isArray(layers) ? layers[0] : manual) as { W?: Tensor; padding?: number } | undefined;
  const W = first?.W;
  if (W instanceof Tensor && W.ndim === 2) {
    return fc.integer({ min: 1, max: 3 }).map((b) => [b, W.shape[0]!]);
  }
  if (W instanceof Tensor && W.ndim === 4 && first === manual) {
    const [, C, kh, kw] = W.shape as [number, number, number, number];
    const p = typeof first.padding === 'number' ? first.padding : 0;
    const lo = (k: number) => Math.max(1, k - 2 * p);
    return fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }))
      .map(([n, h, w]) => [n, C, lo(kh) + h, lo(kw) + w]);
  }
  throw new DlError(`crossCheck: cannot infer an input shape for ${manual.constructor.name}; pass options.inputShape or options.input`);
}

/**
 * The fast-check property behind `crossCheck`: for every input drawn (and a random upstream gradient),
 * `checkAgainstTwin(manual, twin, x)` holds.
 */
export function crossCheckProperty(manual: ManualLayer, twin: AutogradTwin, options: CrossCheckOptions = {}): fc.IPropertyWithHooks<[Tensor, number]> {
  checkedPairs(manual, twin); // setup errors surface here, not as a failing run
  let input = options.input;
  if (input === undefined) {
    const shapes = options.inputShape === undefined ? inferShape(manual) : Array.isArray(options.inputShape) ? fc.constant(options.inputShape) : options.inputShape;
    const constraints: TensorConstraints = { dtype: 'float64', min: options.min, max: options.max, filter: options.filter };
    const arb = options.distinct ? arbDistinctTensor : arbTensor;
    input = (shapes as fc.Arbitrary<readonly number[]>).chain((s) => arb(s, constraints));
  }
  if (options.inputFilter) input = input.filter(options.inputFilter);
  const tol = { rtol: options.rtol, atol: options.atol };
  return fc.property(input, fc.nat(), (x, seed) => checkAgainstTwin(manual, twin, x, { ...tol, seed }));
}

/**
 * Asserts that a hand-written layer's backward agrees with autograd: for random float64 inputs and
 * upstream gradients, after copying the parameters over, the manual `forward` output, `dx` and each
 * layer's `dW`, `db` equal the twin's output and gradients. A failure is shrunk by fast-check to the
 * smallest input and reported with the quantity, element and both values.
 *
 * Your manual layer needs only `forward(x)` and `backward(dupstream)` (returning dx); a layer with
 * parameters also has tensors `W` (the twin's weight shape, or its transpose if 2-D) and `b`, and sets
 * `dW` and `db` in backward. A net exposes its layers as a `layers` array. Build both sides in float64.
 * @example
 * crossCheck(new MyLinear(4, 3), new nn.Linear(4, 3).double());
 * crossCheck(new manual.MaxPool2d(2), new nn.MaxPool2d(2), { inputShape: [1, 2, 4, 4], distinct: true });
 */
export function crossCheck(manual: ManualLayer, twin: AutogradTwin, options: CrossCheckOptions = {}): void {
  const params: fc.Parameters<[Tensor, number]> = { numRuns: options.numRuns ?? 50, includeErrorInReport: true };
  if (options.seed !== undefined) params.seed = options.seed;
  fc.assert(crossCheckProperty(manual, twin, options), params);
}

/**
 * Random float64 tensors of `shape` whose values are pairwise distinct multiples of 0.001 in
 * [min, max] (−3 to 3 by default), so no max-pool window has a tie (where the gradient is not
 * defined and implementations may pick different elements). Values shrink towards 0.
 * @example fc.sample(arbDistinctTensor([1, 1, 4, 4]), 1)
 */
export function arbDistinctTensor(shape: readonly number[], c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  const lo = Math.ceil((c.min ?? -3) * 1000);
  const hi = Math.floor((c.max ?? 3) * 1000);
  const n = shape.reduce((a, s) => a * s, 1);
  if (hi - lo + 1 < n) throw new DlError(`arbDistinctTensor: [${c.min ?? -3}, ${c.max ?? 3}] holds fewer than ${n} distinct values on a 0.001 grid`);
  let ints = fc.uniqueArray(fc.integer({ min: lo, max: hi }), { minLength: n, maxLength: n });
  if (c.filter) ints = ints.filter((v) => v.every((i) => c.filter!(i / 1000)));
  return ints.map((v) => {
    const data = c.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = v[i]! / 1000;
    return new Tensor(data, shape);
  });
}
