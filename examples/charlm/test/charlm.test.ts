import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '@dl/io';
import { LSTM, RNN } from '@dl/nn';
import { Generator, tensor } from '@dl/autograd';
import { parseFlags } from '../../shared/flags.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';
import { FLAGS } from '../main.js';
import { PAD_TARGET, Vocab, baselines, loadNames, makeBatch, splitNames } from '../data.js';
import { CharModel } from '../model.js';
import { run } from '../train.js';

describe('examples/charlm data', () => {
  it('loads thousands of distinct lower-case names', () => {
    const names = loadNames();
    expect(names.length).toBeGreaterThan(8000);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n === n.toLowerCase() && n.length > 0)).toBe(true);
  });

  it('splits 90/10 by name, disjoint and reproducible', () => {
    const names = loadNames();
    const a = splitNames(names, 0);
    expect(a.dev.length).toBe(Math.round(names.length * 0.1));
    expect(a.train.length + a.dev.length).toBe(names.length);
    const dev = new Set(a.dev);
    expect(a.train.some((n) => dev.has(n))).toBe(false);
    expect(splitNames(names, 0)).toEqual(a);
    expect(splitNames(names, 1).dev).not.toEqual(a.dev);
  });

  it('encodes .name → name. with padding the loss ignores', () => {
    const vocab = new Vocab(['ab', 'b']);
    expect(vocab.chars).toEqual(['.', 'a', 'b']);
    const b = makeBatch(['ab', 'b'], vocab);
    expect(b.x.shape).toEqual([2, 3]);
    expect(Array.from(b.x.data)).toEqual([0, 1, 2, 0, 2, 0]);
    expect(Array.from(b.y.data)).toEqual([1, 2, 0, 2, 0, PAD_TARGET]);
    expect(b.count).toBe(5);
    expect(() => vocab.indexOf('z')).toThrow(/character 'z' is not in the vocabulary/);
  });

  it('computes the count baselines: the bigram beats the unigram on real names, both exact on a toy split', () => {
    // train 'a' twice: pairs (.,a) (a,.) each twice; add-one smoothing over 2 tokens
    const toy = baselines({ train: ['a', 'a'], dev: ['a'] }, new Vocab(['a']));
    // unigram counts: '.' 1+2, 'a' 1+2 → p(a) = p(.) = 1/2
    expect(toy.unigram).toBeCloseTo(Math.log(2), 12);
    // bigram: p(a|.) = (1+2)/(2+2), p(.|a) = (1+2)/(2+2)
    expect(toy.bigram).toBeCloseTo(-Math.log(3 / 4), 12);
    const names = loadNames();
    const real = baselines(splitNames(names, 0), new Vocab(names));
    expect(real.bigram).toBeLessThan(real.unigram);
  });
});

describe('examples/charlm early stopping', () => {
  it('stops once the dev loss has not improved for --patience epochs', () => {
    const out = mkdtempSync(join(tmpdir(), 'dl-charlm-'));
    // A learning rate this high makes the dev loss worse after the first epoch.
    const f = parseFlags(['--epochs', '6', '--patience', '1', '--lr', '3', '--limit-names', '100', '--hidden', '8', '--embedding', '4', '--samples', '0', '--out', out], FLAGS);
    const lines: string[] = [];
    const r = run({ ...f, limitNames: 100 }, (l) => lines.push(l));
    expect(lines.filter((l) => l.startsWith('epoch '))).toHaveLength(2);
    expect(lines).toContain('early stop: the dev loss has not improved for 1 epochs');
    expect(r.bestEpoch).toBe(1);
    expect(r.bestDevLoss).toBeLessThan(r.devLoss);
  });
});

describe('examples/charlm model', () => {
  it('gives logits for every position, and state from each recurrent kind', () => {
    for (const kind of ['rnn', 'gru', 'lstm'] as const) {
      const m = new CharModel(kind, { vocabSize: 5, embedding: 4, hidden: 6, layers: 2, dropout: 0, generator: new Generator(0) });
      const [logits, state] = m.forward(tensor([[0, 1, 2], [0, 3, 4]]));
      expect(logits.shape).toEqual([2, 3, 5]);
      if (kind === 'lstm') expect((state as [unknown, unknown]).length).toBe(2);
      expect(m.rnn).toBeInstanceOf(kind === 'lstm' ? LSTM : kind === 'rnn' ? RNN : m.rnn.constructor);
    }
  });

  for (const extra of [[], ['--model', 'gru'], ['--manual', '--lr', '0.5']]) {
    it(`trains briefly (${extra.join(' ') || 'lstm'}), reports against the baselines, samples names, writes SVG and weights`, () => {
      const out = mkdtempSync(join(tmpdir(), 'dl-charlm-'));
      const f = parseFlags(['--epochs', '1', '--limit-names', '300', '--hidden', '16', '--embedding', '8', '--samples', '5', '--out', out, ...extra], FLAGS);
      const lines: string[] = [];
      const r = run({ ...f, lr: f.lr > 0 ? f.lr : 3e-3, limitNames: 300 }, (l) => lines.push(l));
      expect(r.samples).toHaveLength(5);
      expect(r.samples.every((s) => /^[a-z-]*$/.test(s))).toBe(true);
      expect(Number.isFinite(r.devLoss)).toBe(true);
      expect(r.bestDevLoss).toBeLessThanOrEqual(r.devLoss);
      expect(r.bestEpoch).toBe(1);
      expect(lines.some((l) => /^epoch 1: train loss \d+\.\d+, dev loss \d+\.\d+ nats\/char \(bigram \d+\.\d+\)$/.test(l))).toBe(true);
      const svg = expectWellFormedSvg(readFileSync(r.plot, 'utf8'));
      expect(svg.filter((n) => n === 'path')).toHaveLength(4);
      expect(Object.keys(load(r.weights)).length).toBeGreaterThan(0);
    });
  }
});
