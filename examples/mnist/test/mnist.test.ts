import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, save } from '@dl/io';
import { zeros } from '@dl/autograd';
import { parseArgs } from '../args.js';
import { run } from '../train.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';

const quick = (model: string, out: string, extra: string[] = []) =>
  parseArgs(['--model', model, '--epochs', '1', '--limit-batches', '3', '--batch-size', '16', '--train-size', '256', '--test-size', '64', '--hidden', '4', '--out', out, ...extra]);

describe('examples/mnist smoke', () => {
  for (const model of ['cnn', 'mlp', 'manual']) {
    it(`trains ${model} for a few batches and writes weights and a plot that parse`, () => {
      const out = mkdtempSync(join(tmpdir(), 'dl-mnist-'));
      const lines: string[] = [];
      const result = run(quick(model, out), (l) => lines.push(l));
      expect(lines.some((l) => /^epoch 1: train loss \d+\.\d+, train accuracy [\d.]+%, test loss \d+\.\d+, test accuracy [\d.]+%$/.test(l))).toBe(true);
      expect(result.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(result.testAccuracy).toBeLessThanOrEqual(1);
      const weights = load(result.weights);
      const names = Object.keys(weights);
      expect(names.length).toBeGreaterThan(0);
      for (const t of Object.values(weights)) expect(t.data.every((v) => Number.isFinite(v))).toBe(true);
      const svg = readFileSync(result.plot, 'utf8');
      expectWellFormedSvg(svg);
      expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+ L/);
    });
  }

  it('resumes from saved weights and rejects a file with the wrong shapes, writing nothing', () => {
    const out = mkdtempSync(join(tmpdir(), 'dl-mnist-'));
    const first = run(quick('cnn', out), () => {});
    const again = run(quick('cnn', join(out, 'again'), ['--resume', first.weights]), () => {});
    expect(existsSync(again.weights)).toBe(true);
    const bad = join(out, 'bad.safetensors');
    const dict = load(first.weights);
    dict['layers.0.weight'] = zeros([3, 1, 3, 3]);
    save(dict, bad);
    const target = join(out, 'never');
    expect(() => run(quick('cnn', target, ['--resume', bad]), () => {})).toThrow(/layers\.0\.weight.*\[3,1,3,3\]|\[3, 1, 3, 3\]/);
    expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);
    expect(() => run(quick('cnn', target, ['--resume', join(out, 'missing.safetensors')]), () => {})).toThrow(/no such file/);
  });

  it('rejects bad flags with clear messages', () => {
    expect(() => parseArgs(['--bogus', '1'])).toThrow(/unknown flag '--bogus'/);
    expect(() => parseArgs(['--batch-size', '0'])).toThrow(/--batch-size must be an integer >= 1/);
    expect(() => parseArgs(['--batch-size', '2.5'])).toThrow(/--batch-size must be an integer/);
    expect(() => parseArgs(['--epochs'])).toThrow(/'--epochs' needs a value/);
    expect(() => parseArgs(['--lr', 'fast'])).toThrow(/needs a number/);
    expect(() => parseArgs(['--lr', '-1'])).toThrow(/--lr must be positive/);
    expect(() => parseArgs(['--model', 'rnn'])).toThrow(/--model must be cnn, mlp or manual/);
    expect(() => parseArgs(['--optimizer', 'lbfgs'])).toThrow(/--optimizer must be/);
    expect(() => parseArgs(['stray'])).toThrow(/unexpected argument 'stray'/);
    expect(parseArgs([]).model).toBe('cnn');
    expect(parseArgs(['--model=mlp']).hidden).toBe(128);
  });
});
