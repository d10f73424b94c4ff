// The regularization example's run: one MLP over-fitting 1,000 MNIST digits, trained four ways from
// the same seed; curves of all four in one SVG and a table of final accuracies and train-test gaps.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { argmax, eq, manualSeed, noGrad, sum, type Tensor } from '@dl/autograd';
import { crossEntropy, type Module } from '@dl/nn';
import { DataLoader, TensorDataset, loadMnist, type MnistSplit } from '@dl/data';
import { ProgressBar } from '../shared/progress.js';
import { renderCharts, type Series } from '../shared/charts.js';
import { METHODS, makeSetup, type Method } from './models.js';

/** What a run is told: sizes, schedule and the regularizers' strengths. */
export interface RegularizationArgs {
  epochs: number;
  batchSize: number;
  lr: number;
  hidden: number;
  dropout: number;
  inputDropout: number;
  weightDecay: number;
  trainSize: number;
  testSize: number;
  seed: number;
  methods: readonly Method[];
  out: string;
}

/** One method's result: its final accuracies and its curves. */
export interface MethodResult {
  method: Method;
  trainAccuracy: number;
  testAccuracy: number;
  /** trainAccuracy − testAccuracy. */
  gap: number;
  trainLoss: number;
  testLoss: number;
  /** testLoss − trainLoss: how much worse the model does on digits it has not seen. */
  lossGap: number;
  /** Accuracy per epoch. */
  trainCurve: [number, number][];
  testCurve: [number, number][];
  /** Cross-entropy per epoch. */
  trainLossCurve: [number, number][];
  testLossCurve: [number, number][];
}

/** What a run produced. */
export interface RegularizationResult {
  results: MethodResult[];
  plot: string;
  table: string;
}

const COLORS: Record<Method, string> = { plain: '#d62728', dropout: '#1f77b4', 'weight-decay': '#2ca02c', 'batch-norm': '#9467bd' };
const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

/** Loss and accuracy over a whole split in eval mode (dropout off, batch norm on running statistics). */
function evaluate(model: Module, split: MnistSplit): { loss: number; accuracy: number } {
  model.eval();
  const out = noGrad(() => {
    let right = 0;
    let loss = 0;
    for (const [x, y] of new DataLoader(new TensorDataset(split.images, split.labels), { batchSize: 500 })) {
      const logits: Tensor = model.forward(x);
      right += sum(eq(argmax(logits, { dim: 1 }), y)).item();
      loss += crossEntropy(logits, y, { reduction: 'sum' }).item();
    }
    return { loss: loss / split.labels.numel(), accuracy: right / split.labels.numel() };
  });
  model.train();
  return out;
}

function trainMethod(method: Method, a: RegularizationArgs, train: MnistSplit, test: MnistSplit, log: (line: string) => void, tty: boolean): MethodResult {
  manualSeed(a.seed);
  const { model, optimizer, description } = makeSetup(method, a);
  log(`${method}: ${description}`);
  const loader = new DataLoader(new TensorDataset(train.images, train.labels), { batchSize: a.batchSize, shuffle: true, seed: a.seed });
  const bar = new ProgressBar(`${method.padEnd(12)}`, a.epochs * loader.length, tty ? process.stdout : null);
  const trainCurve: [number, number][] = [];
  const testCurve: [number, number][] = [];
  const trainLossCurve: [number, number][] = [];
  const testLossCurve: [number, number][] = [];
  let done = 0;
  let seen = 0;
  let lossSum = 0;
  for (let epoch = 1; epoch <= a.epochs; epoch++) {
    for (const [x, y] of loader) {
      const loss = crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      done++;
      seen += y.numel();
      lossSum += loss.item() * y.numel();
      bar.update(done, seen, lossSum / seen);
    }
    const onTrain = evaluate(model, train);
    const onTest = evaluate(model, test);
    trainCurve.push([epoch, onTrain.accuracy]);
    testCurve.push([epoch, onTest.accuracy]);
    trainLossCurve.push([epoch, onTrain.loss]);
    testLossCurve.push([epoch, onTest.loss]);
  }
  const onTrain = evaluate(model, train);
  const onTest = evaluate(model, test);
  return {
    method, trainAccuracy: onTrain.accuracy, testAccuracy: onTest.accuracy, gap: onTrain.accuracy - onTest.accuracy,
    trainLoss: onTrain.loss, testLoss: onTest.loss, lossGap: onTest.loss - onTrain.loss, trainCurve, testCurve, trainLossCurve, testLossCurve,
  };
}

/** The final table: one row per method; accuracies in percent, their gap in points, losses in nats. */
export function formatTable(results: readonly MethodResult[]): string {
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`.padStart(9);
  const num = (v: number, width: number) => v.toFixed(4).padStart(width);
  const head = ['train acc', 'test acc', 'gap', 'train loss', 'test loss', 'loss gap'];
  const lines = [`${'method'.padEnd(14)}${head.map((h, i) => h.padStart(i < 3 ? 10 : 11)).join('')}`];
  for (const r of results) {
    lines.push(
      `${r.method.padEnd(14)} ${pct(r.trainAccuracy)} ${pct(r.testAccuracy)}${(100 * r.gap).toFixed(2).padStart(10)}` +
        `${num(r.trainLoss, 11)}${num(r.testLoss, 11)}${num(r.lossGap, 11)}`,
    );
  }
  return lines.join('\n');
}

/** Runs every method in `a.methods`, logs progress and the table, writes the SVG. */
export function run(a: RegularizationArgs, log: (line: string) => void = console.log): RegularizationResult {
  const tty = log === console.log;
  const mnist = loadMnist({ trainSize: a.trainSize, testSize: a.testSize, seed: a.seed });
  const standardise = (s: MnistSplit): MnistSplit => ({ images: s.images.sub(MNIST_MEAN).div(MNIST_STD), labels: s.labels });
  const train = standardise(mnist.train);
  const test = standardise(mnist.test);
  log(`MNIST: ${a.trainSize} train / ${a.testSize} test digits; MLP 784-${a.hidden}-${a.hidden}-10, Adam lr ${a.lr}, batch ${a.batchSize}, ${a.epochs} epochs, seed ${a.seed}`);
  const results: MethodResult[] = [];
  for (const method of a.methods) {
    const r = trainMethod(method, a, train, test, log, tty);
    log(`${method}: train ${(100 * r.trainAccuracy).toFixed(2)}%, test ${(100 * r.testAccuracy).toFixed(2)}%, gap ${(100 * r.gap).toFixed(2)} points`);
    results.push(r);
  }
  const table = formatTable(results);
  log(`\n${table}`);
  const plain = results.find((r) => r.method === 'plain');
  if (plain !== undefined) {
    for (const r of results) {
      if (r !== plain) {
        log(`${r.method}: accuracy gap ${(100 * (plain.gap - r.gap)).toFixed(2)} points smaller than plain's, loss gap ${(plain.lossGap - r.lossGap).toFixed(4)} smaller`);
      }
    }
  }
  const series = (pick: (r: MethodResult) => [number, number][], suffix: string): Series[] =>
    results.map((r) => ({ name: r.method, color: COLORS[r.method], points: pick(r), dashed: suffix === 'test', unlisted: suffix === 'test' }));
  const svg = renderCharts([
    {
      options: { title: 'Accuracy: train (solid), test (dashed)', xLabel: 'epoch', yLabel: 'accuracy', legend: 'bottom-right', width: 560, height: 420 },
      series: [...series((r) => r.trainCurve, 'train'), ...series((r) => r.testCurve, 'test')],
    },
    {
      options: { title: 'Cross-entropy: train (solid), test (dashed)', xLabel: 'epoch', yLabel: 'nats per digit', legend: 'top-right', width: 560, height: 420 },
      series: [...series((r) => r.trainLossCurve, 'train'), ...series((r) => r.testLossCurve, 'test')],
    },
  ]);
  mkdirSync(a.out, { recursive: true });
  const plot = join(a.out, 'curves.svg');
  writeFileSync(plot, svg);
  log(`wrote ${plot}`);
  return { results, plot, table };
}
