// Bytes allocated per call of a function, for the bench's "allocated per step" figures.
//
// Node 20 has no cumulative allocation counter (V8's heap statistics give what is in use now, and
// `total_allocated_bytes` only arrived in later V8s), so this counts allocation as growth plus what
// the collector freed: over a window of runs,
//
//   allocated = (in use at the end − in use at the start) + Σ over the GCs in the window (in use before − after),
//
// reading the before/after figures of each GC from v8.GCProfiler (Node ≥ 18.15). It does so twice:
// for the V8 heap (`used_heap_size`: JS objects, including typed arrays of ≤ 64 bytes, whose data V8
// keeps on the heap) and for external memory (`external_memory`: ArrayBuffer backing stores, that is
// tensor storage, plus wasm memory growth). V8 frees dead backing stores on a background thread after
// the GC by default, which would hide them from the after-GC figure; `--no-concurrent-array-buffer-
// sweeping`, switched on for the window only, frees them in the GC pause instead; a full GC just
// before the window finishes any sweep still pending from before it.
//
// Caveats: the figures are what the step asked of the allocators, not its footprint (most of it is
// garbage by the next step); code and feedback the JIT writes while the step runs count as heap; a
// function that frees memory without a GC (tfjs's dispose, wasm memories) would be under-counted by
// what it frees, so the figures are meant for dl, whose tensors are ordinary typed arrays.
import v8 from 'node:v8';
import vm from 'node:vm';

/** What one call of a function allocated, on average over `runs` calls. */
export interface Allocation {
  /** Bytes of V8 heap (JS objects, small typed arrays) per call. */
  heapBytes: number;
  /** Bytes of external memory (ArrayBuffer backing stores, wasm memory growth) per call. */
  externalBytes: number;
  /** Calls measured. */
  runs: number;
  /** Garbage collections during the measured calls. */
  gcs: number;
}

interface GcHeap {
  usedHeapSize: number;
  externalMemory: number;
}

interface GcProfile {
  statistics: { beforeGC: { heapStatistics: GcHeap }; afterGC: { heapStatistics: GcHeap } }[];
}

// @types/node 20 does not declare GCProfiler (Node 18.15/19.6+); its shape is documented in Node's v8 docs.
type Profiler = { start(): void; stop(): GcProfile | undefined };
const GCProfiler = (v8 as unknown as { GCProfiler?: new () => Profiler }).GCProfiler;

let gc: (() => void) | undefined;

/** A full GC, through Node's `gc()` (switched on at run time when the process started without --expose-gc). */
function collect(): void {
  if (gc === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gc = g;
    else {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    }
  }
  gc();
}

/** Whether this Node can count allocations (it has v8.GCProfiler). */
export function canMeasureAllocation(): boolean {
  return GCProfiler !== undefined;
}

/**
 * Calls `fn` `warmup` times, then `runs` times while counting what it allocates (see the comment at
 * the top of this file for the method), and returns the bytes per call. Throws where
 * `canMeasureAllocation()` is false.
 * @example const a = measureAllocation(() => trainer.step(), 50); a.heapBytes + a.externalBytes
 */
export function measureAllocation(fn: () => void, runs: number, warmup = 3): Allocation {
  if (GCProfiler === undefined) throw new Error('measureAllocation: this Node has no v8.GCProfiler');
  if (!(runs >= 1)) throw new Error(`measureAllocation: runs must be at least 1, got ${runs}`);
  for (let i = 0; i < warmup; i++) fn();
  v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  const profiler = new GCProfiler();
  try {
    collect();
    profiler.start();
    const before = v8.getHeapStatistics();
    for (let i = 0; i < runs; i++) fn();
    const after = v8.getHeapStatistics();
    const gcs = profiler.stop()?.statistics ?? [];
    let heap = after.used_heap_size - before.used_heap_size;
    let external = after.external_memory - before.external_memory;
    for (const { beforeGC, afterGC } of gcs) {
      heap += beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize;
      external += beforeGC.heapStatistics.externalMemory - afterGC.heapStatistics.externalMemory;
    }
    return { heapBytes: heap / runs, externalBytes: external / runs, runs, gcs: gcs.length };
  } finally {
    v8.setFlagsFromString('--concurrent-array-buffer-sweeping');
  }
}

/** Bytes in decimal units with three significant digits: `512 B`, `33.0 kB`, `1.21 MB`. */
export function bytes(n: number): string {
  const a = Math.abs(n);
  const [v, unit] = a >= 1e9 ? [n / 1e9, 'GB'] : a >= 1e6 ? [n / 1e6, 'MB'] : a >= 1e3 ? [n / 1e3, 'kB'] : [n, 'B'];
  if (unit === 'B') return `${Math.round(v)} B`;
  const av = Math.abs(v);
  return `${av >= 100 ? v.toFixed(0) : av >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit}`;
}
