import { DlError } from '@dl/autograd';
import { checkInteger, checkNonNegative } from './checks.js';

/** Options of `EarlyStopping`. */
export interface EarlyStoppingOptions {
  /** Epochs without improvement tolerated; `step` says stop on the `patience`-th one in a row. */
  patience: number;
  /** How much better than the best a metric must be to count as an improvement (default 0: any gain). */
  minDelta?: number;
  /** 'min': the metric should go down (a loss); 'max': up (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
}

/**
 * Stops training when a validation metric has not improved for `patience` epochs in a row (the
 * convention of Keras and PyTorch Lightning). An epoch improves when its metric beats the best so far
 * by more than `minDelta` (below `best − minDelta` in 'min' mode, above `best + minDelta` in 'max'); a
 * NaN metric never improves. The first metric is always an improvement.
 * @example
 * const stopper = new EarlyStopping({ patience: 5 });
 * for (let epoch = 0; ; epoch++) { train(); if (stopper.step(validationLoss())) break; }
 * // restore the weights saved at stopper.bestEpoch
 */
export class EarlyStopping {
  /** Bad epochs in a row that stop training. */
  readonly patience: number;
  /** The smallest gain that counts as an improvement. */
  readonly minDelta: number;
  /** Whether lower ('min') or higher ('max') metrics are better. */
  readonly mode: 'min' | 'max';
  /** The best metric seen (null before the first `step`). */
  bestScore: number | null = null;
  /** The 0-based epoch (`step` call) of the best metric (−1 before the first `step`). */
  bestEpoch = -1;
  /** Consecutive epochs without improvement. */
  numBadEpochs = 0;
  /** The number of `step` calls so far. */
  epochs = 0;

  constructor(options: EarlyStoppingOptions) {
    if (options === null || typeof options !== 'object') throw new DlError('EarlyStopping: expected options { patience, minDelta?, mode? }');
    const mode = options.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new DlError(`EarlyStopping: mode '${String(mode)}' is unknown (expected 'min' or 'max')`);
    checkInteger('EarlyStopping', 'patience', options.patience, 0);
    const minDelta = options.minDelta ?? 0;
    checkNonNegative('EarlyStopping', 'minDelta', minDelta);
    this.patience = options.patience;
    this.minDelta = minDelta;
    this.mode = mode;
  }

  /** Whether `metric` improves on the best so far by more than `minDelta`. */
  isImprovement(metric: number): boolean {
    if (Number.isNaN(metric)) return false;
    if (this.bestScore === null) return true;
    return this.mode === 'min' ? metric < this.bestScore - this.minDelta : metric > this.bestScore + this.minDelta;
  }

  /** Records one epoch's metric; returns true when training should stop (`numBadEpochs` reached `patience`). */
  step(metric: number): boolean {
    if (typeof metric !== 'number') throw new DlError(`EarlyStopping.step: expected a number, got ${typeof metric}`);
    if (this.isImprovement(metric)) {
      this.bestScore = metric;
      this.bestEpoch = this.epochs;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    this.epochs++;
    return this.shouldStop;
  }

  /** Whether the last `step` asked to stop. */
  get shouldStop(): boolean {
    return this.numBadEpochs > 0 && this.numBadEpochs >= this.patience;
  }

  /** Forgets every metric seen, as new. */
  reset(): void {
    this.bestScore = null;
    this.bestEpoch = -1;
    this.numBadEpochs = 0;
    this.epochs = 0;
  }
}
