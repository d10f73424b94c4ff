import { Tensor, trustedTensor } from './tensor.js';
import { DlError } from './checks/error.js';
import { describe } from './checks/describe.js';
import { fmt } from './shape.js';
import { followVersion, storageVersion } from './version.js';
import { defaultDType, isFloat, type DType, type TypedArray } from './dtype.js';
import { k } from './kernels/index.js';
import { captureStack, checkAnomaly, checksForward, isAnomalyEnabled, isGradEnabled, swapGradMode, type Node } from './tape.js';
import { GpuArray, type GpuContext } from './kernels/webgpu/context.js';
import { cast as gpuCast } from './kernels/webgpu/elementwise.js';
import { gpuContext } from './device.js';
import { api, sig, userCall, type Checked, type ParamSpec } from './checks/guard.js';

/** What a forward may return: a finished tensor, or raw values and a shape from a kernel. */
export type ForwardResult = Tensor | { data: TypedArray | GpuArray; shape: readonly number[] };

/**
 * What the forward of an op declared with `defineOpWithAux` returns: raw values and a shape, and `aux`, the
 * op's other outputs (max's indices, max-pooling's argmax), which the caller and the backward receive.
 */
export interface ForwardWithAux<X> {
  data: TypedArray | GpuArray;
  shape: readonly number[];
  aux: X;
}

/**
 * The tensor inputs of an op, as a tuple type that names them, e.g. `[x: Tensor]` or
 * `[x: Tensor, weight: Tensor, bias?: Tensor]` (a trailing input may be left out); any number of tensors
 * (`Tensor[]`) when an op does not say.
 */
export type OpInputs = readonly (Tensor | undefined)[];

/** What a backward rule receives. */
export interface BackwardContext<A, I extends OpInputs = Tensor[]> {
  /** The gradient of the loss with respect to the op's output. */
  grad: Tensor;
  /** The op's inputs as they were at forward time. */
  inputs: I;
  /** The op's output. */
  output: Tensor;
  /** The op's non-tensor arguments. */
  attrs: A;
  /** For each input, whether its gradient is needed; rules may return null where it is not. */
  needsInputGrad: boolean[];
}

/** What the backward rule of an op declared with `defineOpWithAux` receives: also the forward's `aux`. */
export interface BackwardContextWithAux<A, I extends OpInputs, X> extends BackwardContext<A, I> {
  /** The forward's other outputs. */
  aux: X;
}

/** The declaration of a differentiable op: a forward on raw values, a backward written in ops. */
export interface OpSpec<A, I extends OpInputs = Tensor[]> {
  /** The op's name, used in errors and in `gradFn`. */
  name: string;
  /** Computes the output from the inputs' values; runs without recording. */
  forward: (inputs: I, attrs: A) => ForwardResult;
  /**
   * The gradient of each input, written with differentiable ops so that `createGraph` gives
   * higher-order gradients. Gradients may have the output's broadcast shape: the tape sums them down
   * to each input's shape. Omit for ops without a gradient (comparisons, argmax).
   */
  backward?: (ctx: BackwardContext<A, I>) => (Tensor | null)[];
  /**
   * Which values the backward reads: `'inputs'`, `'output'`, `'both'` (the default, the safe choice) or
   * `'none'` (it needs only shapes and attributes, as add and reshape do). A backward throws when a
   * tensor it reads was changed in place after the forward (see `markModified`); the others may change.
   */
  saves?: 'inputs' | 'output' | 'both' | 'none';
  /**
   * Which dtypes the forward takes: `'float'` (the default) converts int32 and bool inputs to float
   * first (to the float dtype of the other inputs, else float32), as PyTorch's float functions do (`exp`
   * of an int tensor is float); `'any'` passes every input as it is (movement, indexing, comparisons,
   * add/sub/mul, sums). Outputs that are not float are never recorded: they carry no gradient.
   */
  dtypes?: 'float' | 'any';
  /**
   * The forward for inputs on `'webgpu'` (issue 13): encodes GPU kernels on `gpu` and returns GPU
   * storage, or `'same'` when `forward` is written in ops and so runs on any device. A built-in op
   * without it is CPU-only and says so when given a GPU tensor; a custom op without it runs `forward`
   * (which works on the GPU when it is written in ops).
   */
  webgpu?: ((inputs: I, attrs: A, gpu: GpuContext) => ForwardResult) | 'same';
}

/** A declared op: call it with its tensor inputs and attributes. */
export type Op<A, I extends OpInputs = Tensor[]> = (inputs: I, attrs: A) => Tensor;

/**
 * The declaration of an op together with its public function (`defineOp` then returns that function):
 * `params` are the function's parameters, which the shared checker checks (PyTorch's calling forms rewritten)
 * before `call` turns them into the op's inputs and attributes.
 */
export interface PublicOpSpec<A, I extends OpInputs, P extends unknown[]> extends OpSpec<A, I> {
  /** The public function's parameters as `sig` takes them, `[name, kind]` pairs: `[['x', checks.tensor]]`. */
  params: readonly ParamSpec[];
  /**
   * The checked arguments as `[inputs, attrs]`: numbers made tensors (`operands`), options read, and the
   * checks that need several arguments or their shapes (which throw a `DlError` naming the op).
   */
  call: (...args: P) => readonly [inputs: I, attrs: A];
  /**
   * The output is a view of input 0 in PyTorch (permute): in-place changes to that input count against
   * saved copies of the output, as they would against the input itself.
   */
  view?: boolean;
}

/** The public function of an op declared with `params` and `call`; `op` is the op itself, `(inputs, attrs) => Tensor`. */
export type PublicOp<A, I extends OpInputs, P extends unknown[]> = Checked<(...args: P) => Tensor> & { readonly op: Op<A, I> };

/**
 * The declaration of an op with other outputs besides its differentiable one (`defineOpWithAux`): as
 * `OpSpec`, but the forward (and the GPU forward, which has no 'same' form) returns `ForwardWithAux`, and
 * the backward also receives `aux`.
 */
export interface OpSpecWithAux<A, I extends OpInputs, X> extends Omit<OpSpec<A, I>, 'forward' | 'backward' | 'webgpu'> {
  forward: (inputs: I, attrs: A) => ForwardWithAux<X>;
  backward?: (ctx: BackwardContextWithAux<A, I, X>) => (Tensor | null)[];
  webgpu?: (inputs: I, attrs: A, gpu: GpuContext) => ForwardWithAux<X>;
}

/** A declared op with other outputs besides its differentiable one: call it for both. */
export type OpWithAux<A, I extends OpInputs, X> = (inputs: I, attrs: A) => { output: Tensor; aux: X };

/**
 * The one way to declare a differentiable op, built-in or custom (PyTorch's `autograd.Function`):
 * forward and backward sit together, and calls are recorded on the tape when an input requires grad.
 * The second type argument names the inputs (`[x: Tensor]`), so `forward` and `backward` destructure them as
 * tensors (under `noUncheckedIndexedAccess` too); left out, an op takes any list of tensors.
 *
 * Given `params` and `call`, it returns the op's public function: arguments checked by the shared checker,
 * errors named after the op, and the op itself as its `op`. Else it returns the op, called with a list of
 * tensor inputs and the attributes. The public form takes its types from `call` (its parameters, and the
 * `[inputs, attrs]` it returns), not from type arguments; an op whose backward calls its own function
 * declares the constant's type, `PublicOp<Attrs, Inputs, Params>` (TypeScript does not infer a constant
 * from its own initializer).
 * @example
 * const cube = defineOp({
 *   name: 'cube',
 *   params: [['x', checks.tensor]],
 *   call: (x: Tensor) => [[x], undefined],
 *   forward: ([x]) => mul(mul(x, x), x),
 *   backward: ({ grad, inputs: [x] }) => [mul(grad, mul(3, mul(x, x)))],
 * });
 * const y = cube(x); // cube.op([x], undefined) records the same op without the argument checks
 */
export function defineOp<A, I extends OpInputs | [], P extends unknown[]>(spec: PublicOpSpec<A, I, P>): PublicOp<A, I, P>;
export function defineOp<A = undefined, I extends OpInputs = Tensor[]>(spec: OpSpec<A, I>): Op<A, I>;
export function defineOp<A, I extends OpInputs, P extends unknown[]>(spec: OpSpec<A, I> | PublicOpSpec<A, I, P>): Op<A, I> | PublicOp<A, I, P> {
  const op = declare(spec) as unknown as Op<A, I>;
  if (!('call' in spec)) return op;
  const { call, view = false } = spec;
  const run = (args: P): Tensor => {
    const [inputs, attrs] = call(...args);
    const output = op(inputs, attrs);
    if (view) followVersion(output, inputs[0]!);
    return output;
  };
  // A user's call and forward are the user's code: their errors pass through as they are (see userCall),
  // while the argument checks before them name the op. A built-in op's errors name it.
  const custom = !definingBuiltins;
  const fn = api(sig(spec.name, ...spec.params), (...args: P): Tensor => (custom ? userCall(() => run(args)) : run(args)));
  Object.defineProperty(fn, 'op', { value: op });
  return fn as PublicOp<A, I, P>;
}

/**
 * `defineOp` for an op with other outputs besides its differentiable one, such as max's indices or
 * max-pooling's argmax: its forward returns them as `aux`, a call returns `{ output, aux }`, and the
 * backward reads them as `ctx.aux` (they are the op's results, not attributes the forward writes into).
 * @example
 * const maxRows = defineOpWithAux<undefined, [x: Tensor], Int32Array>({ name: 'maxRows', forward: ([x]) => { ... return { data, shape, aux: argmax }; }, ... });
 * const { output, aux: argmax } = maxRows([x], undefined);
 */
export function defineOpWithAux<A, I extends OpInputs, X>(spec: OpSpecWithAux<A, I, X>): OpWithAux<A, I, X> {
  const run = declare(spec as unknown as OpSpec<A, I>);
  return (inputs, attrs) => {
    const box: AuxBox = { aux: undefined };
    const output = run(inputs as unknown as Tensor[], attrs, box);
    const { aux } = box;
    if (aux === undefined) {
      throw new DlError(spec.name, `the forward of '${spec.name}' returned no aux: an op declared with defineOpWithAux returns { data, shape, aux }`, { hint: 'declare it with defineOp when it has no other outputs' });
    }
    return { output, aux: aux as X };
  };
}

/** Where a declared op's call puts its forward's aux, for `defineOpWithAux` (plain ops pass none). */
interface AuxBox {
  aux: unknown;
}

function declare<A, I extends OpInputs>(spec: OpSpec<A, I>): (inputs: Tensor[], attrs: A, box?: AuxBox) => Tensor {
  // Inside, inputs are a plain list (an optional input left out is simply absent): I types the op's surface.
  const forward = spec.forward as unknown as (inputs: Tensor[], attrs: A) => ForwardResult;
  const backward = spec.backward as unknown as Rule<A> | undefined;
  const { name } = spec;
  // Built-in forwards return their own storage or an input's typed array itself; a user's forward may
  // return a view (subarray) of an input's buffer, which must share that input's version and is not fresh.
  const custom = !definingBuiltins;
  const saves = spec.saves ?? 'both';
  const savesInputs = saves === 'inputs' || saves === 'both';
  const savesOutput = saves === 'output' || saves === 'both';
  const floatOnly = spec.dtypes !== 'any';
  const onGpu = spec.webgpu === 'same' || (spec.webgpu === undefined && custom)
    ? (xs: Tensor[], a: A) => forward(xs, a)
    : spec.webgpu as unknown as ((inputs: Tensor[], attrs: A, gpu: GpuContext) => ForwardResult) | undefined;
  return (given, attrs, box) => {
    let inputs = given;
    let gpu: GpuContext | null = null;
    for (let i = 0; i < inputs.length; i++) {
      if (inputs[i] === undefined) {
        inputs = withoutTrailingGaps(name, inputs);
        if (i >= inputs.length) break;
      }
      if (inputs[i]!.device !== 'cpu') {
        gpu = gpuContext(name);
        inputs = sameDevice(name, inputs, gpu);
        break;
      }
    }
    if (floatOnly) inputs = floatInputs(inputs, gpu);
    const prev = swapGradMode(false);
    let raw: ForwardResult;
    try {
      if (gpu === null) raw = forward(inputs, attrs);
      else if (onGpu !== undefined) raw = onGpu(inputs, attrs, gpu);
      else throw new DlError(name, `the op '${name}' has no webgpu kernel yet: inputs of shapes ${inputs.map((t) => fmt(t.shape)).join(', ')} are on 'webgpu'`, { hint: 'run this part on the CPU: move the tensors with await t.cpuAsync()' });
    } finally {
      swapGradMode(prev);
    }
    // A built-in forward's result is trusted (its op table tests it); a user's is checked.
    const result = custom ? checkForwardResult(name, raw) : raw;
    const aux = result instanceof Tensor ? undefined : (result as { aux?: unknown }).aux;
    const output = trustedTensor(result instanceof Tensor ? result.storage : result.data, result.shape);
    const data = output.storage;
    const viewOf = custom && !(raw instanceof Tensor) ? inputs.find((t) => t.storage.buffer === data.buffer) : undefined;
    if (viewOf !== undefined) followVersion(output, viewOf);
    if (freshStorage !== null && !(raw instanceof Tensor) && viewOf === undefined && inputs.every((t) => t.storage !== data)) freshStorage.add(data);
    // Anomaly mode only: without it no stack is captured and no value is scanned.
    const stack = isAnomalyEnabled() ? captureStack() : undefined;
    if (stack !== undefined && checksForward()) checkAnomaly(name, output, stack);
    if (box !== undefined) box.aux = aux;
    if (backward === undefined || !isGradEnabled() || !isFloat(output.dtype)) return output;
    const n = inputs.length;
    let needed = 0;
    for (let i = 0; i < n; i++) if (inputs[i]!.requiresGrad) needed++;
    if (needed === 0) return output;
    const needsInputGrad = needed === n ? allTrue(n) : inputs.map((t) => t.requiresGrad);
    // −1 marks a tensor whose values the backward does not read, so in-place changes to it are fine.
    let versions: readonly number[];
    if (!savesInputs && !savesOutput) {
      versions = noneRead(n);
    } else {
      const v = new Array<number>(n + 1);
      for (let i = 0; i < n; i++) v[i] = savesInputs ? storageVersion(inputs[i]!) : -1;
      v[n] = savesOutput ? storageVersion(output) : -1;
      versions = v;
    }
    output.requiresGrad = true;
    output.gradFn = new OpNode(name, inputs, needsInputGrad, versions, stack, backward, attrs, aux, output, custom);
    return output;
  };
}

/** A backward rule as the engine calls it, on the recorded list of inputs. */
type Rule<A> = (ctx: BackwardContextWithAux<A, Tensor[], unknown>) => (Tensor | null)[];

/**
 * A recorded call of a declared op: its inputs, what its rule reads (attributes, output) and the rule;
 * one object per call, without a closure.
 */
class OpNode<A> implements Node {
  walk = 0;
  #rule: Rule<A> | null;
  #attrs: A | undefined;
  #aux: unknown;
  #output: Tensor | null;

  constructor(
    readonly op: string,
    public inputs: readonly Tensor[],
    readonly needsInputGrad: readonly boolean[],
    readonly versions: readonly number[],
    readonly stack: string | undefined,
    rule: Rule<A>,
    attrs: A,
    aux: unknown,
    output: Tensor,
    readonly custom: boolean,
  ) {
    this.#rule = rule;
    this.#attrs = attrs;
    this.#aux = aux;
    this.#output = output;
  }

  get freed(): boolean {
    return this.#rule === null;
  }

  backward(grad: Tensor): (Tensor | null)[] {
    const rule = this.#rule;
    if (rule === null) throw new DlError(`backward: '${this.op}' was freed by an earlier backward`);
    const inputs = this.inputs as Tensor[];
    const grads = rule({ grad, inputs, output: this.#output!, attrs: this.#attrs as A, needsInputGrad: this.needsInputGrad as boolean[], aux: this.#aux });
    // A built-in rule's result is trusted (its op table tests it); the engine still checks dtypes and shapes.
    return this.custom ? checkBackwardResult(this.op, inputs, grads) : grads;
  }

  free(): void {
    // A freed node lets go of its inputs, so a kept output (a loss pushed to a list) does not keep
    // the graph's activations alive.
    this.#rule = null;
    this.#attrs = undefined;
    this.#aux = undefined;
    this.#output = null;
    this.inputs = [];
  }
}

/**
 * The inputs without their trailing `undefined`s: an optional input (`bias?: Tensor`) given as undefined is
 * left out, as if not given. An undefined before a tensor is an error naming the op and the position.
 */
function withoutTrailingGaps(name: string, inputs: Tensor[]): Tensor[] {
  let n = inputs.length;
  while (n > 0 && inputs[n - 1] === undefined) n--;
  const gap = inputs.findIndex((t, i) => i < n && t === undefined);
  if (gap >= 0) throw new DlError(name, `input ${gap} of '${name}' is undefined, but input ${n - 1} after it is given: only trailing inputs may be left out`);
  return inputs.slice(0, n);
}

// Shared, frozen flag arrays for the common cases: every input needs a gradient; the rule reads no values.
const allTrues: (readonly boolean[])[] = [];
const noneReads: (readonly number[])[] = [];

function allTrue(n: number): readonly boolean[] {
  return (allTrues[n] ??= Object.freeze(new Array<boolean>(n).fill(true)));
}

function noneRead(n: number): readonly number[] {
  return (noneReads[n] ??= Object.freeze(new Array<number>(n + 1).fill(-1)));
}

// True while @dl/autograd's own modules load (their ops are the built-in ones); index.ts ends it.
let definingBuiltins = true;

/** @internal Marks the end of the built-in op definitions: ops defined from here on are users'. */
export function endBuiltinDefinitions(): void {
  definingBuiltins = false;
}

// While a backward runs: the storage (typed arrays) that kernels allocated for op outputs (not an input's).
let freshStorage: Set<TypedArray | GpuArray> | null = null;

/** @internal Starts (a Set) or stops (null) collecting the storage ops allocate; returns the previous collector. */
export function collectFreshStorage(into: Set<TypedArray | GpuArray> | null): Set<TypedArray | GpuArray> | null {
  const prev = freshStorage;
  freshStorage = into;
  return prev;
}

/**
 * The inputs of an op given a GPU tensor, all on the GPU: a 0-dim CPU tensor (a number an op turned into
 * a scalar, as PyTorch lets CPU scalars meet CUDA tensors) is uploaded; any other CPU tensor is an error
 * that names both devices.
 */
function sameDevice(name: string, inputs: Tensor[], gpu: GpuContext): Tensor[] {
  const at = inputs.findIndex((t) => t.device !== 'cpu');
  return inputs.map((t, i) => {
    if (t.device !== 'cpu') return t;
    if (t.ndim === 0 && t.dtype !== 'float64') return trustedTensor(gpu.scalar(t.data as Float32Array | Int32Array | Uint8Array), []);
    throw new DlError(name, `expected all tensors on one device, but input ${at} (shape ${fmt(inputs[at]!.shape)}) is on '${inputs[at]!.device}' and input ${i} (shape ${fmt(t.shape)}) is on 'cpu'`, {
      hint: `move it with .to('${inputs[at]!.device}')`,
    });
  });
}

/** The inputs with int32 and bool ones converted to the float dtype of the others (float32 when none is float). */
function floatInputs(inputs: Tensor[], gpu: GpuContext | null): Tensor[] {
  let target: DType | undefined;
  let integral = false;
  for (const t of inputs) {
    if (isFloat(t.dtype)) target ??= t.dtype;
    else integral = true;
  }
  if (!integral) return inputs;
  const to = target ?? defaultDType;
  // Integer and bool tensors never require grad, so a raw copy loses no gradient.
  if (gpu !== null) return inputs.map((t) => (isFloat(t.dtype) ? t : trustedTensor(gpuCast(gpu, t.storage as GpuArray, 'float32'), t.shape)));
  return inputs.map((t) => (isFloat(t.dtype) ? t : new Tensor(k.cast(t.data, to), t.shape)));
}

/** What a forward returned: a tensor, or `{ data, shape }` with a Float32Array or Float64Array; anything else names the op. */
function checkForwardResult(name: string, r: unknown): ForwardResult {
  if (r instanceof Tensor) return r;
  const o = r as { data?: unknown; shape?: unknown } | null;
  const typed = o?.data instanceof GpuArray || o?.data instanceof Float32Array || o?.data instanceof Float64Array || o?.data instanceof Int32Array || o?.data instanceof Uint8Array;
  if (typeof o !== 'object' || o === null || !typed || !Array.isArray(o.shape)) {
    throw new DlError(name, `the forward of '${name}' must return a Tensor or { data: Float32Array | Float64Array | Int32Array | Uint8Array, shape }, got ${describe(r)}`, {
      hint: typeof r === 'number' ? 'wrap a number as tensor([value]) or build the output with ops' : undefined,
    });
  }
  for (const size of o.shape as unknown[]) {
    if (!Number.isInteger(size) || (size as number) < 0) {
      throw new DlError(name, `the forward of '${name}' returned shape ${fmt(o.shape as number[])}: sizes must be non-negative integers`);
    }
  }
  if (o.data instanceof Uint8Array) {
    const bad = o.data.findIndex((v) => v > 1);
    if (bad >= 0) throw new DlError(name, `the forward of '${name}' returned a bool (Uint8Array) output holding ${o.data[bad]} at ${bad}; bools are 0 or 1`);
  }
  return o as ForwardResult;
}

/**
 * What a backward returned: an array with one entry per input, each a tensor or null; a gradient's
 * dtype is its input's and its shape the input's or one the input broadcasts to (the tape sums it down).
 */
function checkBackwardResult(name: string, inputs: readonly Tensor[], grads: unknown): (Tensor | null)[] {
  const n = inputs.length;
  const per = `one per input (${n}), null where an input gets none`;
  if (!Array.isArray(grads)) {
    throw new DlError(name, `the backward of '${name}' must return an array of gradients, ${per}; got ${describe(grads)}`, {
      hint: grads instanceof Tensor ? 'wrap it: return [grad]' : undefined,
    });
  }
  // As PyTorch's Function, extra trailing nulls are fine (a rule shared by ops with an optional input).
  if (grads.length < n || grads.slice(n).some((g) => g !== null)) {
    throw new DlError(name, `the backward of '${name}' returned ${grads.length} gradient${grads.length === 1 ? '' : 's'} for ${n} input${n === 1 ? '' : 's'}; return ${per}`);
  }
  grads.forEach((g: unknown, i) => {
    if (g === null) return;
    if (!(g instanceof Tensor)) {
      throw new DlError(name, `the backward of '${name}' returned ${describe(g)} as the gradient of input ${i}; expected a Tensor or null`);
    }
    const x = inputs[i]!;
    const lead = g.ndim - x.ndim;
    const fits = lead >= 0 && x.shape.every((s, j) => s === g.shape[lead + j] || s === 1);
    if (!fits) {
      throw new DlError(name, `the backward of '${name}' returned a gradient of shape ${fmt(g.shape)} for input ${i} of shape ${fmt(x.shape)}; it must have the input's shape (or one the input broadcasts to)`);
    }
    if (g.dtype !== x.dtype) {
      throw new DlError(name, `the backward of '${name}' returned a ${g.dtype} gradient for input ${i}, a ${x.dtype} tensor`, {
        hint: x.isLeaf ? 'was the input converted in place, e.g. by model.double(), after the forward? run the forward again' : `convert it with .to('${x.dtype}')`,
      });
    }
  });
  return (grads.length === n ? grads : grads.slice(0, n)) as (Tensor | null)[];
}
