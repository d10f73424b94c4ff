// The unsupervised-learning example (course chapter 4.2): a convolutional autoencoder, a variational
// autoencoder and a GAN on MNIST digits, each writing picture grids under examples/out/autoencoder.
import { runMain } from '../shared/flags.js';
import { run, type AutoencoderKind } from './train.js';

/** The example's flags. */
export const FLAGS = {
  model: { kind: 'choice', choices: ['ae', 'conv', 'vae', 'gan', 'all'], default: 'ae', help: 'which model to train (ae: conv then vae; all: conv, vae, then gan)' },
  epochs: { kind: 'int', default: 0, min: 0, help: 'epochs per model, 0 for each model\'s default (conv 4, vae 10, gan 30)' },
  'batch-size': { kind: 'int', default: 64, min: 1, help: 'samples per step' },
  lr: { kind: 'number', default: 1e-3, min: 1e-9, help: 'Adam learning rate of the autoencoders (the GAN uses 2e-4)' },
  latent: { kind: 'int', default: 16, min: 1, help: 'latent size (2 also draws the VAE latent scatter)' },
  beta: { kind: 'number', default: 1, min: 0, help: 'weight of the VAE\'s KL term (beta-VAE)' },
  hidden: { kind: 'int', default: 256, min: 1, help: 'hidden units of the VAE and GAN MLPs' },
  'train-size': { kind: 'int', default: 8000, min: 1, help: 'training digits' },
  'test-size': { kind: 'int', default: 2000, min: 1, help: 'test digits' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed for weights, split, shuffling and noise' },
  'limit-batches': { kind: 'int', default: 0, min: 0, help: 'stop each epoch after N batches, 0 for none (smoke tests)' },
  out: { kind: 'string', default: 'examples/out/autoencoder', help: 'output folder' },
} as const;

const HEADING = `Usage: pnpm run autoencoder [-- flags]

Trains a convolutional autoencoder and a variational autoencoder on MNIST digits (and, with --model gan
or all, a small GAN) and writes grids of test digits beside their reconstructions, samples, the VAE's
ELBO curve, and (with --latent 2) the VAE's latent space coloured by digit class.`;

if (process.argv[1]?.endsWith('autoencoder/main.js')) {
  runMain('autoencoder', HEADING, FLAGS, (f) => {
    const models: AutoencoderKind[] = f.model === 'all' ? ['conv', 'vae', 'gan'] : f.model === 'ae' ? ['conv', 'vae'] : [f.model];
    const reports = run({ ...f, models, limitBatches: f.limitBatches === 0 ? undefined : f.limitBatches });
    for (const r of reports) {
      if (r.model === 'conv') console.log(`conv autoencoder: test reconstruction ${r.testReconstruction.toFixed(2)} nats/image`);
      if (r.model === 'vae') console.log(`VAE: test ELBO ${r.testElbo.toFixed(2)} nats/image (reconstruction ${r.testReconstruction.toFixed(2)})`);
    }
  });
}
