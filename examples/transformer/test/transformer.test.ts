import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Generator, tensor } from '@dl/autograd';
import { parseFlags } from '../../shared/flags.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';
import { FLAGS } from '../main.js';
import { TinyTransformer } from '../model.js';
import { isHeldOut, sequenceBatch, target } from '../tasks.js';
import { run } from '../train.js';

describe('examples/transformer tasks', () => {
  it('reverses and sorts, and never draws a held-out sequence for training', () => {
    expect(target('reverse', [1, 2, 3])).toEqual([3, 2, 1]);
    expect(target('sort', [3, 1, 2, 1])).toEqual([1, 1, 2, 3]);
    const g = new Generator(0);
    const train = sequenceBatch('reverse', 200, 6, g, false);
    const test = sequenceBatch('reverse', 50, 6, g, true);
    for (let b = 0; b < 200; b++) expect(isHeldOut(train.x.data.subarray(b * 6, b * 6 + 6))).toBe(false);
    for (let b = 0; b < 50; b++) {
      const row = Array.from(test.x.data.subarray(b * 6, b * 6 + 6));
      expect(isHeldOut(row)).toBe(true);
      expect(Array.from(test.y.data.subarray(b * 6, b * 6 + 6))).toEqual(row.reverse());
    }
  });

  it('a causal model does not let a position see later tokens', () => {
    const m = new TinyTransformer({ vocabSize: 5, maxLength: 6, dModel: 8, heads: 2, layers: 2, dimFeedforward: 16, dropout: 0, causal: true, positions: 'sinusoidal', generator: new Generator(1) });
    m.eval();
    const a = m.forward(tensor([[1, 2, 3, 4]]));
    const b = m.forward(tensor([[1, 2, 0, 0]]));
    expect(Array.from(a.data.subarray(0, 10))).toEqual(Array.from(b.data.subarray(0, 10)));
    const maps = m.attentionMaps(tensor([[1, 2, 3]]));
    expect(maps).toHaveLength(2);
    expect(maps[0]).toHaveLength(2);
    expect(maps[0]![0]![0]).toEqual([1, 0, 0]);
    for (const row of maps[1]![1]!) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('trains on reversal briefly and writes curves and an attention heat map', () => {
    const out = mkdtempSync(join(tmpdir(), 'dl-tf-'));
    const f = parseFlags(['--steps', '6', '--epochs', '2', '--batch-size', '8', '--length', '5', '--test-size', '20', '--d-model', '16', '--dim-feedforward', '16', '--out', out], FLAGS);
    const lines: string[] = [];
    const r = run({ ...f, limitNames: undefined }, (l) => lines.push(l));
    expect(r.sequenceAccuracy).toBeGreaterThanOrEqual(0);
    expect(lines.some((l) => /^epoch 2 \(step 6\): train loss \d+\.\d+, held-out sequence accuracy [\d.]+%, digit accuracy [\d.]+%$/.test(l))).toBe(true);
    const heat = expectWellFormedSvg(readFileSync(join(out, 'reverse-attention.svg'), 'utf8'));
    // 2 layers x 4 heads of 5x5 cells (each opened and closed around its tooltip), a frame per panel, the background
    expect(heat.filter((n) => n === 'rect')).toHaveLength(2 * 4 * (2 * 25 + 1) + 1);
    expect(heat.filter((n) => n === 'title')).toHaveLength(2 * 2 * 4 * 25);
    expectWellFormedSvg(readFileSync(join(out, 'reverse-curves.svg'), 'utf8'));
  });

  it('trains the names language model briefly and samples names', () => {
    const out = mkdtempSync(join(tmpdir(), 'dl-tf-'));
    const f = parseFlags(['--task', 'names', '--epochs', '1', '--limit-names', '200', '--d-model', '16', '--dim-feedforward', '16', '--out', out], FLAGS);
    const lines: string[] = [];
    const r = run({ ...f, limitNames: 200 }, (l) => lines.push(l));
    expect(r.devLoss).toBeGreaterThan(0);
    expect(lines.some((l) => /^20 sampled names \(temperature 0\.8\): /.test(l))).toBe(true);
    expectWellFormedSvg(readFileSync(join(out, 'names-attention.svg'), 'utf8'));
  });
});
