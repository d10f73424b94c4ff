import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchNorm1d, Dropout } from '@dl/nn';
import { parseFlags } from '../../shared/flags.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';
import { FLAGS, pickMethods } from '../main.js';
import { makeSetup } from '../models.js';
import { formatTable, run } from '../train.js';

describe('examples/regularization', () => {
  it('builds the same MLP four ways, from the same weights', () => {
    const o = { hidden: 8, lr: 1e-3, dropout: 0.5, inputDropout: 0.2, weightDecay: 1e-3, seed: 3 };
    const plain = makeSetup('plain', o).model;
    const dropout = makeSetup('dropout', o).model;
    const bn = makeSetup('batch-norm', o).model;
    expect(dropout.modules().some((m) => m instanceof Dropout)).toBe(true);
    expect(bn.modules().filter((m) => m instanceof BatchNorm1d)).toHaveLength(2);
    const first = (m: typeof plain) => Array.from(m.parameters()[0]!.data);
    expect(first(dropout)).toEqual(first(plain));
    expect(first(bn)).toEqual(first(plain));
    expect(makeSetup('weight-decay', o).optimizer.paramGroups[0]!.weightDecay).toBe(1e-3);
    expect(makeSetup('plain', o).optimizer.paramGroups[0]!.weightDecay).toBe(0);
  });

  it('trains every method briefly, prints the table and writes a well-formed SVG', () => {
    const out = mkdtempSync(join(tmpdir(), 'dl-reg-'));
    const lines: string[] = [];
    const f = parseFlags(['--epochs', '2', '--hidden', '16', '--train-size', '100', '--test-size', '50', '--out', out], FLAGS);
    const r = run({ ...f, methods: pickMethods(undefined) }, (l) => lines.push(l));
    expect(r.results.map((m) => m.method)).toEqual(['plain', 'dropout', 'weight-decay', 'batch-norm']);
    for (const m of r.results) {
      expect(m.trainCurve).toHaveLength(2);
      expect(m.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.gap).toBeCloseTo(m.trainAccuracy - m.testAccuracy, 12);
      expect(m.lossGap).toBeCloseTo(m.testLoss - m.trainLoss, 12);
      expect(m.trainCurve.at(-1)![1]).toBe(m.trainAccuracy);
    }
    expect(r.table.split('\n')).toHaveLength(5);
    expect(lines.some((l) => /^dropout: accuracy gap -?\d+\.\d+ points smaller than plain's, loss gap -?\d+\.\d+ smaller$/.test(l))).toBe(true);
    const names = expectWellFormedSvg(readFileSync(r.plot, 'utf8'));
    expect(names.filter((n) => n === 'path')).toHaveLength(16);
  });

  it('formats the table and rejects unknown methods', () => {
    const table = formatTable([{ method: 'plain', trainAccuracy: 1, testAccuracy: 0.85, gap: 0.15, trainLoss: 0.01, testLoss: 0.5, lossGap: 0.49, trainCurve: [], testCurve: [], trainLossCurve: [], testLossCurve: [] }]);
    expect(table.split('\n')[0]).toMatch(/^method\s+train acc\s+test acc\s+gap\s+train loss\s+test loss\s+loss gap$/);
    expect(table.split('\n')[1]).toMatch(/^plain\s+100\.00%\s+85\.00%\s+15\.00\s+0\.0100\s+0\.5000\s+0\.4900$/);
    expect(pickMethods('plain,dropout')).toEqual(['plain', 'dropout']);
    expect(() => pickMethods('plain,l3')).toThrow(/--only: unknown method 'l3'/);
  });
});
