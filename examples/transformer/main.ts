// The self-attention example (course chapter 4.1): a small transformer reverses (or sorts) digit
// sequences it has never seen, and shows where its heads look; `--task names` turns it into a
// character-level language model on the names of the recurrent-network example.
import { runMain } from '../shared/flags.js';
import { run } from './train.js';

/** The example's flags. */
export const FLAGS = {
  task: { kind: 'choice', choices: ['reverse', 'sort', 'names'], default: 'reverse', help: 'what to learn' },
  length: { kind: 'int', default: 8, min: 2, help: 'digits per sequence (reverse, sort)' },
  steps: { kind: 'int', default: 600, min: 1, help: 'training steps (reverse, sort)' },
  epochs: { kind: 'int', default: 6, min: 1, help: 'evaluation rounds the steps are split into (reverse, sort), passes over the names (names)' },
  'batch-size': { kind: 'int', default: 64, min: 1, help: 'sequences per step' },
  lr: { kind: 'number', default: 1e-3, min: 1e-9, help: 'Adam learning rate' },
  'd-model': { kind: 'int', default: 64, min: 1, help: 'model width' },
  heads: { kind: 'int', default: 4, min: 1, help: 'attention heads per layer' },
  layers: { kind: 'int', default: 2, min: 1, help: 'encoder layers' },
  'dim-feedforward': { kind: 'int', default: 128, min: 1, help: 'feed-forward width' },
  dropout: { kind: 'number', default: 0, min: 0, max: 0.99, help: 'dropout in the encoder layers' },
  positions: { kind: 'choice', choices: ['learned', 'sinusoidal'], default: 'learned', help: 'position encoding' },
  'test-size': { kind: 'int', default: 2000, min: 1, help: 'held-out sequences (reverse, sort)' },
  temperature: { kind: 'number', default: 0.8, min: 1e-3, help: 'sampling temperature (names)' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed for weights, data and sampling' },
  'limit-names': { kind: 'int', default: 0, min: 0, help: 'use only the first N names, 0 for all (smoke tests)' },
  out: { kind: 'string', default: 'examples/out/transformer', help: 'output folder' },
} as const;

const HEADING = `Usage: pnpm run transformer [-- flags]

Trains a 2-layer, 4-head transformer to reverse 8-digit sequences, reports whole-sequence accuracy
on held-out sequences, and writes the loss curve and a heat map of every head's attention for one
test sequence; --task sort sorts instead, --task names models names character by character.`;

if (process.argv[1]?.endsWith('transformer/main.js')) {
  runMain('transformer', HEADING, FLAGS, (f) => run({ ...f, limitNames: f.limitNames === 0 ? undefined : f.limitNames }));
}
