// The OpInfo tables of the op-family tests and what runs them: one row per op drives its float64
// gradcheck property, its PyTorch golden cases and its second-order check. Rows come in two kinds:
// - `OpInfo` (elementwise, activation): arity, shapes and value domains, from which inputs are drawn;
// - `SampledOpInfo` (reduce, movement, linalg, image): a ready arbitrary of inputs and options, for ops
//   whose options depend on the shape (dims, windows, index tensors).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { getBackend, gradients, noGrad, setBackend, Tensor, type BackendName, type TensorLike } from '@dl/autograd';
import {
  arbShape, arbTensor, gradcheck, gradgradcheck, type ShapeConstraints, type TensorConstraints,
} from '@dl/autograd/testing';

// ---- golden fixtures -------------------------------------------------------------------------

type JsonNumber = number | string;
/** A tensor as the generator scripts write it (float64 when no dtype is given). */
export interface JsonTensor {
  shape: number[];
  dtype?: 'float32' | 'float64' | 'int32' | 'bool';
  data: JsonNumber[];
}

/** Parses `../fixtures/<name>.json`; "NaN" and "±Infinity" strings (options included) read back as numbers. */
export function readFixture(name: string): unknown {
  const url = new URL(`../fixtures/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8'), (_, v: unknown) => (v === 'Infinity' || v === '-Infinity' || v === 'NaN' ? Number(v) : v));
}

/** A fixture tensor as a Tensor of its dtype. */
export function fromJson(t: JsonTensor): Tensor {
  const values = t.data.map(Number);
  const arrays = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };
  return new Tensor(arrays[t.dtype ?? 'float64'].from(values), t.shape);
}

/** Absolute and relative tolerance: |actual - expected| <= atol + rtol·|expected|. */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Expects `actual` to have `expected`'s shape and values within `tol` (1e-12 relative by default),
 * NaN matching NaN and infinities exact.
 */
export function expectClose(
  actual: Tensor, expected: { shape: readonly number[]; data: ArrayLike<number> }, what: string,
  { atol, rtol }: Tolerance = { atol: 1e-12, rtol: 1e-12 },
): void {
  expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    const [a, e] = [actual.data[i]!, expected.data[i]!];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Number.isFinite(e) ? Math.abs(a - e) <= atol + rtol * Math.abs(e) : a === e;
    if (!ok) expect.fail(`${what}: element ${i} is ${a}, PyTorch gives ${e}`);
  }
}

/** One PyTorch call of elementwise.py or activation.py: arguments, options, output and (for differentiable ops) gradients. */
export interface GoldenCase {
  op: string;
  note: string;
  options: Record<string, unknown>;
  args: (JsonTensor | JsonNumber)[];
  out: JsonTensor;
  gradOut?: JsonTensor;
  grads?: (JsonTensor | null)[];
}

/** Loads the golden cases written by `fixtures/<name>.py` as one list (elementwise, activation). */
export function loadGolden(name: string): GoldenCase[] {
  return (readFixture(name) as { cases: GoldenCase[] }).cases;
}

/** One PyTorch call of reduce.py, movement.py, linalg.py or image.py (float64 throughout). */
export interface TableCase {
  note: string;
  inputs: JsonTensor[];
  opts?: unknown;
  /** Every output (max's values and indices, split's pieces). */
  outputs: JsonTensor[];
  /** Upstream gradients: one for the first output (reduce.py) or one per output. */
  upstream?: JsonTensor | JsonTensor[];
  /** The gradient of each input for that upstream; null for index inputs. */
  grads?: (JsonTensor | null)[];
}

/** Loads the golden cases written by `fixtures/<name>.py` keyed by op (reduce, movement, linalg, image). */
export function loadGoldenTable(name: string): Record<string, TableCase[]> {
  return readFixture(name) as Record<string, TableCase[]>;
}

function fromArg(a: JsonTensor | JsonNumber): TensorLike {
  return typeof a === 'object' ? fromJson(a) : Number(a);
}

// Tolerances of golden comparisons. float64: our results and PyTorch's differ by libm ulps (at most
// 3e-15 relative measured). float32: the goldens are float64 results rounded once, while our composed
// ops (gelu, softmax = exp(logSoftmax)) round each step: a few ulps of the O(1) intermediates.
const TOL = { float64: { atol: 1e-15, rtol: 1e-14 }, float32: { atol: 2 ** -21, rtol: 2 ** -21 } };

/** Expects `actual` to equal the fixture tensor: same shape and dtype, NaN and infinities in place, values close. */
export function expectMatches(actual: Tensor, expected: JsonTensor, what: string): void {
  const dtype = expected.dtype ?? 'float64';
  expect(actual.dtype, `${what}: dtype`).toBe(dtype);
  // The recorded float64 numbers themselves, not rounded to the fixture's dtype.
  expectClose(actual, { shape: expected.shape, data: expected.data.map(Number) }, what, dtype === 'float32' || dtype === 'float64' ? TOL[dtype] : { atol: 0, rtol: 0 });
}

/** Checks one golden case: the forward, and the gradient of every tensor argument when recorded. */
export function checkGolden<O>(fn: (xs: TensorLike[], options: O) => Tensor, c: GoldenCase): void {
  const what = `${c.op} (${c.note})`;
  const args = c.args.map(fromArg);
  expectMatches(fn(args, c.options as O), c.out, what);
  if (c.grads === undefined) return;
  const leaves = args.filter((a): a is Tensor => a instanceof Tensor).map((a) => a.requiresGrad_(true));
  const out = fn(args, c.options as O);
  const grads = gradients([out], leaves, { gradOutputs: [fromJson(c.gradOut!)], allowUnused: true });
  c.grads.forEach((g, i) => {
    // PyTorch gives None where no gradient flows (where's condition): ours must be all zeros.
    if (g === null) expect(grads[i]!.data.every((v) => v === 0), `${what}: grad ${i} should be 0`).toBe(true);
    else expectMatches(grads[i]!, g, `${what}: grad of argument ${i}`);
  });
}

// ---- backends -----------------------------------------------------------------------------

/** What `f` gives on `backend`: its outputs and the gradient of each of its first `n` inputs for a fixed upstream. */
function runOn(backend: BackendName, f: (...xs: Tensor[]) => Tensor[], xs: readonly Tensor[], n: number): Tensor[] {
  const before = getBackend();
  setBackend(backend);
  try {
    const leaves = xs.map((x, i) => (i < n ? x.detach().requiresGrad_() : x));
    const outs = f(...leaves);
    const floats = outs.filter((o) => o.requiresGrad);
    if (floats.length === 0 || n === 0) return outs;
    // A fixed upstream that is not all ones, so a swapped or misplaced gradient shows.
    const upstream = floats.map((o) => new Tensor(Float32Array.from({ length: o.numel() }, (_, i) => 1 - (i % 5) / 4), o.shape));
    return [...outs, ...gradients(floats, leaves.slice(0, n), { gradOutputs: upstream, allowUnused: true })];
  } finally {
    setBackend(before);
  }
}

/**
 * Expects `f` (on float32 copies of `xs`) to give the same outputs and gradients on the 'wasm' backend
 * as on the plain TypeScript 'js' backend: equal up to float32 rounding of the products (wasm sums in
 * float32, js in float64), exactly equal where the values are not float.
 */
export function expectBackendsAgree(f: (...xs: Tensor[]) => Tensor[], xs: readonly Tensor[], n: number, what: string): void {
  const f32 = xs.map((x) => (x.dtype === 'float64' ? x.float() : x));
  const want = runOn('js', f, f32, n);
  const got = runOn('wasm', f, f32, n);
  expect(got.length, `${what}: outputs`).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.shape, `${what}: shape of result ${i}`).toEqual(want[i]!.shape);
    expect(g.dtype, `${what}: dtype of result ${i}`).toBe(want[i]!.dtype);
    const exact = g.dtype !== 'float32';
    for (let j = 0; j < g.numel(); j++) {
      const [a, e] = [g.data[j]!, want[i]!.data[j]!];
      const ok = Number.isNaN(e) ? Number.isNaN(a) : exact || !Number.isFinite(e) ? a === e : Math.abs(a - e) <= 1e-5 * (1 + Math.abs(e));
      if (!ok) expect.fail(`${what}: result ${i} element ${j} is ${a} on wasm, ${e} on js`);
    }
  });
}

/** The fast-check runs of the backend-agreement property per row. */
export const BACKEND_RUNS = 10;

// ---- rows drawn from shapes and domains (elementwise, activation) ----------------------------

/** One op under test: how to call it, what to feed it, and which checks apply. */
export interface OpInfo<O = undefined> {
  /** The public op name; golden cases with this `op` are checked against this row. */
  name: string;
  /** The row's title when an op has several rows (gelu's two modes); its golden cases then run on the row without one. */
  label?: string;
  /** The op as a user calls it: tensors or numbers, then its options. */
  fn: (xs: TensorLike[], options: O) => Tensor;
  /** The number of tensor arguments. */
  arity: 1 | 2 | 3;
  /** One shape per argument (broadcast-compatible for binary and ternary ops), within `c`. */
  shapes: (c: ShapeConstraints) => fc.Arbitrary<number[][]>;
  /** Options to draw for given shapes (softmax's dim, clamp's bounds); none when omitted. */
  options?: (shapes: number[][]) => fc.Arbitrary<O>;
  /** Each argument's value range, or 'mask' for a 0/1 condition; [-3, 3] when omitted. */
  domain?: (TensorConstraints | 'mask')[];
  /** False when a sample sits within reach of a kink (|x| < 1e-3 for relu, ties for maximum); such samples are dropped. */
  avoidKinks?: (xs: Tensor[], options: O) => boolean;
  /** Whether the backward is itself differentiable here, so gradgradcheck applies. */
  secondOrder: boolean;
}

/** A drawn call: float64 tensors and options. */
export interface Sample<O> {
  xs: Tensor[];
  options: O;
}

/** The fast-check runs per property (kept small: the machine is shared). */
export const RUNS = { first: 30, second: 12 };

/** Shapes for first-order checks (the arbitraries' defaults: up to 3 dims of size 4) and smaller ones for second order. */
export const SHAPES = { first: {} as ShapeConstraints, second: { maxDims: 2, maxSize: 3 } as ShapeConstraints };

/** Random float64 arguments for `info`, within its domain and away from its kinks. */
export function samples<O>(info: OpInfo<O>, c: ShapeConstraints = SHAPES.first): fc.Arbitrary<Sample<O>> {
  return info
    .shapes(c)
    .chain((ss) =>
      fc.record({
        xs: fc.tuple(...ss.map((s, i) => arbArg(s, info.domain?.[i]))),
        options: info.options ? info.options(ss) : fc.constant(undefined as O),
      }),
    )
    .filter(({ xs, options }) => info.avoidKinks?.(xs, options) ?? true);
}

function arbArg(shape: number[], domain: TensorConstraints | 'mask' | undefined): fc.Arbitrary<Tensor> {
  if (domain !== 'mask') return arbTensor(shape, domain ?? {});
  return arbTensor(shape, { min: -1, max: 1 }).map((t) => new Tensor(t.data.map((v) => (v > 0 ? 1 : 0)), t.shape));
}

/** Whether every element of every tensor passes `test` (for kink filters). */
export function allValues(xs: readonly Tensor[], test: (v: number) => boolean): boolean {
  return xs.every((x) => x.data.every(test));
}

/** Whether no value is within 1e-3 of 0, the kink of relu and abs. */
export const awayFromZero = (xs: readonly Tensor[]): boolean => allValues(xs, (v) => Math.abs(v) > 1e-3);

/** Whether `a` and `b`, broadcast together, are more than `gap` apart everywhere (no ties for maximum). */
export function apart(a: Tensor, b: Tensor, gap = 1e-3): boolean {
  return noGrad(() => a.sub(b).abs().data.every((v) => v > gap));
}

/** One shape for a unary op. */
export const unaryShapes = (c: ShapeConstraints): fc.Arbitrary<number[][]> => arbShape(c).map((s) => [s]);

/** The row of a unary op without options, second order included unless `extra` says otherwise. */
export function unaryRow(name: string, op: (x: Tensor) => Tensor, extra: Partial<OpInfo> = {}): OpInfo {
  return { name, fn: ([x]) => op(x as Tensor), arity: 1, shapes: unaryShapes, secondOrder: true, ...extra };
}

/**
 * Runs the checks every row gets: the float64 gradcheck property, the golden cases of its op (at
 * least one), and the second-order gradgradcheck when the row is marked.
 */
export function describeOpInfos(opInfos: readonly OpInfo<any>[], golden: readonly GoldenCase[]): void {
  describe.each(opInfos.map((info) => [info.label ?? info.name, info] as const))('%s', (_label, info) => {
    it('gradient matches central differences (float64 property)', () => {
      fc.assert(
        fc.property(samples(info), ({ xs, options }) => gradcheck((...ts) => info.fn(ts, options), xs)),
        { numRuns: RUNS.first },
      );
    });

    it("gives the same values and gradients on the 'wasm' and 'js' backends (float32 property)", () => {
      fc.assert(
        fc.property(samples(info), ({ xs, options }) => expectBackendsAgree((...ts) => [info.fn(ts, options)], xs, xs.length, info.name)),
        { numRuns: BACKEND_RUNS },
      );
    });

    const cases = golden.filter((c) => c.op === info.name);
    if (info.label === undefined) {
      it(`matches PyTorch on ${cases.length} golden cases`, () => {
        expect(cases.length).toBeGreaterThan(0);
        for (const c of cases) checkGolden(info.fn, c);
      });
    }

    it.runIf(info.secondOrder)('second-order gradient matches central differences (float64 property)', () => {
      fc.assert(
        fc.property(samples(info, SHAPES.second), ({ xs, options }) => gradgradcheck((...ts) => info.fn(ts, options), xs)),
        { numRuns: RUNS.second },
      );
    });
  });
}

// ---- rows with their own sampler (reduce, movement, linalg, image) ---------------------------

/** An op as a function of its tensor inputs. */
export type Fn = (...xs: Tensor[]) => Tensor;

/** One op under test with the arbitrary that draws its inputs and options. */
export interface SampledOpInfo<O> {
  name: string;
  /** Random float64 inputs (index tensors included) and options, kept away from kinks. */
  sample: fc.Arbitrary<[Tensor[], O]>;
  /** The op, for given options, as a function of its tensor inputs. */
  fn: (o: O) => Fn;
  /** Every output compared with PyTorch (max's values and indices, split's pieces); `[fn]` by default. */
  outputs?: (o: O) => (...xs: Tensor[]) => Tensor[];
  /** What the gradient checks differentiate, when it is not `fn` itself. */
  check?: (o: O) => Fn;
  /** How many leading inputs are differentiable (the rest are indices, held fixed); all by default. */
  diff?: number;
  /** Whether to run the second-order check. */
  gradgrad?: boolean;
  /** Ops without a gradient (argmax): no gradient checks. */
  noGrad?: boolean;
}

/** A typed row, for a table of rows with different options. */
export const row = <O,>(info: SampledOpInfo<O>): SampledOpInfo<any> => info;

/** A dim valid for `ndim` dims, negative ones included (0-D tensors take 0 and -1, as in PyTorch). */
export const arbDim = (ndim: number): fc.Arbitrary<number> => fc.integer({ min: -Math.max(ndim, 1), max: Math.max(ndim, 1) - 1 });

/** One random float64 tensor (0 to 3 dims of size 1 to 4 unless constrained) and options drawn for its shape. */
export const withOptions = <O,>(options: (shape: number[]) => fc.Arbitrary<O>, c: ShapeConstraints = {}): fc.Arbitrary<[Tensor[], O]> =>
  arbShape(c).chain((shape) => fc.tuple(arbTensor(shape).map((x) => [x]), options(shape)));

/** How `describeSampledOpInfos` titles and sizes its tests. */
export interface SampledRun {
  /** What the gradcheck draws, as its title ends: `passes gradcheck in float64 over <over>`. */
  over: string;
  /** The golden test's title; 'matches PyTorch on the golden cases' by default. */
  goldenTitle?: string;
  /** fast-check runs of the first- and second-order properties. */
  runs: { first: number; second: number };
  /** Further tests per row, after the gradient checks (argmax stays off the tape). */
  more?: (info: SampledOpInfo<any>) => void;
}

/** The function gradient checks differentiate, and its inputs: index inputs stay fixed. */
function differentiable(info: SampledOpInfo<any>, [xs, o]: [Tensor[], unknown]): [Fn, Tensor[]] {
  const f = (info.check ?? info.fn)(o);
  const n = info.diff ?? xs.length;
  return [(...ds) => f(...ds, ...xs.slice(n)), xs.slice(0, n)];
}

/** Checks one golden case: every output, and the gradients of the differentiable inputs when recorded. */
function checkTableCase(info: SampledOpInfo<any>, c: TableCase): void {
  const what = `${info.name}(${JSON.stringify(c.opts)}) ${c.note}`;
  const inputs = c.inputs.map(fromJson);
  const run = info.outputs ?? ((o) => (...xs: Tensor[]) => [info.fn(o)(...xs)]);
  const outs = run(c.opts)(...inputs);
  expect(outs.length, what).toBe(c.outputs.length);
  outs.forEach((out, i) => expectClose(out, fromJson(c.outputs[i]!), `${what} output ${i}`));
  if (c.upstream === undefined) return;
  // The upstream gradients go to the leading outputs: max's values, not its indices.
  const upstream = ([] as JsonTensor[]).concat(c.upstream).map(fromJson);
  const n = info.diff ?? inputs.length;
  const leaves = inputs.map((x, i) => (i < n ? x.detach().requiresGrad_() : x));
  const gs = gradients(run(c.opts)(...leaves).slice(0, upstream.length), leaves.slice(0, n), { gradOutputs: upstream });
  gs.forEach((g, i) => expectClose(g, fromJson(c.grads![i]!), `${what} grad ${i}`));
}

/**
 * Runs the checks of every row: the float64 gradcheck property (unless `noGrad`), the second-order
 * gradgradcheck when marked, the row's further tests, and the golden cases of its op (at least one).
 */
export function describeSampledOpInfos(opInfos: readonly SampledOpInfo<any>[], golden: Record<string, TableCase[]>, run: SampledRun): void {
  describe.each(opInfos)('$name', (info) => {
    it.runIf(!info.noGrad)(`passes gradcheck in float64 over ${run.over}`, () => {
      fc.assert(fc.property(info.sample, (s) => gradcheck(...differentiable(info, s))), { numRuns: run.runs.first });
    });

    it.runIf(info.gradgrad === true)('passes the second-order gradgradcheck', () => {
      fc.assert(fc.property(info.sample, (s) => gradgradcheck(...differentiable(info, s))), { numRuns: run.runs.second });
    });

    it("gives the same values and gradients on the 'wasm' and 'js' backends (float32 property)", () => {
      const run = info.outputs ?? ((o) => (...xs: Tensor[]) => [info.fn(o)(...xs)]);
      fc.assert(
        fc.property(info.sample, ([xs, o]) => expectBackendsAgree(run(o), xs, info.noGrad ? 0 : info.diff ?? xs.length, info.name)),
        { numRuns: BACKEND_RUNS },
      );
    });

    run.more?.(info);

    it(run.goldenTitle ?? 'matches PyTorch on the golden cases', () => {
      const cases = golden[info.name] ?? [];
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases) checkTableCase(info, c);
    });
  });
}
