// The training run of the main job: data, model, epochs with a progress bar, evaluation, outputs.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, argmax, eq, noGrad, sum, Generator, type Tensor } from '@dl/autograd';
import { crossEntropy } from '@dl/nn';
import { DataLoader, TensorDataset, loadMnist, type MnistSplit } from '@dl/data';
import { load, save } from '@dl/io';
import type { Args } from './args.js';
import { makeTrainer, type Trainer } from './models.js';
import { shiftImages } from './augment.js';
import { ProgressBar } from '../shared/progress.js';
import { renderCharts } from '../shared/charts.js';

const MNIST_MEAN = 0.1307;
const MNIST_STD = 0.3081;

function correct(logits: Tensor, labels: Tensor): number {
  return sum(eq(argmax(logits, { dim: 1 }), labels)).item();
}

/** Mean cross-entropy and accuracy over a whole split, without recording. */
function evaluate(trainer: Trainer, images: Tensor, labels: Tensor, batchSize: number): { loss: number; accuracy: number } {
  let right = 0;
  let lossSum = 0;
  for (const [x, y] of new DataLoader(new TensorDataset(images, labels), { batchSize: Math.max(batchSize, 256) })) {
    const logits = trainer.predict(x);
    right += correct(logits, y);
    lossSum += noGrad(() => crossEntropy(logits, y, { reduction: 'sum' }).item());
  }
  return { loss: lossSum / labels.numel(), accuracy: right / labels.numel() };
}

/** What a run produced. */
export interface RunResult {
  testAccuracy: number;
  weights: string;
  plot: string;
}

/**
 * Trains as `args` say, printing progress through `log`; writes the weights and the plot to `args.out`
 * only after training succeeded, so bad input never overwrites earlier results.
 */
export function run(args: Args, log: (line: string) => void = console.log): RunResult {
  manualSeed(args.seed);
  const t0 = performance.now();
  const mnist = loadMnist({ trainSize: args.trainSize, testSize: args.testSize, seed: args.seed });
  // Standardise pixels with MNIST's mean and standard deviation, as PyTorch's MNIST examples do.
  const standardise = (s: MnistSplit) => ({ images: s.images.sub(MNIST_MEAN).div(MNIST_STD), labels: s.labels });
  const train = standardise(mnist.train);
  const test = standardise(mnist.test);
  log(`MNIST: ${train.labels.numel()} train / ${test.labels.numel()} test digits loaded in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  const loader = new DataLoader(new TensorDataset(train.images, train.labels), { batchSize: args.batchSize, shuffle: true, seed: args.seed });
  const batches = Math.min(loader.length, args.limitBatches ?? Infinity);
  const trainer = makeTrainer(args, batches * args.epochs);
  if (args.resume !== undefined) {
    if (!existsSync(args.resume)) throw new Error(`--resume: no such file '${args.resume}'`);
    trainer.loadStateDict(load(args.resume));
    log(`resumed from ${args.resume}`);
  }
  log(`model: ${trainer.description}; batch ${args.batchSize}, ${args.epochs} epoch(s), seed ${args.seed}` +
    (args.shift > 0 ? `, images shifted by up to ${args.shift} px` : ''));
  const history = {
    trainLoss: [] as [number, number][],
    testLoss: [] as [number, number][],
    trainAcc: [] as [number, number][],
    testAcc: [] as [number, number][],
  };
  const start = performance.now();
  const background = (0 - MNIST_MEAN) / MNIST_STD;
  const augmentation = new Generator(args.seed + 1);
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const bar = new ProgressBar(`epoch ${epoch}/${args.epochs}`, batches, log === console.log ? process.stdout : null);
    let seen = 0;
    let lossSum = 0;
    let right = 0;
    let done = 0;
    for (const [images, y] of loader) {
      if (done === batches) break;
      const x = shiftImages(images, args.shift, background, augmentation);
      const { loss, logits } = trainer.step(x, y);
      const n = y.numel();
      seen += n;
      lossSum += loss * n;
      right += correct(logits, y);
      done++;
      bar.update(done, seen, lossSum / seen, right / seen);
      history.trainLoss.push([epoch - 1 + done / batches, loss]);
    }
    const { loss: testLoss, accuracy: testAcc } = evaluate(trainer, test.images, test.labels, args.batchSize);
    history.trainAcc.push([epoch, right / seen]);
    history.testAcc.push([epoch, testAcc]);
    history.testLoss.push([epoch, testLoss]);
    log(
      `epoch ${epoch}: train loss ${(lossSum / seen).toFixed(4)}, train accuracy ${((100 * right) / seen).toFixed(2)}%, ` +
        `test loss ${testLoss.toFixed(4)}, test accuracy ${(100 * testAcc).toFixed(2)}%`,
    );
  }
  const minutes = (performance.now() - start) / 60000;
  const final = history.testAcc.at(-1)![1];
  log(`done: test accuracy ${(100 * final).toFixed(2)}% after ${args.epochs} epoch(s) in ${minutes.toFixed(2)} min`);

  mkdirSync(args.out, { recursive: true });
  const weights = join(args.out, `${args.model}.safetensors`);
  save(trainer.stateDict(), weights, { metadata: { model: args.model, hidden: String(args.hidden), testAccuracy: final.toFixed(4) } });
  const svg = renderCharts([
    {
      options: { title: 'Loss', xLabel: 'epoch', yLabel: 'cross-entropy', legend: 'top-right' },
      series: [
        { name: 'train (per batch)', color: '#1f77b4', points: history.trainLoss },
        { name: 'test (per epoch)', color: '#d62728', points: history.testLoss },
      ],
    },
    {
      options: { title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy', legend: 'bottom-right' },
      series: [
        { name: 'train', color: '#1f77b4', points: history.trainAcc },
        { name: 'test', color: '#d62728', points: history.testAcc },
      ],
    },
  ]);
  const plot = join(args.out, `${args.model}-curves.svg`);
  writeFileSync(plot, svg);
  log(`wrote ${weights} and ${plot}`);
  return { testAccuracy: final, weights, plot };
}

