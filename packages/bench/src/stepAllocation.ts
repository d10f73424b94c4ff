// The bench's "bytes allocated per training step" figures, for dl's steps (see allocation.ts for how).
import { bytes, canMeasureAllocation, measureAllocation, type Allocation } from './allocation.js';
import { table } from './report.js';
import { isRemote, isUnsupported, type Built, type GradientStep, type LocalGradientStep, type LocalTrainer, type Trainer } from './workloads.js';

/** What one training step allocated, or why it was not measured. */
export type StepAllocation = Allocation | { reason: string };

/**
 * Builds a trainer and counts the bytes one of its steps allocates, over enough steps to fill
 * `budgetMs` (at least 10, at most 2,000) after half as many warm-up steps (at least 3): the JIT's
 * first compilations count as heap, and the first 100 MLP steps allocate about a fifth more than
 * later ones. Never throws: a failure becomes the reason.
 * @example await measureStepAllocation(() => dl().mlp(mlpData()), 300)
 */
export async function measureStepAllocation(build: () => Built<Trainer | GradientStep>, budgetMs: number): Promise<StepAllocation> {
  if (!canMeasureAllocation()) return { reason: 'this Node has no v8.GCProfiler (Node >= 18.15 has)' };
  let trainer: Trainer | GradientStep | undefined;
  try {
    const built = await build();
    if (isUnsupported(built)) return { reason: built.unsupported };
    trainer = built;
    if (isRemote(built)) return { reason: 'runs in another process' };
    const local = built as LocalTrainer | LocalGradientStep;
    const t0 = performance.now();
    local.step();
    const ms = Math.max(performance.now() - t0, 1e-3);
    const runs = Math.min(2000, Math.max(10, Math.ceil(budgetMs / ms)));
    return measureAllocation(() => void local.step(), runs, Math.max(3, Math.ceil(runs / 2)));
  } catch (e) {
    return { reason: `error: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
  } finally {
    trainer?.dispose?.();
  }
}

/**
 * The report's section: one row per step, total bytes per step and its split into the V8 heap and
 * external memory (typed-array storage, wasm growth), with the GCs seen per 100 steps.
 */
export function allocationLines(allocations: ReadonlyMap<string, StepAllocation>, labels: Readonly<Record<string, string>>): string[] {
  const rows = [...allocations].map(([kind, a]) => {
    const label = labels[kind] ?? kind;
    if ('reason' in a) return [label, `n/a (${a.reason})`, '', '', ''];
    return [label, bytes(a.heapBytes + a.externalBytes), bytes(a.heapBytes), bytes(a.externalBytes), (100 * a.gcs / a.runs).toFixed(1)];
  });
  return [
    'bytes allocated per training step, dl: heap = V8 objects, typed arrays = their storage (external memory),',
    'counted as growth + what each GC freed over >= 10 steps (packages/bench/src/allocation.ts); garbage, not footprint',
    table(['workload', 'allocated/step', 'heap', 'typed arrays', 'GCs/100 steps'], rows),
  ];
}
