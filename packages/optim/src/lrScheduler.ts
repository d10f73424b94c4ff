import { DlError } from '@dl/autograd';
// Epoch-based learning-rate schedulers with PyTorch's step() semantics. Each getLr is PyTorch's
// chainable (recursive) form: it scales the group's current lr, so two schedulers on one optimizer compose.
import { Optimizer, type OptimizerOptions, type ParamState } from './optimizer.js';
import { checkInRange, checkInteger } from './checks.js';

/** Any optimizer: schedulers read and write only its groups' `lr` and `initialLr`. */
export type AnyOptimizer = Optimizer<OptimizerOptions, ParamState>;

/** A snapshot of a scheduler: its options and counters, as `stateDict()` returns it. */
export interface LRSchedulerStateDict<H> {
  options: H;
  baseLrs: number[];
  lastEpoch: number;
  stepCount: number;
  lastLr: number[];
}

/**
 * The base of the epoch schedulers, as `torch.optim.lr_scheduler.LRScheduler`. The constructor records
 * each group's `initialLr` (if not set yet) as `baseLrs` and takes the initial step (epoch 0), which may
 * already change the lr (`LinearLR`). Call `step()` once per epoch, after `optimizer.step()`.
 * Create schedulers before `optimizer.loadStateDict`, as in PyTorch, or the constructor's step overwrites the loaded lr.
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) { train(); sched.step(); }
 */
export abstract class LRScheduler<H extends object = object> {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** The scheduler's options (PyTorch keeps them as attributes, e.g. `gamma`). */
  options: H;
  /** Each group's `initialLr`. */
  baseLrs: number[];
  /** The index of the last epoch: 0 after construction, +1 per `step()`. */
  lastEpoch = -1;
  /** How many times `step()` has run, the constructor's initial step included. */
  stepCount = 0;
  private lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, options: H) {
    if (!(optimizer instanceof Optimizer)) {
      throw new DlError(`${new.target.name}: expected an Optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
    }
    this.optimizer = optimizer;
    this.options = options;
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
    this.step();
  }

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new DlError(`${this.constructor.name}.step: the optimizer has ${groups.length} parameter groups but the scheduler was created for ${this.baseLrs.length}`);
    }
    this.stepCount += 1;
    this.lastEpoch += 1;
    const values = this.getLr();
    groups.forEach((g, i) => (g.lr = values[i]!));
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The learning rates this scheduler set last, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The options, base learning rates and counters (copies). */
  stateDict(): LRSchedulerStateDict<H> {
    return {
      options: structuredClone(this.options),
      baseLrs: [...this.baseLrs],
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      lastLr: [...this.lastLr],
    };
  }

  /** Restores what `stateDict` saved; the optimizer's lrs come from the optimizer's own state dict. */
  loadStateDict(state: LRSchedulerStateDict<H>): void {
    if (state === null || typeof state !== 'object' || !Array.isArray(state.baseLrs) || typeof state.lastEpoch !== 'number') {
      throw new DlError(`${this.constructor.name}.loadStateDict: expected an object as stateDict() returns`);
    }
    this.options = structuredClone(state.options);
    this.baseLrs = [...state.baseLrs];
    this.lastEpoch = state.lastEpoch;
    this.stepCount = state.stepCount;
    this.lastLr = [...state.lastLr];
  }

  /** The groups' current learning rates. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The next learning rate of each group, given that `lastEpoch` has just been incremented. */
  protected abstract getLr(): number[];
}

/** Options of `StepLR`. */
export interface StepLROptions {
  /** Decay every `stepSize` epochs. */
  stepSize: number;
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by `gamma` every `stepSize` epochs: lr = base·γ^⌊epoch / stepSize⌋.
 * @example new StepLR(opt, { stepSize: 30, gamma: 0.1 }) // 0.05 for epochs 0-29, 0.005 for 30-59, ...
 */
export class StepLR extends LRScheduler<Required<StepLROptions>> {
  constructor(optimizer: AnyOptimizer, options: StepLROptions) {
    const o = { gamma: 0.1, ...options };
    checkInteger('StepLR', 'stepSize', o.stepSize, 1);
    checkFinite('StepLR', 'gamma', o.gamma);
    super(optimizer, o);
  }
  protected getLr(): number[] {
    const { stepSize, gamma } = this.options;
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * gamma);
  }
}

/** Options of `MultiStepLR`. */
export interface MultiStepLROptions {
  /** The epochs at which to decay (a milestone listed twice decays twice). */
  milestones: readonly number[];
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
}

/**
 * Multiplies each group's lr by `gamma` at each milestone epoch.
 * @example new MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler<{ milestones: number[]; gamma: number }> {
  constructor(optimizer: AnyOptimizer, options: MultiStepLROptions) {
    const o = { gamma: 0.1, ...options, milestones: [...(options?.milestones ?? [])] };
    o.milestones.forEach((m, i) => checkInteger('MultiStepLR', `milestones[${i}]`, m, 0));
    checkFinite('MultiStepLR', 'gamma', o.gamma);
    super(optimizer, o);
  }
  protected getLr(): number[] {
    const count = this.options.milestones.filter((m) => m === this.lastEpoch).length;
    if (count === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.options.gamma ** count);
  }
}

/** Options of `ExponentialLR`. */
export interface ExponentialLROptions {
  /** Multiplicative factor per epoch. */
  gamma: number;
}

/**
 * Multiplies each group's lr by `gamma` every epoch: lr = base·γ^epoch.
 * @example new ExponentialLR(opt, { gamma: 0.95 })
 */
export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: AnyOptimizer, options: ExponentialLROptions) {
    checkFinite('ExponentialLR', 'gamma', options?.gamma);
    super(optimizer, { gamma: options.gamma });
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.options.gamma);
  }
}

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** Half the period: epochs from the base lr down to `etaMin`. */
  tMax: number;
  /** The minimum learning rate (default 0). */
  etaMin?: number;
}

/**
 * Anneals each group's lr along a cosine from its base to `etaMin` over `tMax` epochs (and back up after,
 * as PyTorch's recursive form does): lr = ηmin + (base − ηmin)·(1 + cos(π·epoch / tMax)) / 2.
 * @example new CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 })
 */
export class CosineAnnealingLR extends LRScheduler<Required<CosineAnnealingLROptions>> {
  constructor(optimizer: AnyOptimizer, options: CosineAnnealingLROptions) {
    const o = { etaMin: 0, ...options };
    checkInteger('CosineAnnealingLR', 'tMax', o.tMax, 1);
    checkFinite('CosineAnnealingLR', 'etaMin', o.etaMin);
    super(optimizer, o);
  }
  protected getLr(): number[] {
    const { tMax, etaMin } = this.options;
    const e = this.lastEpoch;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    // At the bottom of the cosine the ratio below divides by zero; PyTorch steps up from the minimum instead.
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

/** Options of `LinearLR`. */
export interface LinearLROptions {
  /** The factor at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** The factor from `totalIters` on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Epochs over which the factor moves linearly (default 5). */
  totalIters?: number;
}

/**
 * Scales each group's lr by a factor moving linearly from `startFactor` to `endFactor` over `totalIters`
 * epochs, then constant: the usual warm-up.
 * @example new LinearLR(opt, { startFactor: 0.1, totalIters: 10 }) // 10 epochs of warm-up to the base lr
 */
export class LinearLR extends LRScheduler<Required<LinearLROptions>> {
  constructor(optimizer: AnyOptimizer, options: LinearLROptions = {}) {
    const o = { startFactor: 1 / 3, endFactor: 1, totalIters: 5, ...options };
    if (!(o.startFactor > 0 && o.startFactor <= 1)) {
      throw new DlError(`LinearLR: invalid startFactor ${o.startFactor} (expected 0 < startFactor <= 1)`);
    }
    checkInRange('LinearLR', 'endFactor', o.endFactor, 0, 1, true);
    checkInteger('LinearLR', 'totalIters', o.totalIters, 1);
    super(optimizer, o);
  }
  protected getLr(): number[] {
    const { startFactor: a, endFactor: b, totalIters: n } = this.options;
    const e = this.lastEpoch;
    if (e === 0) return this.currentLrs().map((lr) => lr * a);
    if (e > n) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * (1 + (b - a) / (n * a + (e - 1) * (b - a))));
  }
}

function checkFinite(owner: string, what: string, value: number | undefined): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DlError(`${owner}: invalid ${what} ${value} (expected a finite number)`);
}
