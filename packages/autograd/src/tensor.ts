import { DlError } from './checks/error.js';
import { backwardSig, checkConstructor, checkGrad, checkHook, checkRequiresGrad, requiresGradSig, sizeSig } from './checks/tensor.js';
import { checkCall, guard } from './checks/guard.js';
import { allocate, dtypeOf, type DType, type TypedArray } from './dtype.js';
import { GpuArray } from './kernels/webgpu/context.js';
import { readGpu, type Device } from './device.js';
import { fmt, numel, normalizeDim, type Shape } from './shape.js';
import type { Node } from './tape.js';
import { runBackward, type BackwardOptions } from './engine.js';
import { formatTensor } from './format.js';
import * as ew from './ops/elementwise.js';
import * as act from './ops/activation.js';
import * as red from './ops/reduce.js';
import * as la from './ops/linalg.js';
import * as mv from './ops/movement.js';
import * as ix from './ops/indexing.js';
import * as cmp from './ops/compare.js';
import * as cu from './ops/cumulative.js';
import * as so from './ops/sorting.js';
import * as sh from './ops/shaping.js';
import * as lx from './ops/linalgExtra.js';
import * as rd from './ops/rounding.js';
import * as smp from './ops/sampling.js';
import * as ip from './ops/inplace.js';
import * as sel from './ops/select.js';
import type * as ixe from './ops/indexExpr.js';

/** A tensor argument: a tensor, or a number standing for a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** A gradient hook: reads a gradient on its way back, and may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

/** Sizes given one by one (`x.reshape(2, 3)`) or as one array (`x.reshape([2, 3])`, PyTorch's tuple form). */
function sizes(args: readonly unknown[]): number[] {
  return (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as number[];
}

const noOptions: { requiresGrad?: boolean } = Object.freeze({});
// Set for the one construction that follows, by `trustedTensor`: the tape's own outputs skip the argument check.
let trusted = false;

/**
 * @internal A tensor whose `data` is a typed array and whose shape holds non-negative integers, both
 * made by the caller (an op's output): it skips the constructor's argument checks (the shape's size is
 * still checked against the data).
 */
export function trustedTensor(data: TypedArray | GpuArray, shape: Shape): Tensor {
  trusted = true;
  return new Tensor(data as TypedArray, shape);
}

/** The DlError for a synchronous read of a tensor whose values are on the GPU, naming the async call to use. */
function gpuRead(t: Tensor, what: string, instead: string): DlError {
  return new DlError(what, `the tensor (shape ${fmt(t.shape)}) is on '${t.device}': its values are in GPU memory and are read asynchronously`, {
    hint: `use ${instead}, or move it with await t.cpuAsync()`,
  });
}

/** A handle that removes what registered it. */
export interface RemovableHandle {
  remove(): void;
}

/**
 * An n-dimensional array of float32, float64, int32 or bool values; float tensors have a place on the
 * autograd tape.
 * Values are contiguous, row-major, in `data`; ops return new tensors (reshape may share `data`).
 * @example
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward(); // x.grad = 2x
 */
export class Tensor {
  /** @internal The values: a typed array on the CPU, a GPU buffer on 'webgpu'. */
  readonly storage: TypedArray | GpuArray;
  /** Where the values live: `'cpu'` or `'webgpu'` (PyTorch's `device`). */
  readonly device: Device;
  /**
   * The values, row-major, on the CPU. Optimizers update them in place. A tensor on `'webgpu'` has
   * none here: reading it throws and names the async read to use (`await t.dataAsync()`).
   */
  get data(): TypedArray {
    if (this.device !== 'cpu') throw gpuRead(this, 'data', 'await t.dataAsync()');
    return this.storage as TypedArray;
  }
  /** The size of each dimension. */
  readonly shape: readonly number[];
  /** `'float32'`, `'float64'`, `'int32'` or `'bool'`. */
  readonly dtype: DType;
  #requiresGrad = false;
  /** Whether gradients flow to this tensor. Set it on float leaves; ops set it on their outputs. */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }
  set requiresGrad(value: boolean) {
    if (value) checkRequiresGrad(this, 'requiresGrad');
    this.#requiresGrad = value;
  }
  #grad: Tensor | null = null;
  /**
   * The accumulated gradient, after `backward()`, on leaves that require grad (and on `retainGrad`
   * tensors). Assigning one of another dtype or shape is refused, naming both.
   */
  get grad(): Tensor | null {
    return this.#grad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) checkGrad(this, g);
    this.#grad = g;
  }
  /** The tape node that produced this tensor, or null for a leaf. */
  gradFn: Node | null = null;
  /** @internal whether `retainGrad()` was called. */
  retainsGrad = false;
  /** @internal hooks registered with `registerHook`, in order. */
  hooks: GradHook[] | null = null;
  /** @internal the tensor whose in-place changes also count against this one (a view's base; see `followVersion`). */
  versionBase: Tensor | null = null;

  /** Wraps `data` (not copied) with `shape`; prefer the `tensor()` factory. */
  constructor(data: TypedArray, shape: Shape, options: { requiresGrad?: boolean } = noOptions) {
    if (trusted) {
      trusted = false;
    } else {
      checkConstructor(data, shape, options);
      for (const s of shape) {
        if (!Number.isInteger(s) || s < 0) throw new DlError(`Tensor: invalid shape ${fmt(shape)}: sizes must be non-negative integers`);
      }
    }
    if (numel(shape) !== data.length) {
      throw new DlError(`Tensor: shape ${fmt(shape)} needs ${numel(shape)} values but got ${data.length}`);
    }
    this.storage = data;
    // Another tensor's (frozen) shape is shared as it is; any other array is copied.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    if ((data as TypedArray | GpuArray) instanceof GpuArray) {
      this.device = 'webgpu';
      this.dtype = (data as unknown as GpuArray).dtype;
    } else {
      this.device = 'cpu';
      this.dtype = dtypeOf(data);
    }
    if (options.requiresGrad) {
      checkRequiresGrad(this, 'Tensor');
      this.#requiresGrad = true;
    }
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Whether this tensor was created by the user rather than by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }
  /** The number of elements. */
  numel(): number {
    return this.storage.length;
  }
  /** The shape, or the size of one dimension (negative dims count from the end). */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): readonly number[] | number {
    checkCall(sizeSig, arguments);
    return dim === undefined ? this.shape : this.shape[normalizeDim('size', dim, this.ndim)]!;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.storage.length !== 1) {
      throw new DlError(`item: a tensor of shape ${fmt(this.shape)} has ${this.storage.length} elements, not 1`);
    }
    if (this.device !== 'cpu') throw gpuRead(this, 'item', 'await t.itemAsync()');
    return this.data[0]!;
  }
  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    if (this.device !== 'cpu') throw gpuRead(this, 'toArray', 'await t.toArrayAsync()');
    return nested(this.data, this.shape);
  }
  /**
   * The values as a typed array on the CPU, on any device: a copy read back from the GPU once the
   * queued work has run, or `data` itself on the CPU. PyTorch users know it as `t.cpu().numpy()`.
   * @example const values = await logits.dataAsync();
   */
  async dataAsync(): Promise<TypedArray> {
    return this.device === 'cpu' ? this.data : readGpu(this.storage as GpuArray);
  }
  /** `toArray()` on any device: awaits a read of the values from the GPU. */
  async toArrayAsync(): Promise<NestedArray> {
    return nested(await this.dataAsync(), this.shape);
  }
  /** `item()` on any device: awaits a read of the one value from the GPU. @example const l = await loss.itemAsync(); */
  async itemAsync(): Promise<number> {
    if (this.storage.length !== 1) {
      throw new DlError(`itemAsync: a tensor of shape ${fmt(this.shape)} has ${this.storage.length} elements, not 1`);
    }
    return (await this.dataAsync())[0]!;
  }
  /**
   * A copy on the CPU (PyTorch's `t.cpu()`, which waits for the GPU; here the wait is a Promise). The
   * copy is a new leaf: gradients do not flow back to the GPU through it.
   */
  async cpuAsync(): Promise<Tensor> {
    return this.device === 'cpu' ? this : new Tensor(await this.dataAsync(), this.shape);
  }
  /** PyTorch-style text: `tensor([[1., 2.], ...], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }
  /** A copy with its own values, still on the tape (the gradient flows through). */
  clone(): Tensor {
    return mv.clone(this);
  }
  /** The same values off the tape: a new leaf that shares `data` and does not require grad. */
  detach(): Tensor {
    return trustedTensor(this.storage, this.shape);
  }
  /**
   * Converts to a dtype or moves to a device (differentiable); returns this tensor when it is there
   * already. `to('webgpu')` uploads (after `await initWebGpu()`); the way back is `await t.cpuAsync()`,
   * since reading the GPU is asynchronous.
   * @example const w = randn([784, 10]).to('webgpu').requiresGrad_();
   */
  to(dtypeOrDevice: DType | Device): Tensor {
    if (dtypeOrDevice === 'cpu' || dtypeOrDevice === 'webgpu') return mv.toDevice(this, dtypeOrDevice);
    if (typeof dtypeOrDevice === 'string' && /^(cuda|mps|gpu)(:\d+)?$/.test(dtypeOrDevice)) {
      throw new DlError('to', `unknown device '${dtypeOrDevice}' (expected 'cpu' or 'webgpu')`, { hint: "dl's GPU device is 'webgpu' (await initWebGpu() first)" });
    }
    return mv.toDType(this, dtypeOrDevice);
  }
  /** A float32 copy (this tensor when it is float32 already), as PyTorch's `float()`. */
  float(): Tensor { return mv.toDType(this, 'float32'); }
  /** A float64 copy, as PyTorch's `double()`. */
  double(): Tensor { return mv.toDType(this, 'float64'); }
  /** An int32 copy; floats are truncated toward zero, as PyTorch's `int()`. */
  int(): Tensor { return mv.toDType(this, 'int32'); }
  /**
   * An int32 copy, for PyTorch's `long()`: dl's integer dtype is int32 (exact up to 2^31 − 1), so
   * index and label tensors that PyTorch makes int64 are int32 here.
   */
  long(): Tensor { return mv.toDType(this, 'int32'); }
  /** A bool copy: true where the value is not 0 (NaN included), as PyTorch's `bool()`. */
  bool(): Tensor { return mv.toDType(this, 'bool'); }
  /** Whether the dtype is float32 or float64, as PyTorch's `is_floating_point()`. */
  isFloatingPoint(): boolean { return this.dtype === 'float32' || this.dtype === 'float64'; }
  /** Sets `requiresGrad` on a leaf, in place, and returns it. */
  requiresGrad_(requiresGrad = true): this {
    checkCall(requiresGradSig, arguments);
    if (requiresGrad) checkRequiresGrad(this, 'requiresGrad_');
    if (!this.isLeaf && !requiresGrad) {
      throw new DlError(`requiresGrad_: cannot turn off gradients of a non-leaf tensor (made by '${this.gradFn!.op}'); use detach()`);
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Backpropagates from this tensor, accumulating into `.grad` of the leaves that require grad.
   * A non-scalar tensor needs `gradient`, the gradient of the loss with respect to it. Options may come
   * first when there is no gradient: `loss.backward({ retainGraph: true })`.
   */
  backward(gradient?: Tensor | BackwardOptions, options: BackwardOptions = {}): void {
    checkCall(backwardSig, arguments);
    guard('backward', () => this.#backward(gradient, options));
  }
  #backward(gradient: Tensor | BackwardOptions | undefined, options: BackwardOptions): void {
    if (gradient !== undefined && !(gradient instanceof Tensor)) {
      if (typeof gradient !== 'object' || gradient === null) {
        throw new DlError(`backward: expected a gradient tensor or an options object, got ${gradient === null ? 'null' : typeof gradient}`);
      }
      options = gradient;
      gradient = undefined;
    }
    if (!this.requiresGrad) {
      throw new DlError('backward: this tensor does not require grad and has no gradFn (did an op run inside noGrad, or on detached inputs?)');
    }
    if (gradient === undefined) {
      if (this.storage.length !== 1) {
        throw new DlError(`backward: a gradient argument is needed for a non-scalar output of shape ${fmt(this.shape)}`);
      }
      gradient = new Tensor(allocate(this.dtype, 1).fill(1), this.shape);
      if (this.device !== 'cpu') gradient = mv.toDevice(gradient, this.device);
    } else if (gradient.shape.join() !== this.shape.join()) {
      throw new DlError(`backward: gradient of shape ${fmt(gradient.shape)} does not match the output shape ${fmt(this.shape)}`);
    }
    if (gradient.dtype !== this.dtype) {
      throw new DlError(`backward: the gradient is ${gradient.dtype} but the output is ${this.dtype}; convert it with .to('${this.dtype}')`);
    }
    if (gradient.device !== this.device) {
      throw new DlError(`backward: the gradient is on '${gradient.device}' but the output is on '${this.device}'; move it with .to('${this.device}')`);
    }
    runBackward([this], [gradient], options);
  }
  /** Keeps this non-leaf tensor's gradient in `.grad` after `backward()`. */
  retainGrad(): void {
    if (!this.requiresGrad) throw new DlError('retainGrad: this tensor does not require grad');
    this.retainsGrad = true;
  }
  /** Calls `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it. */
  registerHook(hook: GradHook): RemovableHandle {
    checkHook(hook);
    if (!this.requiresGrad) throw new DlError('registerHook: cannot register a hook on a tensor that does not require grad');
    (this.hooks ??= []).push(hook);
    return { remove: () => void (this.hooks = this.hooks!.filter((h) => h !== hook)) };
  }

  // Elementwise (ops/elementwise.ts)
  add(other: TensorLike): Tensor { return ew.add(this, other); }
  sub(other: TensorLike): Tensor { return ew.sub(this, other); }
  mul(other: TensorLike): Tensor { return ew.mul(this, other); }
  div(other: TensorLike): Tensor { return ew.div(this, other); }
  pow(exponent: TensorLike): Tensor { return ew.pow(this, exponent); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  sin(): Tensor { return ew.sin(this); }
  cos(): Tensor { return ew.cos(this); }
  erf(): Tensor { return ew.erf(this); }
  sign(): Tensor { return ew.sign(this); }
  clamp(...args: ew.ClampArgs): Tensor { return (ew.clamp as (x: Tensor, ...a: ew.ClampArgs) => Tensor)(this, ...args); }
  maximum(other: TensorLike): Tensor { return ew.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return ew.minimum(this, other); }

  // In place (ops/inplace.ts): they write into this tensor and bump its version; under grad mode a
  // leaf that requires grad is refused, as PyTorch does (use them under noGrad, as optimizers do).
  add_(other: TensorLike, options?: ip.AlphaOptions): this { ip.add_(this, other, options); return this; }
  sub_(other: TensorLike, options?: ip.AlphaOptions): this { ip.sub_(this, other, options); return this; }
  mul_(other: TensorLike): this { ip.mul_(this, other); return this; }
  div_(other: TensorLike): this { ip.div_(this, other); return this; }
  zero_(): this { ip.zero_(this); return this; }
  fill_(value: TensorLike): this { ip.fill_(this, value); return this; }
  copy_(src: Tensor): this { ip.copy_(this, src); return this; }
  clamp_(min?: number | null | ip.ClampBounds, max?: number | null): this { ip.clamp_(this, min, max); return this; }

  // Activations (ops/activation.ts)
  relu(): Tensor { return act.relu(this); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  tanh(): Tensor { return act.tanh(this); }
  gelu(options?: act.GeluOptions): Tensor { return act.gelu(this, options); }
  leakyRelu(options?: act.LeakyReluOptions | number): Tensor { return (act.leakyRelu as (x: Tensor, o?: act.LeakyReluOptions | number) => Tensor)(this, options); }
  softmax(dim: number): Tensor { return act.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return act.logSoftmax(this, dim); }

  // Reductions (ops/reduce.ts)
  sum(...args: red.ReduceArgs): Tensor { return (red.sum as (x: Tensor, ...a: red.ReduceArgs) => Tensor)(this, ...args); }
  mean(...args: red.ReduceArgs): Tensor { return (red.mean as (x: Tensor, ...a: red.ReduceArgs) => Tensor)(this, ...args); }
  max(): Tensor;
  max(...args: red.DimArgs): red.ValuesIndices;
  max(...args: unknown[]): Tensor | red.ValuesIndices { return (red.max as unknown as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  min(): Tensor;
  min(...args: red.DimArgs): red.ValuesIndices;
  min(...args: unknown[]): Tensor | red.ValuesIndices { return (red.min as unknown as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  argmax(...args: [] | red.DimArgs): Tensor { return (red.argmax as unknown as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  argmin(...args: [] | red.DimArgs): Tensor { return (red.argmin as unknown as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  var(...args: red.VarArgs): Tensor { return (red.variance as (x: Tensor, ...a: red.VarArgs) => Tensor)(this, ...args); }
  std(...args: red.VarArgs): Tensor { return (red.std as (x: Tensor, ...a: red.VarArgs) => Tensor)(this, ...args); }
  logsumexp(...args: red.ReduceArgs): Tensor { return (red.logsumexp as (x: Tensor, ...a: red.ReduceArgs) => Tensor)(this, ...args); }

  // Linear algebra (ops/linalg.ts)
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }

  // Shape (ops/movement.ts)
  reshape(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, sizes(shape)); }
  view(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, sizes(shape)); }
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** The transpose of a tensor of at most two dimensions (PyTorch's `.T` for matrices). */
  t(): Tensor { return mv.t(this); }
  permute(...dims: number[] | [readonly number[]]): Tensor { return mv.permute(this, sizes(dims)); }
  squeeze(dim?: number): Tensor { return mv.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  expand(...shape: number[] | [readonly number[]]): Tensor { return mv.expand(this, sizes(shape)); }
  flatten(...args: mv.FlattenArgs): Tensor { return (mv.flatten as (x: Tensor, ...a: mv.FlattenArgs) => Tensor)(this, ...args); }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor { return mv.slice(this, dim, start, end, step); }
  split(splitSize: number | number[], dim = 0): Tensor[] { return mv.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return mv.chunk(this, chunks, dim); }
  gather(dim: number, index: Tensor): Tensor { return ix.gather(this, dim, index); }
  indexSelect(dim: number, index: Tensor | readonly number[]): Tensor { return ix.indexSelect(this, dim, index); }
  pad(pads: readonly number[], options?: mv.PadOptions): Tensor { return mv.pad(this, pads, options); }
  // Index expressions and positions (ops/select.ts, ops/indexExpr.ts): PyTorch's x[...] is x.index(...)
  index(...items: ixe.IndexItem[]): Tensor { return sel.index(this, ...items); }
  indexPut(indices: readonly ixe.IndexItem[], values: TensorLike, options?: sel.IndexPutOptions): Tensor { return sel.indexPut(this, indices, values, options); }
  indexPut_(indices: readonly ixe.IndexItem[], values: TensorLike, options?: sel.IndexPutOptions): this { sel.indexPut_(this, indices, values, options); return this; }
  select(dim: number, index: number): Tensor { return sel.select(this, dim, index); }
  narrow(dim: number, start: number, length: number): Tensor { return sel.narrow(this, dim, start, length); }
  take(index: Tensor | readonly number[]): Tensor { return sel.take(this, index); }
  maskedFill(mask: Tensor, value: TensorLike): Tensor { return sel.maskedFill(this, mask, value); }
  maskedSelect(mask: Tensor): Tensor { return sel.maskedSelect(this, mask); }
  scatter(dim: number, index: Tensor, src: TensorLike): Tensor { return sel.scatter(this, dim, index, src); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return sel.scatterAdd(this, dim, index, src); }

  // Comparisons and logic (ops/compare.ts): bool masks, without grad
  eq(other: TensorLike): Tensor { return cmp.eq(this, other); }
  ne(other: TensorLike): Tensor { return cmp.ne(this, other); }
  lt(other: TensorLike): Tensor { return cmp.lt(this, other); }
  le(other: TensorLike): Tensor { return cmp.le(this, other); }
  gt(other: TensorLike): Tensor { return cmp.gt(this, other); }
  ge(other: TensorLike): Tensor { return cmp.ge(this, other); }
  logicalNot(): Tensor { return cmp.logicalNot(this); }
  logicalAnd(other: TensorLike): Tensor { return cmp.logicalAnd(this, other); }
  logicalOr(other: TensorLike): Tensor { return cmp.logicalOr(this, other); }
  logicalXor(other: TensorLike): Tensor { return cmp.logicalXor(this, other); }
  // Idioms a port reaches for (ops/cumulative, sorting, shaping, linalgExtra, rounding, sampling)
  /** The dims in reverse order: a matrix's transpose, as PyTorch's `.T` (tensors below 2 dims are returned as they are). */
  get T(): Tensor { return this.ndim < 2 ? this : mv.permute(this, this.shape.map((_, i) => this.ndim - 1 - i)); }
  /** The transpose of the last two dims (a batch of matrices), as PyTorch's `.mT`. */
  get mT(): Tensor {
    if (this.ndim < 2) throw new DlError(`mT: expects a tensor of at least 2 dims, got shape ${fmt(this.shape)}`);
    return mv.transpose(this, -2, -1);
  }
  /** The number of dims, as PyTorch's `dim()` (the same as `ndim`). */
  dim(): number { return this.ndim; }
  /** The values as nested arrays, as PyTorch's `tolist()` (the same as `toArray()`). */
  tolist(): NestedArray { return this.toArray(); }
  norm(...args: [options?: lx.NormOptions] | [p: number | 'fro', dim?: number | readonly number[], keepdim?: boolean]): Tensor { return (lx.norm as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  bmm(other: Tensor): Tensor { return lx.bmm(this, other); }
  cumsum(dim: number): Tensor { return cu.cumsum(this, dim); }
  cumprod(dim: number): Tensor { return cu.cumprod(this, dim); }
  prod(...args: [options?: cu.ProdOptions] | [dim: number, keepdim?: boolean]): Tensor { return (cu.prod as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  sort(...args: [options?: so.SortOptions] | [dim: number, descending?: boolean]): red.ValuesIndices { return (so.sort as (x: Tensor, ...a: unknown[]) => red.ValuesIndices)(this, ...args); }
  argsort(...args: [options?: so.SortOptions] | [dim: number, descending?: boolean]): Tensor { return (so.argsort as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  topk(k: number, ...args: [options?: so.TopkOptions] | [dim: number, largest?: boolean, sorted?: boolean]): red.ValuesIndices { return (so.topk as (x: Tensor, k: number, ...a: unknown[]) => red.ValuesIndices)(this, k, ...args); }
  any(...args: [options?: rd.AnyAllOptions] | [dim: number | readonly number[], keepdim?: boolean]): Tensor { return (rd.any as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  all(...args: [options?: rd.AnyAllOptions] | [dim: number | readonly number[], keepdim?: boolean]): Tensor { return (rd.all as (x: Tensor, ...a: unknown[]) => Tensor)(this, ...args); }
  isnan(): Tensor { return rd.isnan(this); }
  isfinite(): Tensor { return rd.isfinite(this); }
  isinf(): Tensor { return rd.isinf(this); }
  flip(...dims: sh.IntList[]): Tensor { return sh.flip(this, sh.intList('flip', 'dims', dims)); }
  roll(shifts: sh.IntList, dims?: sh.IntList): Tensor { return sh.roll(this, shifts, dims); }
  repeat(...sizes: sh.IntList[]): Tensor { return sh.repeat(this, sh.intList('repeat', 'sizes', sizes)); }
  tile(...dims: sh.IntList[]): Tensor { return sh.tile(this, sh.intList('tile', 'dims', dims)); }
  triu(diagonal = 0): Tensor { return sh.triu(this, diagonal); }
  tril(diagonal = 0): Tensor { return sh.tril(this, diagonal); }
  round(options?: rd.RoundOptions): Tensor { return rd.round(this, options); }
  floor(): Tensor { return rd.floor(this); }
  ceil(): Tensor { return rd.ceil(this); }
  trunc(): Tensor { return rd.trunc(this); }
  log1p(): Tensor { return rd.log1p(this); }
  expm1(): Tensor { return rd.expm1(this); }
  multinomial(numSamples: number, options?: smp.MultinomialOptions): Tensor { return smp.multinomial(this, numSamples, options); }
  bernoulli(options?: smp.SamplingOptions): Tensor { return smp.bernoulli(this, options); }
}

/** Nested arrays of `data` in `shape` (a number for a scalar). */
function nested(data: TypedArray, shape: readonly number[]): NestedArray {
  const build = (dim: number, offset: number, stride: number): NestedArray => {
    if (dim === shape.length) return data[offset]!;
    const size = shape[dim]!;
    const inner = stride / Math.max(size, 1);
    return Array.from({ length: size }, (_, i) => build(dim + 1, offset + i * inner, inner));
  };
  return build(0, 0, data.length);
}
