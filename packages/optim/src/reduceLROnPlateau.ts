import { Tensor, DlError } from '@dl/autograd';
import { Optimizer } from './optimizer.js';
import type { AnyOptimizer } from './lrScheduler.js';
import { checkInRange, checkInteger, checkNonNegative } from './checks.js';

/** Options of `ReduceLROnPlateau` (PyTorch's names in camelCase). */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should go down (a loss); 'max': up (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** Multiply the lr by this when the metric stalls, in [0, 1) (default 0.1). */
  factor?: number;
  /** Bad epochs tolerated before reducing (default 10). */
  patience?: number;
  /** How much better counts as better (default 1e-4). */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** A lower bound on the lr, for all groups or one per group (default 0). */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** A snapshot of a `ReduceLROnPlateau`, as `stateDict()` returns it. */
export interface ReduceLROnPlateauStateDict {
  options: Required<ReduceLROnPlateauOptions>;
  minLrs: number[];
  best: number;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

/**
 * Reduces each group's lr by `factor` when a metric has not improved for `patience` epochs, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`. Unlike the other schedulers, `step(metric)` takes the
 * metric and the constructor does not step.
 * @example
 * const sched = new ReduceLROnPlateau(opt, { patience: 5 });
 * for (const epoch of epochs) { train(); sched.step(validationLoss()); }
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this scheduler reduces. */
  readonly optimizer: AnyOptimizer;
  /** The options, defaults filled in. */
  options: Required<ReduceLROnPlateauOptions>;
  /** The lower bound of each group's lr. */
  minLrs: number[];
  /** The best metric seen (±Infinity before the first step). */
  best: number;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  /** The number of `step` calls so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, options: ReduceLROnPlateauOptions = {}) {
    if (!(optimizer instanceof Optimizer)) {
      throw new DlError(`ReduceLROnPlateau: expected an Optimizer, got ${optimizer === null ? 'null' : typeof optimizer}`);
    }
    const o: Required<ReduceLROnPlateauOptions> = {
      mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...options,
    };
    if (o.mode !== 'min' && o.mode !== 'max') throw new DlError(`ReduceLROnPlateau: mode '${o.mode}' is unknown (expected 'min' or 'max')`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') {
      throw new DlError(`ReduceLROnPlateau: thresholdMode '${o.thresholdMode}' is unknown (expected 'rel' or 'abs')`);
    }
    checkInRange('ReduceLROnPlateau', 'factor', o.factor, 0, 1);
    checkInteger('ReduceLROnPlateau', 'patience', o.patience, 0);
    checkInteger('ReduceLROnPlateau', 'cooldown', o.cooldown, 0);
    checkNonNegative('ReduceLROnPlateau', 'threshold', o.threshold);
    checkNonNegative('ReduceLROnPlateau', 'eps', o.eps);
    const n = optimizer.paramGroups.length;
    if (typeof o.minLr === 'number') this.minLrs = new Array<number>(n).fill(o.minLr);
    else {
      if (o.minLr.length !== n) throw new DlError(`ReduceLROnPlateau: expected ${n} minLr values (one per parameter group), got ${o.minLr.length}`);
      this.minLrs = [...o.minLr];
      o.minLr = [...o.minLr];
    }
    this.minLrs.forEach((m, i) => checkNonNegative('ReduceLROnPlateau', `minLr[${i}]`, m));
    this.optimizer = optimizer;
    this.options = o;
    this.best = o.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Whether a reduction happened fewer than `cooldown` epochs ago. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Records one epoch's metric (a number or a one-element tensor) and reduces the lrs if it has stalled. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number' || Number.isNaN(current)) {
      throw new DlError(`ReduceLROnPlateau.step: the metric is ${current}; a NaN metric cannot be compared (did the loss diverge?)`);
    }
    this.lastEpoch += 1;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      this.reduceLr();
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates after the last step, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The options and counters (copies). */
  stateDict(): ReduceLROnPlateauStateDict {
    return {
      options: structuredClone(this.options), minLrs: [...this.minLrs], best: this.best, numBadEpochs: this.numBadEpochs,
      cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch, lastLr: [...this.lastLr],
    };
  }

  /** Restores what `stateDict` saved. */
  loadStateDict(state: ReduceLROnPlateauStateDict): void {
    if (state === null || typeof state !== 'object' || typeof state.best !== 'number' || !Array.isArray(state.minLrs)) {
      throw new DlError('ReduceLROnPlateau.loadStateDict: expected an object as stateDict() returns');
    }
    this.options = structuredClone(state.options);
    this.minLrs = [...state.minLrs];
    this.best = state.best;
    this.numBadEpochs = state.numBadEpochs;
    this.cooldownCounter = state.cooldownCounter;
    this.lastEpoch = state.lastEpoch;
    this.lastLr = [...state.lastLr];
  }

  private isBetter(a: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === 'rel' ? a > this.best * (threshold + 1) : a > this.best + threshold;
  }

  private reduceLr(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.minLrs.length) {
      if (typeof this.options.minLr !== 'number') {
        throw new DlError(`ReduceLROnPlateau: the optimizer has ${groups.length} parameter groups but minLr lists ${this.minLrs.length}`);
      }
      this.minLrs = new Array<number>(groups.length).fill(this.options.minLr);
    }
    groups.forEach((g, i) => {
      const newLr = Math.max(g.lr * this.options.factor, this.minLrs[i]!);
      if (g.lr - newLr > this.options.eps) g.lr = newLr;
    });
  }
}
