// Schedules beyond the classic decays: LambdaLR (a function of the epoch), OneCycleLR and
// CosineAnnealingWarmRestarts, with PyTorch's closed forms and step semantics.
import { DlError } from '@dl/autograd';
import { LRScheduler, type AnyOptimizer } from './lrScheduler.js';
import { checkInteger } from './checks.js';

function checkFiniteNumber(owner: string, what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DlError(`${owner}: invalid ${what} ${String(value)} (expected a finite number)`);
  return value;
}

function int(owner: string, what: string, value: number, min: number): number {
  checkInteger(owner, what, value, min);
  return value;
}

/** One value per group: a single value for all, or a list with one per group. */
function perGroup<T>(owner: string, what: string, value: T | readonly T[], groups: number): T[] {
  if (!Array.isArray(value)) return new Array<T>(groups).fill(value as T);
  if (value.length !== groups) throw new DlError(`${owner}: expected ${groups} ${what} (one per parameter group), got ${value.length}`);
  return [...(value as readonly T[])];
}

/** A factor of the epoch: lr = base · lrLambda(epoch). */
export type LrLambda = (epoch: number) => number;

/**
 * Sets each group's lr to its base lr times `lrLambda(epoch)` (one function for all groups, or one per
 * group), as PyTorch's `LambdaLR`. The functions are not part of `stateDict()`.
 * @example new LambdaLR(opt, (epoch) => 0.95 ** epoch)
 */
export class LambdaLR extends LRScheduler<Record<string, never>> {
  // The base constructor takes the first step before this constructor can set a field, so the
  // functions are handed over through this stack; `declare` emits no field that would reset them.
  private static readonly handOver: LrLambda[][] = [];
  private declare lambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    const groups = optimizer?.paramGroups?.length ?? 0;
    const fns = perGroup('LambdaLR', 'lrLambda functions', lrLambda, groups);
    fns.forEach((f, i) => {
      if (typeof f !== 'function') throw new DlError(`LambdaLR: lrLambda${Array.isArray(lrLambda) ? `[${i}]` : ''} must be a function, got ${typeof f}`);
    });
    LambdaLR.handOver.push(fns);
    try {
      super(optimizer, {});
    } finally {
      LambdaLR.handOver.pop();
    }
  }

  protected getLr(): number[] {
    this.lambdas ??= LambdaLR.handOver.at(-1)!;
    return this.baseLrs.map((base, i) => {
      const factor = this.lambdas[i]!(this.lastEpoch);
      if (typeof factor !== 'number') throw new DlError(`LambdaLR: lrLambda returned ${typeof factor} at epoch ${this.lastEpoch}, expected a number`);
      return base * factor;
    });
  }
}

/** Options of `OneCycleLR` (PyTorch's defaults). */
export interface OneCycleLROptions {
  /** The peak learning rate (one for all groups, or one per group). */
  maxLr: number | readonly number[];
  /** The number of steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent increasing the lr (0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Whether momentum (SGD, RMSprop) or beta1 (Adam) cycles inversely to the lr (true). */
  cycleMomentum?: boolean;
  /** The lowest momentum, at the lr's peak (0.85). */
  baseMomentum?: number | readonly number[];
  /** The highest momentum, at the start and end (0.95). */
  maxMomentum?: number | readonly number[];
  /** The initial lr is maxLr / divFactor (25). */
  divFactor?: number;
  /** The final lr is initial lr / finalDivFactor (1e4). */
  finalDivFactor?: number;
  /** Three phases (up, back down to the initial lr, then down to the minimum) instead of two. */
  threePhase?: boolean;
}

interface OneCycleState {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1: boolean;
  /** Per group: initial, max and min lr, and max and base momentum. */
  initialLrs: number[];
  maxLrs: number[];
  minLrs: number[];
  maxMomentums: number[];
  baseMomentums: number[];
  /** [end step, from, to, momentum from, momentum to] with `from`/`to` naming 'initial' | 'max' | 'min' and 'max' | 'base'. */
  phases: { endStep: number; start: 'initial' | 'max'; end: 'initial' | 'max' | 'min'; startM: 'max' | 'base'; endM: 'max' | 'base' }[];
}

/**
 * The 1cycle policy, as PyTorch's `OneCycleLR`: the lr rises from maxLr/divFactor to maxLr over
 * `pctStart` of the cycle, then anneals to initial/finalDivFactor, while momentum (or Adam's beta1)
 * cycles the other way between maxMomentum and baseMomentum. Call `step()` after every batch.
 * @example new OneCycleLR(opt, { maxLr: 0.1, epochs: 10, stepsPerEpoch: loader.length })
 */
export class OneCycleLR extends LRScheduler<OneCycleState> {
  constructor(optimizer: AnyOptimizer, options: OneCycleLROptions) {
    const owner = 'OneCycleLR';
    const groups = optimizer?.paramGroups?.length ?? 0;
    let totalSteps: number;
    if (options?.totalSteps !== undefined) totalSteps = int(owner, 'totalSteps', options.totalSteps, 1);
    else if (options?.epochs !== undefined && options.stepsPerEpoch !== undefined) {
      totalSteps = int(owner, 'epochs', options.epochs, 1) * int(owner, 'stepsPerEpoch', options.stepsPerEpoch, 1);
    } else throw new DlError(`${owner}: give totalSteps, or epochs and stepsPerEpoch`);
    const pct = options.pctStart ?? 0.3;
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 1)) throw new DlError(`${owner}: pctStart must be in [0, 1], got ${String(pct)}`);
    const annealStrategy = options.annealStrategy ?? 'cos';
    if (annealStrategy !== 'cos' && annealStrategy !== 'linear') throw new DlError(`${owner}: annealStrategy must be 'cos' or 'linear', got '${String(annealStrategy)}'`);
    const divFactor = checkFiniteNumber(owner, 'divFactor', options.divFactor ?? 25);
    const finalDivFactor = checkFiniteNumber(owner, 'finalDivFactor', options.finalDivFactor ?? 1e4);
    const maxLrs = perGroup(owner, 'maxLr values', options.maxLr, groups).map((v) => checkFiniteNumber(owner, 'maxLr', v));
    const initialLrs = maxLrs.map((m) => m / divFactor);
    const minLrs = initialLrs.map((l) => l / finalDivFactor);
    const threePhase = options.threePhase ?? false;
    const phases: OneCycleState['phases'] = threePhase
      ? [
          { endStep: pct * totalSteps - 1, start: 'initial', end: 'max', startM: 'max', endM: 'base' },
          { endStep: 2 * pct * totalSteps - 2, start: 'max', end: 'initial', startM: 'base', endM: 'max' },
          { endStep: totalSteps - 1, start: 'initial', end: 'min', startM: 'max', endM: 'max' },
        ]
      : [
          { endStep: pct * totalSteps - 1, start: 'initial', end: 'max', startM: 'max', endM: 'base' },
          { endStep: totalSteps - 1, start: 'max', end: 'min', startM: 'base', endM: 'max' },
        ];
    const cycleMomentum = options.cycleMomentum ?? true;
    const defaults = (optimizer?.defaults ?? {}) as Record<string, unknown>;
    const useBeta1 = 'betas' in defaults;
    if (cycleMomentum && !useBeta1 && !('momentum' in defaults)) {
      throw new DlError(`${owner}: optimizer must support momentum or beta1 with the cycleMomentum option enabled`);
    }
    const maxMomentums = perGroup(owner, 'maxMomentum values', options.maxMomentum ?? 0.95, groups);
    const baseMomentums = perGroup(owner, 'baseMomentum values', options.baseMomentum ?? 0.85, groups);
    // As PyTorch: each group starts at the initial lr (its initialLr) and, when cycling, at maxMomentum.
    optimizer.paramGroups.forEach((g, i) => {
      g.initialLr = initialLrs[i]!;
      g.lr = initialLrs[i]!;
    });
    super(optimizer, { totalSteps, annealStrategy, cycleMomentum, useBeta1, initialLrs, maxLrs, minLrs, maxMomentums, baseMomentums, phases });
  }

  protected getLr(): number[] {
    const o = this.options;
    const step = this.lastEpoch;
    if (step > o.totalSteps) {
      throw new DlError(`OneCycleLR.step: tried to step ${step} times; the specified number of total steps is ${o.totalSteps}`);
    }
    const anneal = (start: number, end: number, pct: number) =>
      o.annealStrategy === 'cos' ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
    return this.optimizer.paramGroups.map((g, i) => {
      const lrOf = { initial: o.initialLrs[i]!, max: o.maxLrs[i]!, min: o.minLrs[i]! };
      const mOf = { max: o.maxMomentums[i]!, base: o.baseMomentums[i]! };
      let startStep = 0;
      let lr = 0;
      for (let p = 0; p < o.phases.length; p++) {
        const phase = o.phases[p]!;
        if (step <= phase.endStep || p === o.phases.length - 1) {
          const pct = (step - startStep) / (phase.endStep - startStep);
          lr = anneal(lrOf[phase.start], lrOf[phase.end], pct);
          if (o.cycleMomentum) {
            const m = anneal(mOf[phase.startM], mOf[phase.endM], pct);
            const group = g as unknown as Record<string, unknown>;
            if (o.useBeta1) group.betas = [m, (group.betas as readonly number[])[1]!];
            else group.momentum = m;
          }
          break;
        }
        startStep = phase.endStep;
      }
      return lr;
    });
  }
}

/** Options of `CosineAnnealingWarmRestarts`. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart. */
  T0: number;
  /** The factor by which the period grows after each restart (1). */
  TMult?: number;
  /** The minimum learning rate (0). */
  etaMin?: number;
}

interface WarmRestartsState {
  T0: number;
  TMult: number;
  etaMin: number;
  /** The current period and the epochs since the last restart (PyTorch's T_i and T_cur). */
  Ti: number;
  Tcur: number;
}

/**
 * SGDR, as PyTorch's `CosineAnnealingWarmRestarts`: the lr follows a cosine from the base lr to
 * `etaMin` over T_i epochs, then restarts, with T_i = T0·TMult^restarts. `step(epoch)` also takes a
 * fractional epoch, for per-batch updates: `sched.step(epoch + i / itersPerEpoch)`.
 * @example new CosineAnnealingWarmRestarts(opt, { T0: 10, TMult: 2 })
 */
export class CosineAnnealingWarmRestarts extends LRScheduler<WarmRestartsState> {
  constructor(optimizer: AnyOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    const owner = 'CosineAnnealingWarmRestarts';
    const T0 = int(owner, 'T0', options?.T0, 1);
    const TMult = int(owner, 'TMult', options.TMult ?? 1, 1);
    const etaMin = checkFiniteNumber(owner, 'etaMin', options.etaMin ?? 0);
    super(optimizer, { T0, TMult, etaMin, Ti: T0, Tcur: -1 });
  }

  /** Advances one epoch, or jumps to `epoch` (which may be fractional). */
  override step(epoch?: number): void {
    const o = this.options;
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      o.Tcur += 1;
      if (o.Tcur >= o.Ti) {
        o.Tcur -= o.Ti;
        o.Ti *= o.TMult;
      }
      super.step();
      return;
    }
    if (typeof epoch !== 'number' || !(epoch >= 0)) throw new DlError(`CosineAnnealingWarmRestarts.step: expected a non-negative epoch, got ${String(epoch)}`);
    if (epoch >= o.T0) {
      if (o.TMult === 1) o.Tcur = epoch % o.T0;
      else {
        const n = Math.floor(Math.log((epoch / o.T0) * (o.TMult - 1) + 1) / Math.log(o.TMult));
        o.Tcur = epoch - (o.T0 * (o.TMult ** n - 1)) / (o.TMult - 1);
        o.Ti = o.T0 * o.TMult ** n;
      }
    } else {
      o.Ti = o.T0;
      o.Tcur = epoch;
    }
    super.step();
    this.lastEpoch = Math.floor(epoch);
  }

  protected getLr(): number[] {
    const { etaMin, Ti, Tcur } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * Tcur) / Ti))) / 2);
  }
}
