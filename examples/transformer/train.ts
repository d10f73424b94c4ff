// The attention example's runs: a small transformer learns to reverse (or sort) digit sequences, or
// models names character by character; curves, an attention heat map and sampled names are written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, argmax, manualSeed, noGrad, tensor, type Tensor } from '@dl/autograd';
import { crossEntropy } from '@dl/nn';
import { Adam, clipGradNorm_ } from '@dl/optim';
import { ProgressBar } from '../shared/progress.js';
import { renderCharts } from '../shared/charts.js';
import { Vocab, baselines, batches, loadNames, splitNames, type Batch } from '../charlm/data.js';
import { TinyTransformer, type PositionKind } from './model.js';
import { sequenceBatch, target, type SequenceTask } from './tasks.js';
import { attentionHeatmapSvg } from './heatmap.js';
import { sampleName } from '../shared/sampling.js';

/** What a run is told. */
export interface TransformerArgs {
  task: SequenceTask | 'names';
  length: number;
  steps: number;
  epochs: number;
  batchSize: number;
  lr: number;
  dModel: number;
  heads: number;
  layers: number;
  dimFeedforward: number;
  dropout: number;
  positions: PositionKind;
  testSize: number;
  temperature: number;
  seed: number;
  limitNames: number | undefined;
  out: string;
}

/** What a run produced. */
export interface TransformerResult {
  /** Digit tasks: the share of held-out sequences answered entirely right. */
  sequenceAccuracy: number;
  /** Names: the dev loss in nats per character. */
  devLoss: number;
  files: string[];
}

function describe(model: TinyTransformer, a: TransformerArgs): string {
  const n = model.parameters().reduce((s, p) => s + p.numel(), 0);
  return `transformer: ${a.layers} layers, ${a.heads} heads, dModel ${a.dModel}, feed-forward ${a.dimFeedforward}, ${a.positions} positions (${n} parameters), Adam lr ${a.lr}`;
}

/** Whole-sequence and per-digit accuracy on held-out sequences. */
function evaluateSequences(model: TinyTransformer, x: Tensor, y: Tensor): { sequence: number; digit: number } {
  model.eval();
  const pred = noGrad(() => argmax(model.forward(x), { dim: 2 }));
  model.train();
  const [B, T] = x.shape as [number, number];
  let whole = 0;
  let digits = 0;
  for (let b = 0; b < B; b++) {
    let ok = true;
    for (let t = 0; t < T; t++) {
      const right = pred.data[b * T + t] === y.data[b * T + t];
      digits += right ? 1 : 0;
      ok &&= right;
    }
    whole += ok ? 1 : 0;
  }
  return { sequence: whole / B, digit: digits / (B * T) };
}

function runSequences(a: TransformerArgs, task: SequenceTask, log: (line: string) => void, tty: boolean): TransformerResult {
  const g = new Generator(a.seed);
  const model = new TinyTransformer({ vocabSize: 10, maxLength: a.length, dModel: a.dModel, heads: a.heads, layers: a.layers, dimFeedforward: a.dimFeedforward, dropout: a.dropout, causal: false, positions: a.positions, generator: g });
  const optimizer = new Adam(model.parameters(), { lr: a.lr });
  log(`task: ${task} sequences of ${a.length} digits; ${a.testSize} held-out test sequences never drawn in training`);
  log(describe(model, a));
  const test = sequenceBatch(task, a.testSize, a.length, new Generator(a.seed + 1000), true);
  const data = new Generator(a.seed + 1);
  const perEpoch = Math.ceil(a.steps / a.epochs);
  const lossCurve: [number, number][] = [];
  const accCurve: [number, number][] = [];
  let step = 0;
  let acc = { sequence: 0, digit: 0 };
  for (let epoch = 1; epoch <= a.epochs && step < a.steps; epoch++) {
    const n = Math.min(perEpoch, a.steps - step);
    const bar = new ProgressBar(`epoch ${epoch}/${a.epochs}`, n, tty ? process.stdout : null);
    let sum = 0;
    for (let i = 1; i <= n; i++) {
      const { x, y } = sequenceBatch(task, a.batchSize, a.length, data, false);
      const loss = crossEntropy(model.forward(x).reshape(-1, 10), y.reshape(-1));
      optimizer.zeroGrad();
      loss.backward();
      clipGradNorm_(model.parameters(), 1);
      optimizer.step();
      step++;
      sum += loss.item();
      lossCurve.push([step, loss.item()]);
      bar.update(i, i * a.batchSize, sum / i);
    }
    acc = evaluateSequences(model, test.x, test.y);
    accCurve.push([step, acc.sequence]);
    log(`epoch ${epoch} (step ${step}): train loss ${(sum / n).toFixed(4)}, held-out sequence accuracy ${(100 * acc.sequence).toFixed(2)}%, digit accuracy ${(100 * acc.digit).toFixed(2)}%`);
  }
  const files: string[] = [];
  const curves = join(a.out, `${task}-curves.svg`);
  writeFileSync(curves, renderCharts([
    { options: { title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy', legend: 'top-right' }, series: [{ name: 'train (per step)', color: '#1f77b4', points: lossCurve }] },
    { options: { title: 'Held-out whole-sequence accuracy', xLabel: 'step', yLabel: 'accuracy', legend: 'bottom-right' }, series: [{ name: 'test', color: '#d62728', points: accCurve }] },
  ]));
  files.push(curves);
  // Show a test sequence with as many different digits as possible, so the pattern is easy to read.
  let pick = 0;
  let most = 0;
  for (let b = 0; b < Math.min(a.testSize, 200); b++) {
    const distinct = new Set(test.x.data.subarray(b * a.length, (b + 1) * a.length)).size;
    if (distinct > most) [pick, most] = [b, distinct];
  }
  const example = test.x.slice(0, pick, pick + 1);
  const digits = Array.from(example.data);
  const predicted = Array.from(noGrad(() => (model.eval(), argmax(model.forward(example), { dim: 2 }))).data);
  model.train();
  log(`example: ${digits.join('')} → ${predicted.join('')} (expected ${target(task, digits).join('')})`);
  const heat = join(a.out, `${task}-attention.svg`);
  writeFileSync(heat, attentionHeatmapSvg(model.attentionMaps(example), predicted.map(String), digits.map(String), `Attention weights for ${task}(${digits.join('')}) = ${predicted.join('')}: rows are output positions (labelled with the answer), columns input positions`));
  files.push(heat);
  return { sequenceAccuracy: acc.sequence, devLoss: NaN, files };
}

function sampleNames(model: TinyTransformer, vocab: Vocab, count: number, temperature: number, maxLength: number, g: Generator): string[] {
  model.eval();
  const names = noGrad(() =>
    Array.from({ length: count }, () =>
      sampleName((tokens) => model.forward(tensor([[...tokens]])).slice(1, tokens.length - 1, tokens.length).reshape(vocab.size), vocab.chars, temperature, maxLength - 1, g),
    ),
  );
  model.train();
  return names;
}

function runNames(a: TransformerArgs, log: (line: string) => void, tty: boolean): TransformerResult {
  let names = loadNames();
  if (a.limitNames !== undefined) names = names.slice(0, a.limitNames);
  const vocab = new Vocab(names);
  const split = splitNames(names, a.seed);
  const base = baselines(split, vocab);
  const maxLength = Math.max(...names.map((n) => n.length)) + 1;
  const g = new Generator(a.seed);
  const model = new TinyTransformer({ vocabSize: vocab.size, maxLength, dModel: a.dModel, heads: a.heads, layers: a.layers, dimFeedforward: a.dimFeedforward, dropout: a.dropout, causal: true, positions: a.positions, generator: g });
  const optimizer = new Adam(model.parameters(), { lr: a.lr });
  log(`names: ${split.train.length} train / ${split.dev.length} dev; baselines on dev: unigram ${base.unigram.toFixed(4)}, bigram ${base.bigram.toFixed(4)} nats/char`);
  log(`${describe(model, a)}, causal`);
  const lossOf = (b: Batch): Tensor => crossEntropy(model.forward(b.x).reshape(-1, vocab.size), b.y.reshape(-1), { reduction: 'sum' });
  const dev = batches(split.dev, vocab, 256);
  const devChars = dev.reduce((n, b) => n + b.count, 0);
  const devLoss = () => {
    model.eval();
    const l = noGrad(() => dev.reduce((s, b) => s + lossOf(b).item(), 0)) / devChars;
    model.train();
    return l;
  };
  const trainCurve: [number, number][] = [];
  const devCurve: [number, number][] = [[0, devLoss()]];
  for (let epoch = 1; epoch <= a.epochs; epoch++) {
    const train = batches(split.train, vocab, a.batchSize, g);
    const bar = new ProgressBar(`epoch ${epoch}/${a.epochs}`, train.length, tty ? process.stdout : null);
    let sum = 0;
    let chars = 0;
    train.forEach((b, i) => {
      const loss = lossOf(b);
      optimizer.zeroGrad();
      loss.div(b.count).backward();
      clipGradNorm_(model.parameters(), 1);
      optimizer.step();
      sum += loss.item();
      chars += b.count;
      trainCurve.push([epoch - 1 + (i + 1) / train.length, loss.item() / b.count]);
      bar.update(i + 1, (i + 1) * a.batchSize, sum / chars);
    });
    devCurve.push([epoch, devLoss()]);
    log(`epoch ${epoch}: train loss ${(sum / chars).toFixed(4)}, dev loss ${devCurve.at(-1)![1].toFixed(4)} nats/char (bigram ${base.bigram.toFixed(4)})`);
  }
  const samples = sampleNames(model, vocab, 20, a.temperature, maxLength, new Generator(a.seed + 1));
  log(`20 sampled names (temperature ${a.temperature}): ${samples.join(', ')}`);
  const flat = (v: number): [number, number][] => [[0, v], [a.epochs, v]];
  const curves = join(a.out, 'names-loss.svg');
  writeFileSync(curves, renderCharts([{
    options: { title: 'Character-level transformer on names', xLabel: 'epoch', yLabel: 'nats per character', legend: 'top-right', width: 640, height: 400 },
    series: [
      { name: 'train (per batch)', color: '#9ecae1', points: trainCurve },
      { name: 'dev (per epoch)', color: '#d62728', points: devCurve },
      { name: 'unigram baseline', color: '#7f7f7f', points: flat(base.unigram), dashed: true },
      { name: 'bigram baseline', color: '#2ca02c', points: flat(base.bigram), dashed: true },
    ],
  }]));
  const example = '.' + (split.dev[0] ?? 'anna');
  const ids = [...example].map((c) => (c === '.' ? 0 : vocab.indexOf(c)));
  const heat = join(a.out, 'names-attention.svg');
  writeFileSync(heat, attentionHeatmapSvg(model.attentionMaps(tensor([ids])), [...example], [...example], `Causal attention over '${example.slice(1)}': rows are positions predicting the next character`));
  return { sequenceAccuracy: NaN, devLoss: devCurve.at(-1)![1], files: [curves, heat] };
}

/** Runs the chosen task, logging through `log`; writes its pictures to `a.out`. */
export function run(a: TransformerArgs, log: (line: string) => void = console.log): TransformerResult {
  manualSeed(a.seed);
  mkdirSync(a.out, { recursive: true });
  const tty = log === console.log;
  const start = performance.now();
  const r = a.task === 'names' ? runNames(a, log, tty) : runSequences(a, a.task, log, tty);
  log(`done in ${((performance.now() - start) / 60000).toFixed(2)} min; wrote ${r.files.join(', ')}`);
  return r;
}

