// Smoke test of the optimizers example: a short run into a temporary folder writes two well-formed SVGs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, run } from '../main.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';

describe('examples/optimizers', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'optimizers-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes trajectories.svg and losses.svg with contours and one path per optimizer', () => {
    const files = run(parseArgs(['--out', out, '--steps', '12', '--model-steps', '4']));
    expect(files.map((f) => path.basename(f))).toEqual(['trajectories.svg', 'losses.svg']);
    for (const f of files) {
      const svg = readFileSync(f, 'utf8');
      const names = expectWellFormedSvg(svg);
      expect(names.filter((n) => n === 'path').length).toBeGreaterThan(4);
      expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+L/);
      for (const name of ['SGD', 'Momentum', 'RMSProp', 'Adam']) expect(svg).toContain(`>${name}</text>`);
    }
    // the trajectory panels hold 14 contour levels each plus four trajectories each
    const traj = readFileSync(files[0]!, 'utf8');
    expect((traj.match(/<path d="M/g) ?? []).length).toBeGreaterThanOrEqual(2 * (14 + 4));
  });

  it('parses its flags and rejects bad ones', () => {
    expect(parseArgs([])).toMatchObject({ steps: 1500, modelSteps: 300, out: path.resolve('examples/out/optimizers') });
    expect(() => parseArgs(['--steps', '0'])).toThrow(/--steps expects a positive integer, got '0'/);
    expect(() => parseArgs(['--speed'])).toThrow(/unknown flag '--speed'/);
  });
});
