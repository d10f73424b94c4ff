import { DlError, relu } from '@dl/autograd';
import type { Tensor } from '@dl/autograd';
import { Module, addIndent, hasForwardHooks, slotsOf, type Slot } from './module.js';
import { ReLU } from './modules/activation.js';
import { MaxPool2d } from './modules/pooling.js';

/**
 * Whether `a` then `b` is ReLU then MaxPool2d, both as built in, without hooks, and the pool without
 * dilation: max pooling and relu commute exactly (relu is monotonic, and both pass NaN on) as long as
 * every window holds an input value, so pooling first gives the same values and gradients with relu
 * applied to a quarter of the elements (a 2x2 pool). With dilation a window can lie wholly in the
 * padding; pooling gives −∞ there, which relu would turn into 0.
 */
function reluThenMaxPool(a: Module, b: Module | undefined): b is MaxPool2d {
  if (b === undefined || a[hasForwardHooks]() || b[hasForwardHooks]()) return false;
  if (a.constructor !== ReLU || b.constructor !== MaxPool2d) return false;
  const d = (b as MaxPool2d).dilation;
  return Array.isArray(d) ? d.every((v) => v === 1) : d === 1;
}

function checkModule(container: string, m: unknown, where: string): Module {
  if (!(m instanceof Module)) throw new DlError(`${container}: ${where} is not a Module (got ${m === null ? 'null' : typeof m})`);
  return m;
}

function checkName(container: string, name: string): string {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new DlError(`${container}: module name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Keeps `obj[0]`, `obj[1]`, ... pointing at the items, as PyTorch's indexing, without enumerable fields. */
function syncIndices(obj: object, items: readonly Module[], previous: number): void {
  for (let i = items.length; i < previous; i++) delete (obj as Record<number, unknown>)[i];
  items.forEach((m, i) => Object.defineProperty(obj, i, { value: m, enumerable: false, configurable: true, writable: false }));
}

/**
 * Modules in order, indexable as `c[0]`, each registered under a name for its position: what
 * Sequential and ModuleList share (length, `at`, iteration, slots).
 */
export abstract class ModuleSequence extends Module {
  readonly [index: number]: Module;
  readonly #container: string;
  #items: Module[] = [];

  /** `container` names the class in error messages. */
  protected constructor(container: string) {
    super();
    this.#container = container;
  }

  /** The name of the child at position i: `'0'`, `'1'`, ... unless a subclass names them. */
  protected nameAt(i: number): string {
    return String(i);
  }

  /** Inserts a checked module before position i and moves the indices along. */
  protected insertModule(i: number, m: Module): void {
    const n = this.#items.length;
    this.#items.splice(i, 0, m);
    syncIndices(this, this.#items, n);
  }

  /** The number of modules. */
  get length(): number {
    return this.#items.length;
  }
  /** The module at position i (negative counts from the end). */
  at(i: number): Module {
    const m = this.#items.at(i);
    if (m === undefined) throw new DlError(`${this.#container}: index ${i} is out of range for ${this.#items.length} modules`);
    return m;
  }
  /** Iterates over the modules in order: `for (const layer of seq)`. */
  [Symbol.iterator](): Iterator<Module> {
    return this.#items[Symbol.iterator]();
  }

  override *[slotsOf](): Generator<Slot> {
    for (let i = 0; i < this.#items.length; i++) {
      const index = i;
      yield {
        name: this.nameAt(i),
        value: this.#items[i]!,
        set: (v) => {
          this.#items[index] = checkModule(this.#container, v, `item ${index}`);
          syncIndices(this, this.#items, this.#items.length);
        },
      };
    }
    yield* super[slotsOf]();
  }
}

/**
 * A chain of modules applied in order, as PyTorch's `nn.Sequential`; its children are named `0`, `1`,
 * ... (or by the keys of an object), so parameters read `0.weight`, `2.bias`. Index it as `seq[0]`.
 * @example
 * const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
 * model.forward(x); // [N, 784] → [N, 10]
 */
export class Sequential extends ModuleSequence {
  #names: string[] = [];

  constructor(...modules: Module[] | [Record<string, Module>]) {
    super('Sequential');
    const first: unknown = modules[0];
    if (modules.length === 1 && !(first instanceof Module) && typeof first === 'object' && first !== null) {
      for (const [name, m] of Object.entries(first as Record<string, Module>)) this.#add(checkName('Sequential', name), m);
    } else {
      (modules as Module[]).forEach((m) => this.#add(String(this.length), m));
    }
  }

  #add(name: string, m: Module): void {
    checkModule('Sequential', m, `item '${name}'`);
    if (this.#names.includes(name)) throw new DlError(`Sequential: duplicate module name '${name}'`);
    this.#names.push(name);
    this.insertModule(this.length, m);
  }

  protected override nameAt(i: number): string {
    return this.#names[i]!;
  }

  /** Adds a module at the end, named by its position. */
  append(m: Module): this {
    this.#add(String(this.length), m);
    return this;
  }

  /**
   * Feeds x through each module in turn. A ReLU followed by a MaxPool2d (neither with hooks) runs as
   * pooling then relu, which gives the same values and gradients (zeros may differ in sign) for less work.
   */
  forward(x: Tensor): Tensor {
    let y = x;
    const modules = [...this];
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i]!;
      const next = modules[i + 1];
      if (reluThenMaxPool(m, next)) {
        y = relu(next.forward(y));
        i++;
        continue;
      }
      // call, not forward, so each module's forward hooks run, as in PyTorch.
      y = m.call(y);
    }
    return y;
  }
}

/**
 * A list of modules whose parameters are registered under `0.`, `1.`, ..., as PyTorch's
 * `nn.ModuleList`. It has no forward: iterate over it in your own.
 * @example
 * blocks = new ModuleList([new Linear(8, 8), new Linear(8, 8)]);
 * forward(x: Tensor) { for (const b of this.blocks) x = relu(b.forward(x)); return x; }
 */
export class ModuleList extends ModuleSequence {
  constructor(modules: Iterable<Module> = []) {
    super('ModuleList');
    this.extend(modules);
  }

  /** Adds a module at the end. */
  append(m: Module): this {
    this.insertModule(this.length, checkModule('ModuleList', m, `item ${this.length}`));
    return this;
  }
  /** Adds modules at the end. */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  /** Inserts a module before position `index`. */
  insert(index: number, m: Module): this {
    const n = this.length;
    const i = index < 0 ? Math.max(0, n + index) : Math.min(index, n);
    this.insertModule(i, checkModule('ModuleList', m, `item ${i}`));
    return this;
  }

  /** A ModuleList has no forward of its own, as in PyTorch. */
  forward(): never {
    throw new DlError('ModuleList: has no forward; iterate over it in your module\'s forward');
  }

  /** Runs of identical children print once, as PyTorch 2 does: `(0-2): 3 x Linear(...)`. */
  protected override childReprLines(): string[] {
    const reprs = [...this].map((m) => m.toString());
    const lines: string[] = [];
    for (let start = 0; start < reprs.length; ) {
      let end = start;
      while (end + 1 < reprs.length && reprs[end + 1] === reprs[start]) end++;
      const body = addIndent(reprs[start]!, 2);
      lines.push(end === start ? `(${start}): ${body}` : `(${start}-${end}): ${end - start + 1} x ${body}`);
      start = end + 1;
    }
    return lines;
  }
}

/**
 * Modules under string keys, in insertion order, as PyTorch's `nn.ModuleDict`; parameters read
 * `key.weight`. Iterates like a `Map` (entries). It has no forward.
 * @example heads = new ModuleDict({ digit: new Linear(64, 10), parity: new Linear(64, 2) });
 */
export class ModuleDict extends Module {
  #items = new Map<string, Module>();

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? (modules as Iterable<[string, Module]>) : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  /** The module under `key`; throws if there is none. */
  get(key: string): Module {
    const m = this.#items.get(key);
    if (m === undefined) throw new DlError(`ModuleDict: no module named '${key}' (keys: ${[...this.#items.keys()].join(', ')})`);
    return m;
  }
  /** Adds or replaces the module under `key` (a replaced key keeps its place). */
  set(key: string, m: Module): this {
    this.#items.set(checkName('ModuleDict', key), checkModule('ModuleDict', m, `value of '${key}'`));
    return this;
  }
  /** Whether a module is stored under `key`. */
  has(key: string): boolean {
    return this.#items.has(key);
  }
  /** Removes and returns the module under `key`. */
  pop(key: string): Module {
    const m = this.get(key);
    this.#items.delete(key);
    return m;
  }
  /** The number of modules. */
  get size(): number {
    return this.#items.size;
  }
  /** The keys, in insertion order. */
  keys(): IterableIterator<string> {
    return this.#items.keys();
  }
  /** The modules, in insertion order. */
  values(): IterableIterator<Module> {
    return this.#items.values();
  }
  /** The [key, module] pairs, in insertion order. */
  entries(): IterableIterator<[string, Module]> {
    return this.#items.entries();
  }
  /** Iterates over [key, module] pairs, as a `Map` does. */
  [Symbol.iterator](): IterableIterator<[string, Module]> {
    return this.#items.entries();
  }

  override *[slotsOf](): Generator<Slot> {
    for (const [name, value] of this.#items) {
      yield { name, value, set: (v) => void this.#items.set(name, checkModule('ModuleDict', v, `value of '${name}'`)) };
    }
    yield* super[slotsOf]();
  }

  /** A ModuleDict has no forward of its own, as in PyTorch. */
  forward(): never {
    throw new DlError('ModuleDict: has no forward; pick its modules in your module\'s forward');
  }
}
