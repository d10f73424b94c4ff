// The autoencoder example's runs: a convolutional autoencoder, a VAE and a GAN on MNIST digits, each
// writing picture grids (PNG) and curves (SVG) under the output folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, full, manualSeed, noGrad, ones, randn, sigmoid, zeros, type Tensor } from '@dl/autograd';
import { binaryCrossEntropyWithLogits, type Module } from '@dl/nn';
import { Adam } from '@dl/optim';
import { DataLoader, TensorDataset, loadMnist, type MnistSplit } from '@dl/data';
import { ProgressBar } from '../shared/progress.js';
import { renderCharts } from '../shared/charts.js';
import { writeGrayGrid } from '../shared/png.js';
import { ConvAutoencoder, GanDiscriminator, GanGenerator, VAE, klDivergence } from './models.js';
import { latentScatterSvg } from './scatter.js';

/** Which model to train. */
export type AutoencoderKind = 'conv' | 'vae' | 'gan';

/** What a run is told. */
export interface AutoencoderArgs {
  models: readonly AutoencoderKind[];
  /** Epochs per model; 0 takes each model's default (conv 4, vae 10, gan 30). */
  epochs: number;
  batchSize: number;
  lr: number;
  latent: number;
  beta: number;
  hidden: number;
  trainSize: number;
  testSize: number;
  seed: number;
  limitBatches: number | undefined;
  out: string;
}

/** The numbers and files one model produced. */
export interface ModelReport {
  model: AutoencoderKind;
  /** conv and vae: the test reconstruction loss (binary cross-entropy, nats per image); gan: NaN. */
  testReconstruction: number;
  /** vae only: the test ELBO per image in nats (higher is better); NaN otherwise. */
  testElbo: number;
  files: string[];
}

const DEFAULT_EPOCHS: Record<AutoencoderKind, number> = { conv: 4, vae: 10, gan: 30 };
const SHOWN = 16;

interface Ctx {
  a: AutoencoderArgs;
  train: MnistSplit;
  test: MnistSplit;
  log: (line: string) => void;
  tty: boolean;
}

function loaderOf(ctx: Ctx): { loader: DataLoader<[Tensor, Tensor]>; batches: number } {
  const loader = new DataLoader(new TensorDataset(ctx.train.images, ctx.train.labels), { batchSize: ctx.a.batchSize, shuffle: true, seed: ctx.a.seed });
  return { loader, batches: Math.min(loader.length, ctx.a.limitBatches ?? Infinity) };
}

/** Summed binary cross-entropy of pixel logits against target pixels in [0, 1], per image. */
function reconstruction(logits: Tensor, x: Tensor): Tensor {
  return binaryCrossEntropyWithLogits(logits, x, { reduction: 'sum' }).div(x.shape[0]!);
}

/** `SHOWN` test digits on the first row and their reconstructions on the second. */
function writeReconstructions(path: string, test: MnistSplit, reconstruct: (x: Tensor) => Tensor): string {
  const x = test.images.slice(0, 0, SHOWN);
  const y = noGrad(() => sigmoid(reconstruct(x)));
  const pixels = new Float32Array(2 * SHOWN * 784);
  pixels.set(x.data, 0);
  pixels.set(y.data, SHOWN * 784);
  writeGrayGrid(path, pixels, 2 * SHOWN, 28, 28, { columns: SHOWN, scale: 2 });
  return path;
}

/** Writes a chart of two curves per epoch (blue, then red) to `path`; returns the path. */
function writeTwoCurves(path: string, title: string, yLabel: string, legend: 'top-right' | 'bottom-right', first: [string, [number, number][]], second: [string, [number, number][]]): string {
  writeFileSync(path, renderCharts([{
    options: { title, xLabel: 'epoch', yLabel, legend },
    series: [
      { name: first[0], color: '#1f77b4', points: first[1] },
      { name: second[0], color: '#d62728', points: second[1] },
    ],
  }]));
  return path;
}

function epochsOf(ctx: Ctx, model: AutoencoderKind): number {
  return ctx.a.epochs === 0 ? DEFAULT_EPOCHS[model] : ctx.a.epochs;
}

function evaluateReconstruction(model: Module, test: MnistSplit, forward: (x: Tensor) => { rec: Tensor; kl?: Tensor }): { rec: number; kl: number } {
  model.eval();
  let rec = 0;
  let kl = 0;
  noGrad(() => {
    for (const [x] of new DataLoader(new TensorDataset(test.images, test.labels), { batchSize: 500 })) {
      const out = forward(x);
      rec += out.rec.item() * x.shape[0]!;
      kl += (out.kl?.item() ?? 0) * x.shape[0]!;
    }
  });
  model.train();
  const n = test.labels.numel();
  return { rec: rec / n, kl: kl / n };
}

function trainConv(ctx: Ctx): ModelReport {
  const { a, log } = ctx;
  const model = new ConvAutoencoder(a.latent, new Generator(a.seed));
  const optimizer = new Adam(model.parameters(), { lr: a.lr });
  const { loader, batches } = loaderOf(ctx);
  const epochs = epochsOf(ctx, 'conv');
  log(`conv autoencoder: latent ${a.latent}, Adam lr ${a.lr}, ${epochs} epochs`);
  const curve: [number, number][] = [];
  let testRec = NaN;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new ProgressBar(`conv  epoch ${epoch}/${epochs}`, batches, ctx.tty ? process.stdout : null);
    let done = 0;
    let sumLoss = 0;
    for (const [x] of loader) {
      if (done === batches) break;
      const loss = reconstruction(model.forward(x), x);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      sumLoss += loss.item();
      done++;
      bar.update(done, done * a.batchSize, sumLoss / done);
    }
    testRec = evaluateReconstruction(model, ctx.test, (x) => ({ rec: reconstruction(model.forward(x), x) })).rec;
    curve.push([epoch, testRec]);
    log(`conv epoch ${epoch}: train reconstruction ${(sumLoss / done).toFixed(2)}, test reconstruction ${testRec.toFixed(2)} nats/image`);
  }
  const png = writeReconstructions(join(a.out, 'conv-reconstructions.png'), ctx.test, (x) => (model.eval(), model.forward(x)));
  return { model: 'conv', testReconstruction: testRec, testElbo: NaN, files: [png] };
}

function trainVae(ctx: Ctx): ModelReport {
  const { a, log } = ctx;
  const g = new Generator(a.seed);
  const model = new VAE(a.latent, a.hidden, g);
  const optimizer = new Adam(model.parameters(), { lr: a.lr });
  const { loader, batches } = loaderOf(ctx);
  const epochs = epochsOf(ctx, 'vae');
  log(`VAE: latent ${a.latent}, hidden ${a.hidden}, beta ${a.beta}, Adam lr ${a.lr}, ${epochs} epochs`);
  const elboCurve: [number, number][] = [];
  const trainCurve: [number, number][] = [];
  const parts = (x: Tensor) => {
    const { logits, mu, logVar } = model.forward(x);
    return { rec: reconstruction(logits, x), kl: klDivergence(mu, logVar).div(x.shape[0]!) };
  };
  let test = { rec: NaN, kl: NaN };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new ProgressBar(`vae   epoch ${epoch}/${epochs}`, batches, ctx.tty ? process.stdout : null);
    let done = 0;
    let sumElbo = 0;
    for (const [x] of loader) {
      if (done === batches) break;
      const { rec, kl } = parts(x);
      const loss = rec.add(kl.mul(a.beta));
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      sumElbo -= rec.item() + kl.item();
      done++;
      bar.update(done, done * a.batchSize, loss.item());
    }
    // The ELBO on test digits uses a sampled z, as in training (train mode draws it).
    model.train();
    test = noGrad(() => {
      let rec = 0;
      let kl = 0;
      for (const [x] of new DataLoader(new TensorDataset(ctx.test.images, ctx.test.labels), { batchSize: 500 })) {
        const p = parts(x);
        rec += p.rec.item() * x.shape[0]!;
        kl += p.kl.item() * x.shape[0]!;
      }
      const n = ctx.test.labels.numel();
      return { rec: rec / n, kl: kl / n };
    });
    trainCurve.push([epoch, sumElbo / done]);
    elboCurve.push([epoch, -(test.rec + test.kl)]);
    log(`vae epoch ${epoch}: train ELBO ${(sumElbo / done).toFixed(2)}, test ELBO ${(-(test.rec + test.kl)).toFixed(2)} nats/image (reconstruction ${test.rec.toFixed(2)}, KL ${test.kl.toFixed(2)})`);
  }
  model.eval();
  const files = [writeReconstructions(join(a.out, 'vae-reconstructions.png'), ctx.test, (x) => model.forward(x).logits)];
  const prior = noGrad(() => sigmoid(model.decode(randn([64, a.latent], { generator: new Generator(a.seed + 1) }))));
  const samples = join(a.out, 'vae-samples.png');
  writeGrayGrid(samples, prior.data, 64, 28, 28, { columns: 8, scale: 2 });
  files.push(samples);
  if (a.latent === 2) {
    const n = Math.min(2000, ctx.test.labels.numel());
    const mu = noGrad(() => model.encode(ctx.test.images.slice(0, 0, n)).mu);
    const scatter = join(a.out, 'vae-latent.svg');
    writeFileSync(scatter, latentScatterSvg(mu.data, ctx.test.labels.data, n));
    files.push(scatter);
  }
  files.push(writeTwoCurves(join(a.out, 'vae-elbo.svg'), 'VAE evidence lower bound', 'ELBO (nats per image)', 'bottom-right', ['train', trainCurve], ['test', elboCurve]));
  return { model: 'vae', testReconstruction: test.rec, testElbo: -(test.rec + test.kl), files };
}

function trainGan(ctx: Ctx): ModelReport {
  const { a, log } = ctx;
  const g = new Generator(a.seed);
  const noise = 64;
  const gen = new GanGenerator(noise, a.hidden, g);
  const disc = new GanDiscriminator(a.hidden, g);
  const optG = new Adam(gen.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
  const optD = new Adam(disc.parameters(), { lr: 2e-4, betas: [0.5, 0.999] });
  const { loader, batches } = loaderOf(ctx);
  const epochs = epochsOf(ctx, 'gan');
  log(`GAN: MLP generator and discriminator (hidden ${a.hidden}, dropout 0.3 in D), non-saturating loss, real labels 0.9, Adam 2e-4 betas (0.5, 0.999), ${epochs} epochs`);
  const fixed = randn([64, noise], { generator: new Generator(a.seed + 2) });
  const files: string[] = [];
  const dCurve: [number, number][] = [];
  const gCurve: [number, number][] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new ProgressBar(`gan   epoch ${epoch}/${epochs}`, batches, ctx.tty ? process.stdout : null);
    let done = 0;
    let sumD = 0;
    let sumG = 0;
    for (const [x01] of loader) {
      if (done === batches) break;
      const n = x01.shape[0]!;
      const real = x01.mul(2).sub(1);
      const fake = gen.forward(randn([n, noise], { generator: g }));
      // Discriminator: real → 0.9 (one-sided label smoothing), fake → 0; the fakes are detached, so G is untouched.
      const lossD = binaryCrossEntropyWithLogits(disc.forward(real), full([n, 1], 0.9))
        .add(binaryCrossEntropyWithLogits(disc.forward(fake.detach()), zeros([n, 1])));
      optD.zeroGrad();
      lossD.backward();
      optD.step();
      // Generator, non-saturating: maximise log D(G(z)) by calling the fakes real.
      const lossG = binaryCrossEntropyWithLogits(disc.forward(fake), ones([n, 1]));
      optG.zeroGrad();
      lossG.backward();
      optG.step();
      sumD += lossD.item();
      sumG += lossG.item();
      done++;
      bar.update(done, done * a.batchSize, sumG / done);
    }
    dCurve.push([epoch, sumD / done]);
    gCurve.push([epoch, sumG / done]);
    log(`gan epoch ${epoch}: discriminator loss ${(sumD / done).toFixed(3)}, generator loss ${(sumG / done).toFixed(3)}`);
    gen.eval();
    const images = noGrad(() => gen.forward(fixed).add(1).div(2));
    gen.train();
    const path = join(a.out, `gan-samples-epoch-${String(epoch).padStart(2, '0')}.png`);
    writeGrayGrid(path, images.data, 64, 28, 28, { columns: 8, scale: 2 });
    files.push(path);
  }
  files.push(writeTwoCurves(join(a.out, 'gan-losses.svg'), 'GAN losses', 'binary cross-entropy', 'top-right', ['discriminator', dCurve], ['generator', gCurve]));
  return { model: 'gan', testReconstruction: NaN, testElbo: NaN, files };
}

/** Trains each model in `a.models` in turn and returns what each produced. */
export function run(a: AutoencoderArgs, log: (line: string) => void = console.log): ModelReport[] {
  manualSeed(a.seed);
  const mnist = loadMnist({ trainSize: a.trainSize, testSize: a.testSize, seed: a.seed });
  const ctx: Ctx = { a, train: mnist.train, test: mnist.test, log, tty: log === console.log };
  log(`MNIST: ${a.trainSize} train / ${a.testSize} test digits, pixels in [0, 1]`);
  mkdirSync(a.out, { recursive: true });
  const reports: ModelReport[] = [];
  for (const m of a.models) {
    const r = m === 'conv' ? trainConv(ctx) : m === 'vae' ? trainVae(ctx) : trainGan(ctx);
    log(`wrote ${r.files.join(', ')}`);
    reports.push(r);
  }
  return reports;
}
