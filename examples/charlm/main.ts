// The recurrent-network example (course chapter 3.2): a character-level language model on English
// first names, reported in nats per character against unigram and bigram baselines.
import { runMain } from '../shared/flags.js';
import { run } from './train.js';

/** The example's flags. */
export const FLAGS = {
  model: { kind: 'choice', choices: ['lstm', 'gru', 'rnn'], default: 'lstm', help: 'recurrent layer' },
  manual: { kind: 'switch', help: 'train the hand-written RNN (tanh, backpropagation through time by hand) instead' },
  epochs: { kind: 'int', default: 10, min: 1, help: 'passes over the training names' },
  'batch-size': { kind: 'int', default: 32, min: 1, help: 'names per step' },
  lr: { kind: 'number', default: 0, min: 0, help: 'learning rate; 0 picks 3e-3 for Adam, 0.5 for the plain SGD of --manual' },
  embedding: { kind: 'int', default: 32, min: 1, help: 'embedding width' },
  hidden: { kind: 'int', default: 128, min: 1, help: 'hidden units per layer' },
  layers: { kind: 'int', default: 1, min: 1, help: 'stacked recurrent layers' },
  dropout: { kind: 'number', default: 0, min: 0, max: 0.99, help: 'dropout between stacked layers' },
  clip: { kind: 'number', default: 1, min: 1e-9, help: 'gradient-norm clipping threshold' },
  temperature: { kind: 'number', default: 0.8, min: 1e-3, help: 'sampling temperature' },
  samples: { kind: 'int', default: 20, min: 0, help: 'names to sample at the end' },
  patience: { kind: 'int', default: 2, min: 0, help: 'stop after N epochs without a better dev loss (EarlyStopping), 0 never' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed for split, weights, shuffling and sampling' },
  'limit-names': { kind: 'int', default: 0, min: 0, help: 'use only the first N names, 0 for all (smoke tests)' },
  out: { kind: 'string', default: 'examples/out/charlm', help: 'output folder' },
} as const;

const HEADING = `Usage: pnpm run charlm [-- flags]

Trains a character-level language model on ~8,400 English first names (90% train, 10% dev),
prints the dev loss per epoch beside the unigram and bigram baselines, writes the loss curves
(SVG) and the weights, and samples new names.`;

if (process.argv[1]?.endsWith('charlm/main.js')) {
  runMain('charlm', HEADING, FLAGS, (f) => run({ ...f, lr: f.lr > 0 ? f.lr : f.manual ? 0.5 : 3e-3, limitNames: f.limitNames === 0 ? undefined : f.limitNames }));
}
