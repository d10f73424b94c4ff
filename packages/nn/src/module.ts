import { Tensor, markModified, setDType_, setDevice_, setDeviceAsync_, type DType, type Device, DlError, checks } from '@dl/autograd';

const toSig = checks.sig('Module.to', ['dtype', checks.floatDtype]);
const toDeviceSig = checks.sig('Module.to', ['device', checks.oneOf('cpu', 'webgpu')]);
const toAsyncSig = checks.sig('Module.toAsync', ['device', checks.oneOf('cpu', 'webgpu')]);
import { fmt } from './checks.js';

/** Options of `Parameter`. */
export interface ParameterOptions {
  /** Whether the optimizer trains it (true by default). */
  requiresGrad?: boolean;
}

/**
 * A tensor that a `Module` owns and trains, as PyTorch's `nn.Parameter`: a leaf that requires grad
 * and shares its values with the tensor it was made from. Assigning one to a module field registers it.
 * @example
 * class Scale extends Module {
 *   weight = new Parameter(ones([3]));
 *   forward(x: Tensor) { return x.mul(this.weight); }
 * }
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, options: ParameterOptions = {}) {
    super(data.storage as Tensor['data'], data.shape, { requiresGrad: options.requiresGrad ?? true });
  }
  /** `Parameter containing:` and the tensor, as PyTorch prints it. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** Dotted names (`layers.0.weight`) to tensors, in PyTorch's order; the tensors share the module's values. */
export type StateDict = Record<string, Tensor>;

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Whether missing and unexpected keys are errors (true by default). Wrong shapes always are. */
  strict?: boolean;
}

/** The keys `loadStateDict` did not match (both empty after a strict load). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Options of `registerBuffer`. */
export interface BufferOptions {
  /** Whether the buffer is part of the state dict (true by default). */
  persistent?: boolean;
}

/** @internal One parameter or sub-module a module holds, and how to replace it. */
export interface Slot {
  name: string;
  value: Parameter | Module;
  set(value: Parameter | Module): void;
}

/** @internal The method containers override to list their members under their own names (`0`, `1`, ...). */
export const slotsOf: unique symbol = Symbol('slots');

/** @internal Whether a module has forward or forward-pre hooks (a container may then not fuse it with its neighbour). */
export const hasForwardHooks: unique symbol = Symbol('hasForwardHooks');

interface Buffer {
  tensor: Tensor | null;
  persistent: boolean;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function addIndent(s: string, spaces: number): string {
  const lines = s.split('\n');
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(spaces) + l)].join('\n');
}

/** A hook run before `forward` by `call()`: returns nothing, or replacement inputs (an array, or one value). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ForwardPreHook = (module: Module, inputs: any[]) => any;
/** A hook run after `forward` by `call()`: returns nothing, or a replacement output. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ForwardHook = (module: Module, inputs: any[], output: any) => any;

let nextHookId = 0;
function addHook<H>(fn: string, hooks: Map<number, H>, hook: H): { remove(): void } {
  if (typeof hook !== 'function') throw new DlError(`${fn}: hook must be a function, got ${typeof hook}`);
  const id = nextHookId++;
  hooks.set(id, hook);
  return { remove: () => void hooks.delete(id) };
}

/**
 * The base of every layer and model, as PyTorch's `nn.Module`. Subclasses assign `Parameter`s and
 * sub-modules to fields and implement `forward`; the module finds them by walking its own fields in
 * insertion order (arrays of modules are numbered `0`, `1`, ...), so names match PyTorch's.
 * @example
 * class Net extends Module {
 *   fc1 = new Linear(784, 128);
 *   fc2 = new Linear(128, 10);
 *   forward(x: Tensor) { return this.fc2.forward(relu(this.fc1.forward(x))); }
 * }
 * new Net().namedParameters().map(([n]) => n); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 */
export abstract class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;
  #buffers = new Map<string, Buffer>();

  /** Computes the module's output. */
  abstract forward(...inputs: any[]): any;

  /**
   * Calls `forward`, as calling a PyTorch module does, running the forward-pre hooks before it and the
   * forward hooks after it. @example const y = model.call(x);
   */
  call(...inputs: Parameters<this['forward']>): ReturnType<this['forward']> {
    let args: unknown[] = inputs;
    for (const hook of [...this.#preHooks.values()]) {
      const r = hook(this, args);
      if (r !== undefined) args = Array.isArray(r) ? r : [r];
    }
    let out: unknown = this.forward(...args);
    for (const hook of [...this.#hooks.values()]) {
      const r = hook(this, args, out);
      if (r !== undefined) out = r;
    }
    return out as ReturnType<this['forward']>;
  }

  #preHooks = new Map<number, ForwardPreHook>();
  #hooks = new Map<number, ForwardHook>();
  /** @internal See `hasForwardHooks`. */
  [hasForwardHooks](): boolean {
    return this.#preHooks.size > 0 || this.#hooks.size > 0;
  }
  /**
   * Runs `hook(module, inputs)` before every `call()`, as PyTorch's `register_forward_pre_hook`; it may
   * return replacement inputs (an array, or one value). Returns a handle whose `remove()` unregisters it.
   * @example const h = model.registerForwardPreHook((m, [x]) => [x.mul(2)]); h.remove();
   */
  registerForwardPreHook(hook: ForwardPreHook): { remove(): void } {
    return addHook('registerForwardPreHook', this.#preHooks, hook);
  }
  /**
   * Runs `hook(module, inputs, output)` after every `call()`, as PyTorch's `register_forward_hook`; it
   * may return a replacement output. Returns a handle whose `remove()` unregisters it.
   * @example const acts: Tensor[] = []; layer.registerForwardHook((m, inputs, out) => void acts.push(out));
   */
  registerForwardHook(hook: ForwardHook): { remove(): void } {
    return addHook('registerForwardHook', this.#hooks, hook);
  }

  /** @internal The parameters and sub-modules held in this module's own fields, in field order. */
  *[slotsOf](): Generator<Slot> {
    for (const key of Object.keys(this)) {
      const value: unknown = (this as Record<string, unknown>)[key];
      if (value instanceof Parameter || value instanceof Module) {
        yield { name: key, value, set: (v) => void ((this as Record<string, unknown>)[key] = v) };
      } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item instanceof Parameter || item instanceof Module) {
            yield { name: `${key}.${i}`, value: item, set: (v) => void (value[i] = v) };
          }
        }
      }
    }
  }

  /**
   * Adds a tensor that is state but not a parameter (running statistics, masks), readable as a field
   * `this[name]` and saved in the state dict unless `persistent` is false.
   * @example this.registerBuffer('runningMean', zeros([c]));
   */
  registerBuffer(name: string, tensor: Tensor | null, options: BufferOptions = {}): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new DlError(`registerBuffer: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
    if (tensor !== null && !(tensor instanceof Tensor)) throw new DlError(`registerBuffer: buffer '${name}' must be a tensor or null`);
    if (!this.#buffers.has(name) && name in this) throw new DlError(`registerBuffer: attribute '${name}' already exists on ${this.constructor.name}`);
    const entry: Buffer = { tensor, persistent: options.persistent ?? true };
    this.#buffers.set(name, entry);
    Object.defineProperty(this, name, {
      get: () => entry.tensor,
      set: (t: Tensor | null) => void (entry.tensor = t),
      enumerable: false,
      configurable: true,
    });
  }

  /**
   * Adds a parameter under `name`, as PyTorch's `register_parameter`: the name may be one no field
   * could have in TypeScript style (`weight_ih_l0`), and it is the parameter's state-dict key. The
   * parameter is then readable as `this[name]`; `null` keeps the name with no parameter (no bias).
   * @example this.registerParameter('weight_ih_l0', new Parameter(zeros([4 * h, inputSize])));
   */
  registerParameter(name: string, param: Parameter | null): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new DlError(`registerParameter: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
    }
    if (param !== null && !(param instanceof Parameter)) {
      throw new DlError(`registerParameter: '${name}' must be a Parameter or null, got ${(param as unknown) instanceof Tensor ? 'a Tensor (wrap it in new Parameter(...))' : typeof param}`);
    }
    if (this.#buffers.has(name)) throw new DlError(`registerParameter: '${name}' is already a buffer of ${this.constructor.name}`);
    const current: unknown = (this as Record<string, unknown>)[name];
    if (name in this && current !== null && current !== undefined && !(current instanceof Parameter)) {
      throw new DlError(`registerParameter: attribute '${name}' already exists on ${this.constructor.name}`);
    }
    Object.defineProperty(this, name, { value: param, enumerable: true, writable: true, configurable: true });
  }

  /** The direct sub-modules with their field names, each once. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const { name, value } of this[slotsOf]()) {
      if (value instanceof Module && !seen.has(value)) {
        seen.add(value);
        out.push([name, value]);
      }
    }
    return out;
  }
  /** The direct sub-modules. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }
  /** This module and every module below it, depth first, each once, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    const visit = (m: Module, p: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([p, m]);
      for (const [name, child] of m.namedChildren()) visit(child, join(p, name));
    };
    visit(this, prefix);
    return out;
  }
  /** This module and every module below it, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name (`features.0.weight`), each once, in PyTorch's order: a
   * module's own parameters, then its sub-modules' in field order.
   */
  namedParameters(options: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const seen = new Set<Parameter>();
    const out: [string, Parameter][] = [];
    const mods: [string, Module][] = options.recurse === false ? [[options.prefix ?? '', this]] : this.namedModules(options.prefix ?? '');
    for (const [p, m] of mods) {
      for (const { name, value } of m[slotsOf]()) {
        if (value instanceof Parameter && !seen.has(value)) {
          seen.add(value);
          out.push([join(p, name), value]);
        }
      }
    }
    return out;
  }
  /** Every parameter, each once: what an optimizer takes. @example new SGD(model.parameters(), { lr: 0.1 }) */
  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }
  /** Every buffer with its dotted name, each once. */
  namedBuffers(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [p, m] of this.namedModules()) {
      for (const [name, b] of m.#buffers) {
        if (b.tensor !== null && !seen.has(b.tensor)) {
          seen.add(b.tensor);
          out.push([join(p, name), b.tensor]);
        }
      }
    }
    return out;
  }
  /** Every buffer, each once. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }
  /** The sub-module at a dotted path (`'layers.0'`); '' is this module. */
  getSubmodule(target: string): Module {
    let m: Module = this;
    let rest = target;
    while (rest !== '') {
      // Array fields give names with dots ('blocks.0'), so match whole child names, longest first.
      const hit = m
        .namedChildren()
        .filter(([n]) => rest === n || rest.startsWith(`${n}.`))
        .sort((a, b) => b[0].length - a[0].length)[0];
      if (hit === undefined) throw new DlError(`getSubmodule: ${m.constructor.name} has no sub-module '${rest.split('.')[0]}' (in '${target}')`);
      m = hit[1];
      rest = rest.slice(hit[0].length + 1);
    }
    return m;
  }

  /** Sets training mode on this module and all below it (dropout and the like behave accordingly). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Sets evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }
  /** Turns gradients of every parameter on or off (freezing a model). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /**
   * Clears the gradients of every parameter: drops them (`setToNone`, the default, as PyTorch 2) or
   * fills them with zeros.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (options.setToNone ?? true) p.grad = null;
      else if (p.grad.isLeaf) p.grad.data.fill(0);
      else p.grad = new Tensor(p.grad.data.slice().fill(0), p.grad.shape);
    }
  }
  /**
   * Calls `fn` on every sub-module (depth first) and then on this module, as PyTorch's `apply`;
   * the usual way to re-initialise weights.
   * @example model.apply((m) => { if (m instanceof Linear) init.zeros_(m.bias!); });
   */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Converts every parameter and buffer to `dtype`, or moves them to a device, in place (PyTorch's
   * `.to(dtype)`, `.double()`, `.to(device)`): each stays the same object, with its values and `.grad`
   * converted (`setDType_`) or moved (`setDevice_`), so an optimizer built before still trains the model
   * (its per-parameter state follows on the next step). `'webgpu'` needs `await initWebGpu()` first; back
   * from the GPU is `await model.toAsync('cpu')`, since reading GPU memory is asynchronous.
   * @example model.to('float64'); await initWebGpu(); model.to('webgpu');
   */
  to(dtypeOrDevice: DType | Device): this {
    checks.checkCall(dtypeOrDevice === 'cpu' || dtypeOrDevice === 'webgpu' ? toDeviceSig : toSig, arguments);
    if (dtypeOrDevice === 'cpu' || dtypeOrDevice === 'webgpu') {
      this.#toDevice(dtypeOrDevice);
      return this;
    }
    const dtype = dtypeOrDevice;
    for (const p of this.parameters()) setDType_(p, dtype);
    for (const m of this.modules()) {
      for (const b of m.#buffers.values()) {
        if (b.tensor === null) continue;
        if (b.tensor.isLeaf) setDType_(b.tensor, dtype);
        else b.tensor = b.tensor.detach().to(dtype);
      }
    }
    return this;
  }
  /** `to(device)`: moves every parameter and buffer in place; to the CPU only when nothing is on the GPU. */
  #toDevice(device: Device): void {
    for (const p of this.parameters()) {
      if (p.device !== device && device === 'cpu') {
        throw new DlError('Module.to', `the module's parameters are on '${p.device}', and reading GPU memory is asynchronous`, { hint: "use await model.toAsync('cpu')" });
      }
      setDevice_(p, device);
    }
    for (const m of this.modules()) {
      for (const b of m.#buffers.values()) {
        if (b.tensor === null || b.tensor.device === device) continue;
        if (device === 'cpu') throw new DlError('Module.to', `a buffer is on '${b.tensor.device}', and reading GPU memory is asynchronous`, { hint: "use await model.toAsync('cpu')" });
        if (b.tensor.isLeaf) setDevice_(b.tensor, device);
        else b.tensor = b.tensor.detach().to(device);
      }
    }
  }
  /** `to(device)` in either direction: awaits the reads when moving from the GPU to the CPU. @example await model.toAsync('cpu') */
  async toAsync(device: Device): Promise<this> {
    checks.checkCall(toAsyncSig, arguments);
    for (const p of this.parameters()) await setDeviceAsync_(p, device);
    for (const m of this.modules()) {
      for (const b of m.#buffers.values()) {
        if (b.tensor === null) continue;
        if (!b.tensor.isLeaf) b.tensor = b.tensor.detach();
        await setDeviceAsync_(b.tensor, device);
      }
    }
    return this;
  }
  /** Converts to float64: `to('float64')`. */
  double(): this {
    return this.to('float64');
  }
  /** Converts to float32: `to('float32')`. */
  float(): this {
    return this.to('float32');
  }

  /** The parameters and persistent buffers under their dotted names, per module in field order. */
  #stateEntries(prefix: string, ancestors: Set<Module>, out: [string, Tensor][]): void {
    if (ancestors.has(this)) throw new DlError(`stateDict: ${this.constructor.name} at '${prefix}' contains itself`);
    ancestors.add(this);
    const children: [string, Module][] = [];
    for (const { name, value } of this[slotsOf]()) {
      if (value instanceof Parameter) out.push([join(prefix, name), value]);
      else children.push([name, value]);
    }
    for (const [name, b] of this.#buffers) if (b.persistent && b.tensor !== null) out.push([join(prefix, name), b.tensor]);
    for (const [name, child] of children) child.#stateEntries(join(prefix, name), ancestors, out);
    ancestors.delete(this);
  }

  /**
   * Every parameter and persistent buffer under its dotted name, as PyTorch's `state_dict()`; the
   * values are detached tensors sharing the module's data.
   * @example const sd = model.stateDict(); sd['layers.0.weight'].shape // [hidden, in]
   */
  stateDict(): StateDict {
    const entries: [string, Tensor][] = [];
    this.#stateEntries('', new Set(), entries);
    const out: StateDict = {};
    for (const [k, t] of entries) out[k] = t.detach();
    return out;
  }

  /**
   * Copies values from `stateDict` into this module's parameters and buffers, in place. Checks every
   * entry first and changes nothing on error: missing or unexpected keys (when `strict`, the default)
   * and wrongly shaped entries are all named in one error.
   * @example model.loadStateDict(load('weights.safetensors'));
   */
  loadStateDict(stateDict: StateDict | Map<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    if (!(stateDict instanceof Map) && !checks.isPlainObject(stateDict)) {
      throw new DlError('loadStateDict', `stateDict must be an object of tensors or a Map, got ${checks.describe(stateDict)}`, { arg: 'stateDict', hint: 'pass model.stateDict() or load(path)' });
    }
    checks.checkOptions('loadStateDict', 'options', options, { strict: checks.bool });
    const strict = options.strict ?? true;
    const source = stateDict instanceof Map ? stateDict : new Map(Object.entries(stateDict));
    const own: [string, Tensor][] = [];
    this.#stateEntries('', new Set(), own);
    const ownKeys = new Set(own.map(([k]) => k));
    const missingKeys = own.filter(([k]) => !source.has(k)).map(([k]) => k);
    const unexpectedKeys = [...source.keys()].filter((k) => !ownKeys.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0) problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && unexpectedKeys.length > 0) problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    for (const [k, t] of own) {
      const src = source.get(k);
      if (src === undefined) continue;
      if (!(src instanceof Tensor)) problems.push(`entry "${k}" is not a tensor.`);
      else if (src.shape.join() !== t.shape.join()) {
        problems.push(`size mismatch for ${k}: copying a param with shape ${fmt(src.shape)} from checkpoint, the shape in current model is ${fmt(t.shape)}.`);
      }
    }
    if (problems.length > 0) {
      throw new DlError(`loadStateDict: error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join('\n\t')}`);
    }
    for (const [k, t] of own) {
      const src = source.get(k);
      if (src === undefined) continue;
      t.data.set(src.data);
      markModified(t);
    }
    return { missingKeys, unexpectedKeys };
  }

  /** The layer's settings for `toString`, as PyTorch's `extra_repr` (`in_features=784, ...`). */
  extraRepr(): string {
    return '';
  }
  /** The module's name in `toString` (the class name). */
  protected reprName(): string {
    return this.constructor.name;
  }
  /** @internal The `(name): child` lines of `toString`. */
  protected childReprLines(): string[] {
    const lines: string[] = [];
    for (const { name, value } of this[slotsOf]()) {
      if (value instanceof Module) lines.push(`(${name}): ${addIndent(value.toString(), 2)}`);
    }
    return lines;
  }
  /**
   * The module tree as PyTorch prints it:
   * ```
   * Sequential(
   *   (0): Linear(in_features=784, out_features=10, bias=True)
   *   (1): ReLU()
   * )
   * ```
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = this.childReprLines();
    const lines = [...extraLines, ...childLines];
    let s = `${this.reprName()}(`;
    if (lines.length > 0) {
      s += extraLines.length === 1 && childLines.length === 0 ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }
  /** Node's `console.log(model)` prints the tree, as `print(model)` does in PyTorch. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal Indents every line after the first, as PyTorch's `_addindent`. */
export { addIndent };
