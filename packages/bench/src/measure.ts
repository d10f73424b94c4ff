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

  /** Warms `fn` up, then samples it for this round's share of the time and sample budgets. */
  round(fn: () => void): void {
    const o = this.o;
    const now = o.clock === 'cpu' ? cpuNow : () => performance.now();
    const rounds = Math.max(1, o.rounds);
    if (this.slow === true) {
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
    if (this.slow === undefined && now() - t0 > o.slowMs) {
      this.slow = true;
      this.round(fn);
      return;
    }
    this.slow = false;
    for (; runs < 2 || performance.now() - wall0 < o.warmupMs; runs++) fn();
    const perRun = (now() - t0) / runs;
    const runsPerSample = Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(perRun, 1e-3)));
    const minSamples = Math.ceil(o.minSamples / rounds);
    const start = performance.now();
    for (let n = 0; n < minSamples || performance.now() - start < o.minTimeMs / rounds; n++) {
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
