// The regularization example (course chapter 3.1): an MLP over-fits 1,000 MNIST digits; dropout,
// weight decay and batch norm each narrow the gap between train and test accuracy.
import { runMain } from '../shared/flags.js';
import { METHODS, type Method } from './models.js';
import { run } from './train.js';

/** The example's flags. */
export const FLAGS = {
  epochs: { kind: 'int', default: 40, min: 1, help: 'passes over the training set' },
  'batch-size': { kind: 'int', default: 50, min: 1, help: 'samples per step' },
  lr: { kind: 'number', default: 1e-3, min: 1e-9, help: 'Adam learning rate' },
  hidden: { kind: 'int', default: 256, min: 1, help: 'units in each of the two hidden layers' },
  dropout: { kind: 'number', default: 0.5, min: 0, max: 0.99, help: 'dropout probability after each hidden layer' },
  'input-dropout': { kind: 'number', default: 0.2, min: 0, max: 0.99, help: 'dropout probability on the pixels' },
  'weight-decay': { kind: 'number', default: 3e-3, min: 0, help: 'L2 weight decay' },
  'train-size': { kind: 'int', default: 1000, min: 2, help: 'training digits' },
  'test-size': { kind: 'int', default: 5000, min: 1, help: 'test digits' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed for weights, split and shuffling' },
  only: { kind: 'optionalString', help: `comma-separated subset of ${METHODS.join(',')}` },
  out: { kind: 'string', default: 'examples/out/regularization', help: 'output folder' },
} as const;

/** Which methods `--only` names (all by default); throws on an unknown one. */
export function pickMethods(only: string | undefined): Method[] {
  if (only === undefined) return [...METHODS];
  const names = only.split(',').map((s) => s.trim());
  for (const n of names) if (!(METHODS as readonly string[]).includes(n)) throw new Error(`--only: unknown method '${n}' (use ${METHODS.join(', ')})`);
  return names as Method[];
}

const HEADING = `Usage: pnpm run regularization [-- flags]

Trains an MLP on 1,000 MNIST digits four ways (plain, dropout, weight decay, batch norm) from the
same seed, prints a table of train/test accuracy and the train-test gap, and writes curves.svg.`;

if (process.argv[1]?.endsWith('regularization/main.js')) {
  runMain('regularization', HEADING, FLAGS, (f) => run({ ...f, methods: pickMethods(f.only) }));
}
