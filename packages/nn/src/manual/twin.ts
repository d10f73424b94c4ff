import { Tensor, markModified, DlError } from '@dl/autograd';
import { allocLike, fmt, hasParams, hasRunningStats, type ManualParamLayer, type ManualRunningStats } from './layer.js';

/**
 * What the copy helpers need of an autograd module: either its own `weight` (and `bias`), as
 * `nn.Linear` and `nn.Conv2d` have, or `modules()` listing its sub-modules in forward order, as any
 * `Module` (`TorchNet`, `TorchCNN`, `Sequential`) does.
 */
export interface TwinModule {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** The running statistics of a normalisation layer (`nn.BatchNorm1d`, `nn.BatchNorm2d`). */
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  numBatchesTracked?: Tensor | null;
  modules?(): Iterable<unknown>;
}

/** The running statistics of a manual layer and of its twin, paired. */
export interface TwinStats {
  manual: ManualRunningStats;
  twin: { runningMean: Tensor; runningVar: Tensor; numBatchesTracked: Tensor };
}

/** A manual layer and the autograd module that holds the same parameters. */
export interface TwinPair {
  /** The position among the layers with parameters (0-based, forward order). */
  index: number;
  manual: ManualParamLayer;
  twin: { weight: Tensor; bias: Tensor };
  /** Whether the twin's weight is the transpose of `manual.W` (Linear: [out, in] vs [in, out]). */
  transposed: boolean;
  /** Both sides' running statistics, when the manual layer keeps them (batch normalisation); else null. */
  stats: TwinStats | null;
}

/**
 * A manual model's layers with parameters, in forward order: the layer itself, or the layers of a
 * `Net`/`CNN` (and of any object with a `layers` array, such as a student's own net).
 */
export function manualParamLayers(manual: object): ManualParamLayer[] {
  if (hasParams(manual)) return [manual];
  const layers = (manual as { layers?: unknown }).layers;
  return Array.isArray(layers) ? layers.flatMap((l: object) => manualParamLayers(l)) : [];
}

/** An autograd model's modules with a weight, in registration (forward) order. */
export function twinParamModules(twin: TwinModule): TwinModule[] {
  if (isTensor(twin.weight)) return [twin];
  if (typeof twin.modules !== 'function') return [];
  return [...twin.modules()].filter((m): m is TwinModule => m !== twin && typeof m === 'object' && m !== null && isTensor((m as TwinModule).weight));
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'data' in x && 'shape' in x;
}

/**
 * Pairs the layers with parameters of a manual model and of its autograd twin, checking that their
 * number and shapes agree (a 2-D manual weight W [in, out] pairs with a twin weight [out, in]).
 * @example pairWithTwin(new manual.Linear(3, 2), new Linear(3, 2)) // [{ index: 0, transposed: true, ... }]
 */
export function pairWithTwin(manual: object, twin: TwinModule, op = 'pairWithTwin'): TwinPair[] {
  const ms = manualParamLayers(manual);
  const ts = twinParamModules(twin);
  if (ms.length !== ts.length) {
    throw new DlError(`${op}: the manual model has ${ms.length} layer(s) with parameters but the twin has ${ts.length} module(s) with a weight`);
  }
  return ms.map((m, index) => {
    const t = ts[index]!;
    const weight = t.weight!;
    const bias = t.bias;
    const transposed = m.twinLayout === undefined ? m.W.ndim === 2 : m.twinLayout === 'transposed';
    const want = transposed ? [m.W.shape[1]!, m.W.shape[0]!] : m.W.shape;
    if (weight.shape.length !== want.length || weight.shape.some((s, i) => s !== want[i])) {
      throw new DlError(
        `${op}: layer ${index} (${m.constructor.name}) has W ${fmt(m.W.shape)}, so the twin's weight should be ${fmt(want)}, but it is ${fmt(weight.shape)}`,
      );
    }
    if (!isTensor(bias)) throw new DlError(`${op}: the twin's layer ${index} has no bias, but ${m.constructor.name} has b ${fmt(m.b.shape)}`);
    if (bias.numel() !== m.b.numel()) {
      throw new DlError(`${op}: layer ${index} (${m.constructor.name}) has b ${fmt(m.b.shape)} but the twin's bias is ${fmt(bias.shape)}`);
    }
    return { index, manual: m, twin: { weight, bias }, transposed, stats: pairStats(m, t, index, op) };
  });
}

function pairStats(m: ManualParamLayer, t: TwinModule, index: number, op: string): TwinStats | null {
  if (!hasRunningStats(m)) return null;
  const { runningMean, runningVar, numBatchesTracked } = t;
  if (!isTensor(runningMean) || !isTensor(runningVar) || !isTensor(numBatchesTracked)) {
    throw new DlError(`${op}: layer ${index} (${m.constructor.name}) keeps running statistics but its twin does not (trackRunningStats: false?)`);
  }
  if (runningMean.numel() !== m.runningMean.numel()) {
    throw new DlError(`${op}: layer ${index} (${m.constructor.name}) has runningMean ${fmt(m.runningMean.shape)} but the twin's is ${fmt(runningMean.shape)}`);
  }
  return { manual: m, twin: { runningMean, runningVar, numBatchesTracked } };
}

/** Copies the running statistics between the sides of a pair: to the twin, or from it. */
function copyStats(stats: TwinStats | null, toTwin: boolean): void {
  if (stats === null) return;
  const { manual: m, twin: t } = stats;
  if (toTwin) {
    t.runningMean.data.set(m.runningMean.data);
    t.runningVar.data.set(m.runningVar.data);
    t.numBatchesTracked.data[0] = m.numBatchesTracked;
    for (const x of [t.runningMean, t.runningVar, t.numBatchesTracked]) markModified(x);
  } else {
    m.runningMean.data.set(t.runningMean.data);
    m.runningVar.data.set(t.runningVar.data);
    m.numBatchesTracked = t.numBatchesTracked.data[0]!;
  }
}

/** Writes `src` into `dst` (same number of elements), transposing a 2-D matrix when asked. */
function copyValues(src: Tensor, dst: Tensor, transposed: boolean): void {
  if (!transposed) {
    dst.data.set(src.data);
    return;
  }
  const [r, c] = src.shape as [number, number];
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) dst.data[j * r + i] = src.data[i * c + j]!;
}

/**
 * `t` (in the twin's layout) in the manual layer's layout: transposed for a Linear weight, else as is.
 * Use it to compare a twin's `weight.grad` with the manual `dW`.
 */
export function toManualLayout(pair: TwinPair, t: Tensor): Tensor {
  if (!pair.transposed) return t;
  const [r, c] = t.shape as [number, number];
  const out = new Tensor(allocLike(t.data), [c, r]);
  copyValues(t, out, true);
  return out;
}

/**
 * Copies the parameters of a manual layer or model into its autograd twin, in place: `Linear`
 * (W [in, out] → weight [out, in]), `Conv2d`, `BatchNorm1d`/`BatchNorm2d` (γ, β and the running
 * statistics) and `LayerNorm` (same layout), and `Net` → `TorchNet`, `CNN` →
 * `TorchCNN` layer by layer, in forward order. Throws naming the layer when shapes differ.
 * @example const fc = new manual.Linear(3, 2); const twin = new Linear(3, 2); copyToTwin(fc, twin);
 */
export function copyToTwin(manual: object, twin: TwinModule): void {
  for (const p of pairWithTwin(manual, twin, 'copyToTwin')) {
    copyValues(p.manual.W, p.twin.weight, p.transposed);
    p.twin.bias.data.set(p.manual.b.data);
    markModified(p.twin.weight);
    markModified(p.twin.bias);
    copyStats(p.stats, true);
  }
}

/**
 * Copies the parameters of an autograd module into its manual twin, in place (the reverse of
 * `copyToTwin`), and clears the manual gradients.
 * @example copyFromTwin(new TorchNet(4, 8, 2), net) // net: a manual Net of the same sizes
 */
export function copyFromTwin(twin: TwinModule, manual: object): void {
  for (const p of pairWithTwin(manual, twin, 'copyFromTwin')) {
    const { weight, bias } = p.twin;
    copyValues(weight, p.manual.W, p.transposed);
    p.manual.b.data.set(bias.data);
    p.manual.dW = null;
    p.manual.db = null;
    copyStats(p.stats, false);
  }
}
