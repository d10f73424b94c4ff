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
}

/** The outcome of timing one function. */
export interface Timing {
  /** Median wall time of one run, in milliseconds. */
  medianMs: number;
  /** How many runs were timed. */
  samples: number;
}

/**
 * Times `fn`: warm-up, then one sample per call until both the time budget and the sample floor are
 * met; returns the median, which shrugs off the occasional GC pause or a neighbour on the shared core.
 * @example measure(() => matmul(a, b), { warmupMs: 200, minTimeMs: 1000, minSamples: 5, slowMs: 1000 })
 */
export function measure(fn: () => void, o: MeasureOptions): Timing {
  let t0 = performance.now();
  fn();
  const first = performance.now() - t0;
  const slow = first > o.slowMs;
  if (!slow) {
    for (let runs = 1; runs < 2 || performance.now() - t0 < o.warmupMs; runs++) fn();
  }
  const times: number[] = [];
  const floor = slow ? 3 : o.minSamples;
  t0 = performance.now();
  while (times.length < floor || performance.now() - t0 < o.minTimeMs) {
    const s = performance.now();
    fn();
    times.push(performance.now() - s);
    if (slow && times.length >= floor) break;
  }
  times.sort((x, y) => x - y);
  const mid = times.length >> 1;
  const medianMs = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { medianMs, samples: times.length };
}
