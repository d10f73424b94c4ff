/** How long to warm up and to sample one timed function. */
export interface MeasureOptions {
  /** Run the function for at least this long before each round of samples (JIT, caches). */
  warmupMs: number;
  /** Milliseconds of sampling per figure, spread over the rounds... */
  minTimeMs: number;
  /** ...and at least this many samples in all (one per round when a run is slower than `slowMs`). */
  minSamples: number;
  /** A run slower than this is timed once per round, after a single warm-up run in the first. */
  slowMs: number;
  /**
   * Each figure is sampled in this many rounds, interleaved with the other frameworks' rounds, so a
   * burst of load from a neighbour on a shared machine hits every framework alike.
   */
  rounds: number;
  /**
   * `wall`: elapsed time. `cpu`: this process's CPU time (user + system), which leaves out the time
   * a busy machine spends running other processes; use it when the cores are shared.
   */
  clock: 'wall' | 'cpu';
}

/** The outcome of timing one function. */
export interface Timing {
  /** Median time of one run over all samples, in milliseconds. */
  medianMs: number;
  /** How many samples were taken in all. */
  samples: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// A sample lasts at least this long, so the CPU clock's microsecond ticks stay negligible.
const MIN_SAMPLE_MS = 2;

/**
 * One round's budget, as `Sampler.round` spends it; a framework timed in another process (PyTorch,
 * python/torch_worker.py) receives it and runs the same procedure there.
 */
export interface RoundPlan {
  clock: 'wall' | 'cpu';
  warmupMs: number;
  slowMs: number;
  /** Samples to take in this round at least... */
  minSamples: number;
  /** ...and milliseconds to keep sampling for. */
  minTimeMs: number;
  /** Runs are batched so one sample lasts at least this long. */
  minSampleMs: number;
  /** Whether an earlier round found a run slower than `slowMs` (undefined before the first round). */
  slow: boolean | undefined;
}

/** The samples of one round, in milliseconds per run, and whether the run turned out slow. */
export interface RoundSamples {
  times: number[];
  slow: boolean;
}

/**
 * Collects samples of one figure over several rounds and gives their median, which shrugs off the
 * occasional GC pause. Each round may time a freshly built function (the same work rebuilt).
 * @example
 * const s = new Sampler(options);
 * for (let r = 0; r < options.rounds; r++) s.round(() => matmul(a, b));
 * s.result().medianMs;
 */
export class Sampler {
  private readonly times: number[] = [];
  private slow: boolean | undefined;

  constructor(private readonly o: MeasureOptions) {}

  /** This round's share of the time and sample budgets, for `round` or for a remote timer. */
  plan(): RoundPlan {
    const o = this.o;
    const rounds = Math.max(1, o.rounds);
    return {
      clock: o.clock, warmupMs: o.warmupMs, slowMs: o.slowMs, minSampleMs: MIN_SAMPLE_MS,
      minSamples: Math.ceil(o.minSamples / rounds), minTimeMs: o.minTimeMs / rounds, slow: this.slow,
    };
  }

  /**
   * Adds a round timed elsewhere by the procedure of `round` (given `plan()`).
   * @example s.record(await worker.timeRound(s.plan()));
   */
  record(r: RoundSamples): void {
    if (r.times.length === 0) throw new Error('Sampler.record: a round without samples');
    this.times.push(...r.times);
    this.slow = r.slow;
  }

  /** Warms `fn` up, then samples it for this round's share of the time and sample budgets. */
  round(fn: () => void): void {
    const p = this.plan();
    const now = p.clock === 'cpu' ? cpuNow : () => performance.now();
    if (p.slow === true) {
      // One run per round: a run this long is its own warm-up.
      const t0 = now();
      fn();
      this.times.push(now() - t0);
      return;
    }
    const wall0 = performance.now();
    let t0 = now();
    fn();
    let runs = 1;
    if (p.slow === undefined && now() - t0 > p.slowMs) {
      this.slow = true;
      this.round(fn);
      return;
    }
    this.slow = false;
    for (; runs < 2 || performance.now() - wall0 < p.warmupMs; runs++) fn();
    const perRun = (now() - t0) / runs;
    const runsPerSample = Math.max(1, Math.ceil(p.minSampleMs / Math.max(perRun, 1e-3)));
    const start = performance.now();
    for (let n = 0; n < p.minSamples || performance.now() - start < p.minTimeMs; n++) {
      t0 = now();
      for (let r = 0; r < runsPerSample; r++) fn();
      this.times.push((now() - t0) / runsPerSample);
    }
  }

  /** The median over every sample taken so far. */
  result(): Timing {
    const t = [...this.times].sort((x, y) => x - y);
    if (t.length === 0) throw new Error('Sampler: no samples taken');
    const mid = t.length >> 1;
    return { medianMs: t.length % 2 === 1 ? t[mid]! : (t[mid - 1]! + t[mid]!) / 2, samples: t.length };
  }
}
