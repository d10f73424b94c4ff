// The Optimizer base: parameter groups, lazily created per-parameter state, the step loop, zeroGrad and
// serialisation. A subclass writes one in-place update per parameter (burn's `step(lr, tensor, grad, state)`).
import { allocate, Tensor, enableGrad, fullLike, markModified, noGrad, zerosLike, type TypedArray, DlError } from '@dl/autograd';
import { checkNonNegative } from './checks.js';

/** The option every optimizer has: the learning rate. */
export interface OptimizerOptions {
  /** The learning rate (schedulers change it per group). */
  lr: number;
}

/**
 * A parameter group: its parameters and its own copy of every option (PyTorch's `param_groups[i]`).
 * @example opt.paramGroups[0].lr = 0.01; // what a scheduler does
 */
export type ParamGroup<O extends OptimizerOptions> = O & {
  /** The tensors this group updates, in order. */
  params: Tensor[];
  /** The learning rate when the first scheduler attached (PyTorch's `initial_lr`). */
  initialLr?: number;
};

/** A group as the constructor and `addParamGroup` take it: parameters plus any options that override the defaults. */
export type ParamGroupInput<O extends OptimizerOptions> = Partial<O> & { params: Tensor | Iterable<Tensor> };

/** What an optimizer is built from: parameters, or parameter groups with per-group options. */
export type ParamsInput<O extends OptimizerOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** One value of a parameter's optimizer state: a buffer of the parameter's size, or a number (the step count). */
export type StateValue = TypedArray | number;

/** The optimizer state of one parameter, keyed by name (`expAvg`, `step`, ...). */
export type ParamState = { [key: string]: StateValue | undefined };

/**
 * A snapshot of an optimizer: its groups with parameters replaced by indices (counted across groups in
 * order), and the state of each parameter that has stepped, by that index. Buffers are copies.
 * Save it with `structuredClone` or any serialiser that keeps typed arrays.
 */
export interface OptimizerStateDict<O extends OptimizerOptions = OptimizerOptions> {
  state: { [index: number]: { [key: string]: StateValue | readonly number[] } };
  paramGroups: (O & { params: number[]; initialLr?: number })[];
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /** Set `.grad` to null (the default, as PyTorch 2) instead of to a zero tensor. */
  setToNone?: boolean;
}

/** `defaults` overridden by the options that are not undefined. */
export function withDefaults<O extends object>(defaults: O, options: Partial<O>): O {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

// Group options are numbers, booleans, strings or small arrays (betas); copy arrays so groups never share them.
function cloneOptions<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? [...v] : v;
  return out as T;
}

function zerosOf(like: TypedArray): TypedArray {
  return allocate(like instanceof Float64Array ? 'float64' : 'float32', like.length);
}

/** Converts state buffers created in another dtype (before `model.double()`) to the parameter's, in place in `s`. */
function matchDType(s: ParamState, like: TypedArray): void {
  for (const [k, v] of Object.entries(s)) {
    if (typeof v === 'object' && v.constructor !== like.constructor) {
      const buf = zerosOf(like);
      buf.set(v);
      s[k] = buf;
    }
  }
}

/**
 * The base of all optimizers, shaped like `torch.optim.Optimizer`: `defaults`, `paramGroups`, a lazily
 * filled `state` map, `zeroGrad`, `step`, `addParamGroup`, `stateDict` and `loadStateDict`.
 * A subclass supplies `checkOptions`, `initState` and `update`, the in-place rule for one parameter;
 * `step` skips parameters whose `.grad` is null. Updates work on the typed arrays, off the tape.
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends OptimizerOptions = OptimizerOptions, S extends ParamState = ParamState> {
  /** The options groups fall back on, as given to the constructor. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, each with its own options. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created on the parameter's first step. */
  readonly state = new Map<Tensor, S>();
  private scratch = new Float64Array(0);

  /** Builds the groups from `params` and `defaults`; throws on an empty list or a parameter given twice. */
  constructor(params: ParamsInput<O>, defaults: O) {
    this.checkOptions(defaults);
    this.defaults = Object.freeze(cloneOptions(defaults));
    if (params instanceof Tensor || params === null || typeof (params as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
      const what = params instanceof Tensor ? 'a single Tensor (wrap it in an array)' : String(params);
      throw new DlError(`${this.name}: params must be an iterable of tensors or of parameter groups, got ${what}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new DlError(`${this.name}: got an empty parameter list`);
    const tensors = list.filter((x) => x instanceof Tensor).length;
    if (tensors === list.length) this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<O>);
    else if (tensors > 0) throw new DlError(`${this.name}: params mixes tensors and parameter groups; give one or the other`);
    else for (const group of list as ParamGroupInput<O>[]) this.addParamGroup(group);
  }

  /** The class name, used in error messages. */
  protected get name(): string {
    return this.constructor.name;
  }

  /**
   * Adds a group of parameters with options overriding the defaults (e.g. a layer being unfrozen).
   * @example opt.addParamGroup({ params: head.parameters(), lr: 1e-2 })
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new DlError(`${this.name}.addParamGroup: a parameter group is an object with a 'params' field, got ${String(group)}`);
    }
    const k = this.paramGroups.length;
    const params = group.params instanceof Tensor ? [group.params] : [...group.params];
    const seen = new Map<Tensor, number>();
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new DlError(`${this.name}: can only optimize tensors, but param ${i} of group ${k} is ${typeof p}`);
      if (!p.isLeaf) {
        throw new DlError(`${this.name}: can't optimize a non-leaf tensor (param ${i} of group ${k} was made by '${p.gradFn!.op}'); use a leaf such as x.detach().requiresGrad_()`);
      }
      const j = seen.get(p);
      if (j !== undefined) throw new DlError(`${this.name}: group ${k} lists the same parameter twice (positions ${j} and ${i})`);
      seen.set(p, i);
      this.paramGroups.forEach((g, gi) => {
        if (g.params.includes(p)) throw new DlError(`${this.name}: some parameters appear in more than one parameter group (param ${i} of group ${k} is already in group ${gi})`);
      });
    });
    const { params: _omit, ...options } = group;
    const merged = { ...withDefaults(cloneOptions(this.defaults) as O, cloneOptions(options) as unknown as Partial<O>), params } as ParamGroup<O>;
    this.checkOptions(merged);
    this.paramGroups.push(merged);
  }

  /**
   * Clears the gradients of all parameters: to null by default, or to zero tensors with `setToNone: false`.
   * A fresh zero tensor replaces the gradient rather than zeroing it in place, since gradients may share storage.
   */
  zeroGrad({ setToNone = true }: ZeroGradOptions = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        p.grad = setToNone ? null : zerosLike(p.grad);
      }
    }
  }

  /**
   * Updates every parameter that has a gradient, in place. With a `closure` (which recomputes the loss,
   * zeroing and backpropagating), calls it first with grad enabled and returns what it returns.
   * @example opt.step(); // after loss.backward()
   */
  step(): void;
  step<L>(closure: () => L): L;
  step<L>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (grad.shape.length !== p.shape.length || grad.shape.some((d, i) => d !== p.shape[i])) {
          throw new DlError(`${this.name}.step: a parameter of shape [${p.shape.join(',')}] has a gradient of shape [${grad.shape.join(',')}]`);
        }
        if (p.device !== 'cpu' || grad.device !== 'cpu') {
          this.stepOnDevice(p, grad, group);
          continue;
        }
        let s = this.state.get(p);
        if (s === undefined) {
          s = this.initState(p.data, group);
          this.state.set(p, s);
        } else matchDType(s, p.data);
        this.update(p.data, grad.data, s, group);
        markModified(p);
      }
    }
    return loss;
  }

  /**
   * A snapshot (copies) of the groups' options and every parameter's state, for exact resumption.
   * @example const saved = structuredClone(opt.stateDict()); ... opt2.loadStateDict(saved);
   */
  stateDict(): OptimizerStateDict<O> {
    if (this.deviceState.size > 0) {
      throw new DlError(`${this.name}.stateDict`, "the state of parameters on 'webgpu' is in GPU memory, which is read asynchronously; saving it is not supported yet", { hint: "move the model with await model.toAsync('cpu') and build the optimizer there to save its state" });
    }
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...options } = g;
      const ids = params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return { ...cloneOptions(options), params: ids } as O & { params: number[] };
    });
    const state: OptimizerStateDict<O>['state'] = {};
    for (const [p, i] of index) {
      const s = this.state.get(p);
      if (s === undefined) continue;
      const entry: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(s)) if (v !== undefined) entry[k] = typeof v === 'number' ? v : v.slice();
      state[i] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores groups' options and state saved by `stateDict` of an optimizer over parameters of the same
   * shapes, matched by position. Buffers are copied and converted to each parameter's dtype.
   */
  loadStateDict(stateDict: OptimizerStateDict<O>): void {
    const where = `${this.name}.loadStateDict`;
    const saved = stateDict?.paramGroups;
    if (!Array.isArray(saved) || typeof stateDict.state !== 'object' || stateDict.state === null) {
      throw new DlError(`${where}: expected an object with 'state' and 'paramGroups', as stateDict() returns`);
    }
    if (saved.length !== this.paramGroups.length) {
      throw new DlError(`${where}: the saved state has ${saved.length} parameter groups but this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const groups = saved.map((sg, gi) => {
      const current = this.paramGroups[gi]!;
      if (!Array.isArray(sg.params) || sg.params.length !== current.params.length) {
        throw new DlError(`${where}: saved group ${gi} has ${sg.params?.length} parameters but this optimizer's group ${gi} has ${current.params.length}`);
      }
      sg.params.forEach((id, i) => byIndex.set(id, current.params[i]!));
      const { params: _ids, ...options } = sg;
      const group = { ...cloneOptions(options), params: current.params } as unknown as ParamGroup<O>;
      this.checkOptions(group);
      return group;
    });
    const state = new Map<Tensor, S>();
    for (const [key, entry] of Object.entries(stateDict.state)) {
      const p = byIndex.get(Number(key));
      if (p === undefined) throw new DlError(`${where}: the state refers to parameter ${key}, which no saved group lists`);
      const s: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') s[k] = v;
        else if (v !== null && typeof v === 'object' && typeof (v as ArrayLike<number>).length === 'number') {
          if (v.length !== p.data.length) {
            throw new DlError(`${where}: state '${k}' of parameter ${key} has ${v.length} values but the parameter has ${p.data.length} (shape [${p.shape.join(',')}])`);
          }
          const buf = zerosOf(p.data);
          for (let i = 0; i < buf.length; i++) buf[i] = v[i]!;
          s[k] = buf;
        } else throw new DlError(`${where}: state '${k}' of parameter ${key} is neither a number nor an array`);
      }
      state.set(p, s as S);
    }
    this.paramGroups.splice(0, this.paramGroups.length, ...groups);
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }

  /**
   * PyTorch's listing of the groups and their options, sorted by name.
   * @example String(new SGD([w], { lr: 0.1 })) // 'SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n ...)'
   */
  toString(): string {
    let out = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      out += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(g).filter((k) => k !== 'params').sort()) {
        const v = (g as unknown as Record<string, unknown>)[key];
        out += `    ${key}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}\n`;
      }
    });
    return `${out})`;
  }

  /** Throws a clear error for invalid options (called for the defaults and for every group). */
  protected checkOptions(options: O): void {
    checkNonNegative(this.name, 'learning rate', options.lr);
  }

  /** The state of a parameter before its first step. */
  protected abstract initState(param: TypedArray, group: ParamGroup<O>): S;

  /** Updates one parameter's values in place from its gradient and its state (also updated in place). */
  protected abstract update(param: TypedArray, grad: TypedArray, state: S, group: ParamGroup<O>): void;

  /** Per-parameter state of the parameters on a GPU: tensors on the parameter's device, and step counts. */
  protected readonly deviceState = new Map<Tensor, Record<string, Tensor | number>>();

  /** One step of a parameter on a GPU, written in tensor ops (each a WGSL kernel) under noGrad. */
  private stepOnDevice(p: Tensor, grad: Tensor, group: ParamGroup<O>): void {
    if (grad.device !== p.device) {
      throw new DlError(`${this.name}.step: a parameter on '${p.device}' has a gradient on '${grad.device}'`);
    }
    let s = this.deviceState.get(p);
    if (s === undefined) this.deviceState.set(p, (s = {}));
    noGrad(() => this.updateOnDevice(p, grad, s, group));
  }

  /**
   * Updates a parameter on a GPU in place from its gradient, with tensor ops (in-place ones write into
   * `p` and the state); `state` starts empty. Optimizers without it are CPU-only and say so.
   */
  protected updateOnDevice(p: Tensor, _grad: Tensor, _state: Record<string, Tensor | number>, _group: ParamGroup<O>): void {
    throw new DlError(`${this.name}.step`, `has no update for parameters on '${p.device}'`, { hint: 'train this model on the CPU' });
  }

  /** The course's EWMA on a GPU, in place: s ← ρ·s + (1 − ρ)·y (the `ewma` loop as tensor ops). */
  protected ewmaOnDevice(s: Tensor, y: Tensor, rho: number): Tensor {
    return s.mul_(rho).add_(y, { alpha: 1 - rho });
  }

  /** Counts a step of a parameter on a GPU in its state (`step`), and returns the count (1 on the first). */
  protected countStepOnDevice(state: Record<string, Tensor | number>): number {
    return (state['step'] = ((state['step'] as number | undefined) ?? 0) + 1);
  }

  /** A state tensor on the parameter's device, zeros (or `value`), created on the first step. */
  protected stateOnDevice(state: Record<string, Tensor | number>, key: string, p: Tensor, value = 0): Tensor {
    return (state[key] ??= value === 0 ? zerosLike(p) : fullLike(p, value)) as Tensor;
  }

  /** The gradient the update follows on a GPU: `±grad + weightDecay·param`, as `effectiveGrad`. */
  protected effectiveGradOnDevice(p: Tensor, grad: Tensor, weightDecay: number, maximize: boolean): Tensor {
    const g = maximize ? grad.neg() : grad;
    return weightDecay === 0 ? g : g.add(p.mul(weightDecay));
  }

  /** A zero-filled buffer of the parameter's size and dtype. */
  protected zerosLike(param: TypedArray): TypedArray {
    return zerosOf(param);
  }

  /**
   * The gradient the update follows: `±grad + weightDecay·param` (minus when maximizing), as PyTorch's
   * optimizers form it. Returns `grad` itself when nothing changes, else a scratch buffer valid until the
   * next call; `grad` is never written.
   */
  protected effectiveGrad(param: TypedArray, grad: TypedArray, weightDecay: number, maximize: boolean): TypedArray {
    if (weightDecay === 0 && !maximize) return grad;
    const n = grad.length;
    if (this.scratch.length < n) this.scratch = new Float64Array(n);
    const out = this.scratch.subarray(0, n);
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < n; i++) out[i] = sign * grad[i]! + weightDecay * param[i]!;
    return out;
  }
}
