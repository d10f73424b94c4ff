/** How long to warm up and to sample one timed function. */
export interface MeasureOptions {
  /** Run the function for at least this long before timing it (JIT warm-up). */
  warmupMs: number;
  /** Keep sampling until this much time has been spent timing... */
  minTimeMs: number;
  /** ...and at least this many samples were taken (fewer when one run is slower than `slowMs`). */
  minSamples: number;
  /** A run slower than this lowers the sample floor to 3 and the warm-up to one run. */
  slowMs: number;
  /**
   * `wall`: elapsed time. `cpu`: this process's CPU time (user + system), which leaves out the time
   * a busy machine spends running other processes; use it when the cores are shared.
   */
  clock: 'wall' | 'cpu';
}

/** The outcome of timing one function. */
export interface Timing {
  /** Median time of one run, in milliseconds. */
  medianMs: number;
  /** How many samples were taken (each of `runsPerSample` runs). */
  samples: number;
  runsPerSample: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// A sample lasts at least this long, so the CPU clock's microsecond ticks stay negligible.
const MIN_SAMPLE_MS = 2;

/**
 * Times `fn`: warm-up, then samples of a few runs each until both the time budget and the sample
 * floor are met; returns the median per run, which shrugs off the occasional GC pause.
 * @example measure(() => matmul(a, b), { warmupMs: 200, minTimeMs: 1000, minSamples: 5, slowMs: 1000, clock: 'wall' })
 */
export function measure(fn: () => void, o: MeasureOptions): Timing {
  const now = o.clock === 'cpu' ? cpuNow : () => performance.now();
  const wall0 = performance.now();
  let t0 = now();
  fn();
  let runs = 1;
  const slow = now() - t0 > o.slowMs;
  if (!slow) {
    for (; runs < 2 || performance.now() - wall0 < o.warmupMs; runs++) fn();
  }
  const perRun = (now() - t0) / runs;
  const runsPerSample = slow ? 1 : Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(perRun, 1e-3)));
  const floor = slow ? 3 : o.minSamples;
  const times: number[] = [];
  const start = performance.now();
  while (times.length < floor || performance.now() - start < o.minTimeMs) {
    t0 = now();
    for (let r = 0; r < runsPerSample; r++) fn();
    times.push((now() - t0) / runsPerSample);
    if (slow && times.length >= floor) break;
  }
  times.sort((x, y) => x - y);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, samples: times.length, runsPerSample };
}
