// The character-level language model's run: train on 90% of the names, report the dev loss per epoch
// against the unigram and bigram baselines, plot the curves, and sample new names.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, manualSeed, noGrad, type Tensor } from '@dl/autograd';
import { crossEntropy } from '@dl/nn';
import { Adam, EarlyStopping, clipGradNorm_ } from '@dl/optim';
import { save } from '@dl/io';
import { ProgressBar } from '../shared/progress.js';
import { renderCharts } from '../shared/charts.js';
import { Vocab, baselines, batches, loadNames, splitNames, type Batch, type Baselines } from './data.js';
import { CharModel, sampleNames, type CellKind } from './model.js';
import { ManualCharModel } from './manualModel.js';

/** What a run is told. */
export interface CharLmArgs {
  model: CellKind;
  manual: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  embedding: number;
  hidden: number;
  layers: number;
  dropout: number;
  clip: number;
  temperature: number;
  samples: number;
  /** Stop after this many epochs without a better dev loss; 0 never stops early. */
  patience: number;
  seed: number;
  /** Use only this many names (smoke tests); all by default. */
  limitNames: number | undefined;
  out: string;
}

/** What a run produced. */
export interface CharLmResult {
  devLoss: number;
  /** The lowest dev loss of any epoch, and that epoch (1-based). */
  bestDevLoss: number;
  bestEpoch: number;
  baselines: Baselines;
  samples: string[];
  plot: string;
  weights: string;
}

/** One model behind the loop: a training step and a dev evaluation, in nats per character. */
interface Learner {
  description: string;
  /** Trains on one batch; returns the summed loss over its characters. */
  step(b: Batch): number;
  /** The summed loss over a batch's characters, without training. */
  score(b: Batch): number;
  sample(count: number, g: Generator): string[];
  stateDict(): Record<string, Tensor>;
}

function autogradLearner(a: CharLmArgs, vocab: Vocab, g: Generator): Learner {
  const model = new CharModel(a.model, { vocabSize: vocab.size, embedding: a.embedding, hidden: a.hidden, layers: a.layers, dropout: a.dropout, generator: g });
  const optimizer = new Adam(model.parameters(), { lr: a.lr });
  const sumLoss = (b: Batch): Tensor => {
    const [logits] = model.forward(b.x);
    return crossEntropy(logits.reshape(-1, vocab.size), b.y.reshape(-1), { reduction: 'sum' });
  };
  const count = model.parameters().reduce((n, p) => n + p.numel(), 0);
  return {
    description: `${a.model.toUpperCase()} ${a.layers}x${a.hidden}, embedding ${a.embedding} (${count} parameters), Adam lr ${a.lr}, clip ${a.clip}`,
    step(b) {
      model.train();
      const loss = sumLoss(b);
      optimizer.zeroGrad();
      loss.div(b.count).backward();
      clipGradNorm_(model.parameters(), a.clip);
      optimizer.step();
      return loss.item();
    },
    score(b) {
      model.eval();
      return noGrad(() => sumLoss(b).item());
    },
    sample: (n, gen) => sampleNames(model, vocab.chars, { count: n, temperature: a.temperature, maxLength: 20, generator: gen }),
    stateDict: () => model.stateDict(),
  };
}

function manualLearner(a: CharLmArgs, vocab: Vocab, g: Generator): Learner {
  const model = new ManualCharModel(vocab.size, a.hidden, g);
  return {
    description: `hand-written RNN (tanh) 1x${a.hidden} on one-hot characters with backpropagation through time by hand, SGD lr ${a.lr}, clip ${a.clip}`,
    step: (b) => model.trainStep(b, a.lr, a.clip),
    score: (b) => model.loss(b),
    sample: (n, gen) => model.sample(vocab.chars, n, a.temperature, 20, gen),
    stateDict: () => model.stateDict(),
  };
}

/** Trains as `a` says, logging through `log`; writes the plot and the weights to `a.out`. */
export function run(a: CharLmArgs, log: (line: string) => void = console.log): CharLmResult {
  manualSeed(a.seed);
  let names = loadNames();
  if (a.limitNames !== undefined) names = names.slice(0, a.limitNames);
  const vocab = new Vocab(names);
  const split = splitNames(names, a.seed);
  const base = baselines(split, vocab);
  log(`names: ${names.length} (${split.train.length} train / ${split.dev.length} dev), ${vocab.size} tokens (${vocab.chars.join('')})`);
  log(`baselines on dev: unigram ${base.unigram.toFixed(4)}, bigram ${base.bigram.toFixed(4)} nats/char`);
  const g = new Generator(a.seed);
  const learner = a.manual ? manualLearner(a, vocab, g) : autogradLearner(a, vocab, g);
  log(`model: ${learner.description}`);
  const dev = batches(split.dev, vocab, 512);
  const devChars = dev.reduce((n, b) => n + b.count, 0);
  const devLoss = () => dev.reduce((s, b) => s + learner.score(b), 0) / devChars;
  const trainCurve: [number, number][] = [];
  const devCurve: [number, number][] = [[0, devLoss()]];
  const stopper = a.patience > 0 ? new EarlyStopping({ patience: a.patience }) : null;
  const start = performance.now();
  for (let epoch = 1; epoch <= a.epochs; epoch++) {
    const train = batches(split.train, vocab, a.batchSize, g);
    const bar = new ProgressBar(`epoch ${epoch}/${a.epochs}`, train.length, log === console.log ? process.stdout : null);
    let lossSum = 0;
    let chars = 0;
    train.forEach((b, i) => {
      const loss = learner.step(b);
      lossSum += loss;
      chars += b.count;
      trainCurve.push([epoch - 1 + (i + 1) / train.length, loss / b.count]);
      bar.update(i + 1, (i + 1) * a.batchSize, lossSum / chars);
    });
    const d = devLoss();
    devCurve.push([epoch, d]);
    log(`epoch ${epoch}: train loss ${(lossSum / chars).toFixed(4)}, dev loss ${d.toFixed(4)} nats/char (bigram ${base.bigram.toFixed(4)})`);
    if (stopper?.step(d) === true && epoch < a.epochs) {
      log(`early stop: the dev loss has not improved for ${a.patience} epochs`);
      break;
    }
  }
  const final = devCurve.at(-1)![1];
  const best = devCurve.slice(1).reduce((b, p) => (p[1] < b[1] ? p : b));
  log(
    `done in ${((performance.now() - start) / 60000).toFixed(2)} min: dev loss ${final.toFixed(4)} nats/char (best ${best[1].toFixed(4)} ` +
      `after epoch ${best[0]}), ${(base.bigram - final).toFixed(4)} below the bigram`,
  );
  const samples = learner.sample(a.samples, new Generator(a.seed + 1));
  log(`${a.samples} sampled names (temperature ${a.temperature}): ${samples.join(', ')}`);

  mkdirSync(a.out, { recursive: true });
  const tag = a.manual ? 'manual-rnn' : a.model;
  const flat = (v: number): [number, number][] => [[0, v], [a.epochs, v]];
  const svg = renderCharts([
    {
      options: { title: `Character-level ${tag.toUpperCase()} on names`, xLabel: 'epoch', yLabel: 'nats per character', legend: 'top-right', width: 640, height: 400 },
      series: [
        { name: 'train (per batch)', color: '#9ecae1', points: trainCurve },
        { name: 'dev (per epoch)', color: '#d62728', points: devCurve },
        { name: 'unigram baseline', color: '#7f7f7f', points: flat(base.unigram), dashed: true },
        { name: 'bigram baseline', color: '#2ca02c', points: flat(base.bigram), dashed: true },
      ],
    },
  ]);
  const plot = join(a.out, `${tag}-loss.svg`);
  writeFileSync(plot, svg);
  const weights = join(a.out, `${tag}.safetensors`);
  save(learner.stateDict(), weights, { metadata: { model: tag, vocab: vocab.chars.join(''), devLoss: final.toFixed(4) } });
  log(`wrote ${plot} and ${weights}`);
  return { devLoss: final, bestDevLoss: best[1], bestEpoch: best[0], baselines: base, samples, plot, weights };
}
