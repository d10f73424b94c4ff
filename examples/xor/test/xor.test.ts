// Smoke and agreement tests of the XOR example: short in-process runs into a temporary folder, the
// hand-written loss gradient against autograd, the twin comparison catching a real difference, the flags.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Generator, manualSeed, tensor } from '@dl/autograd';
import { crossEntropy, Linear } from '@dl/nn';
import { main, parseArgs, run, USAGE, type Options } from '../main.js';
import { toyData } from '../data.js';
import { makeTwins, reluSideFlips, softmaxCrossEntropy, trainTwins, twinDiff } from '../train.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';

const out = mkdtempSync(path.join(tmpdir(), 'xor-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const opts = (over: Partial<Options>): Options => ({ ...parseArgs([])!, out, ...over });

describe('examples/xor run', () => {
  it('trains both twins on XOR well above chance, in agreement, and writes a well-formed SVG', () => {
    const lines: string[] = [];
    const r = run(opts({ steps: 150 }), (l) => lines.push(l));
    for (const t of [r.autograd, r.manual]) {
      expect(t.accuracy).toBeGreaterThanOrEqual(0.95);
      expect(t.losses).toHaveLength(150);
      expect(t.losses.at(-1)!).toBeLessThan(t.losses[0]! / 4);
    }
    // float32: from equal weights the gradients agree to rounding, and no step crossed a ReLU kink,
    // so losses and parameters stay within a few float32 ulps of each other
    expect(r.kinkSteps).toEqual([]);
    expect(r.firstGradDiff).toBeLessThan(1e-6);
    expect(r.maxLossDiff).toBeLessThan(2e-6);
    expect(r.maxParamDiff).toBeLessThan(5e-6);
    expect(r.maxGradDiff).toBeLessThan(1e-6);
    expect(lines[1]).toMatch(/step +autograd loss +manual loss +\|difference\|/);
    expect(lines.filter((l) => /^ +\d+ +\d\.\d{6} +\d\.\d{6} +\S+$/.test(l)).length).toBe(11); // steps 0, 15, ..., 135 and the last, 149
    const pct = `${(100 * r.autograd.accuracy).toFixed(1)}%`;
    expect(lines).toContain(`accuracy: autograd ${pct}, manual ${pct} (chance: 50%)`);
    expect(lines.some((l) => l.startsWith('agreement: max |loss difference|'))).toBe(true);

    expect(r.svg).toBe(path.join(out, 'boundary.svg'));
    const svg = readFileSync(r.svg, 'utf8');
    const names = expectWellFormedSvg(svg);
    expect(names.filter((n) => n === 'circle')).toHaveLength(2 * 200); // the data in both region panels
    expect(names.filter((n) => n === 'rect').length).toBeGreaterThan(2 * 90); // at least one run of cells per grid row
    expect(svg).toContain('fill="rgb(');
    expect(svg).toContain(`>autograd (TorchNet): ${pct}</text>`);
    expect(svg).toContain(`>manual (manual.Net): ${pct}</text>`);
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){149}" fill="none"/); // the 150-point loss curves
  });

  it('agrees to float64 rounding on two moons in float64', () => {
    const r = run(opts({ data: 'moons', steps: 300, dtype: 'float64', seed: 3, hidden: 8, points: 120 }), () => {});
    expect(r.kinkSteps).toEqual([]);
    expect(r.maxLossDiff).toBeLessThan(1e-13);
    expect(r.maxParamDiff).toBeLessThan(1e-13);
    expect(r.maxGradDiff).toBeLessThan(1e-13);
    expect(r.autograd.accuracy).toBe(r.manual.accuracy);
    expect(r.autograd.accuracy).toBeGreaterThan(0.8);
    expect(expectWellFormedSvg(readFileSync(r.svg, 'utf8')).filter((n) => n === 'circle')).toHaveLength(2 * 120);
  });

  it('is reproducible from its seed', () => {
    const a = run(opts({ steps: 20, seed: 7 }), () => {});
    const b = run(opts({ steps: 20, seed: 7 }), () => {});
    const c = run(opts({ steps: 20, seed: 8 }), () => {});
    expect(b.autograd.losses).toEqual(a.autograd.losses);
    expect(c.autograd.losses).not.toEqual(a.autograd.losses);
  });
});

describe('examples/xor pieces', () => {
  it('softmaxCrossEntropy gives the loss and gradient of autograd crossEntropy (float64, random logits)', () => {
    const arb = fc.record({ n: fc.integer({ min: 1, max: 6 }), c: fc.integer({ min: 2, max: 5 }) }).chain(({ n, c }) =>
      fc.record({
        z: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: n * c, maxLength: n * c }),
        labels: fc.array(fc.integer({ min: 0, max: c - 1 }), { minLength: n, maxLength: n }),
        n: fc.constant(n),
        c: fc.constant(c),
      }));
    fc.assert(fc.property(arb, ({ z, labels, n, c }) => {
      const logits = tensor(z, { shape: [n, c], dtype: 'float64', requiresGrad: true });
      const ref = crossEntropy(logits, tensor(labels, { dtype: 'float64' }));
      ref.backward();
      const { loss, dLogits } = softmaxCrossEntropy(logits.detach(), Int32Array.from(labels));
      expect(loss).toBeCloseTo(ref.item(), 12);
      expect(dLogits.shape).toEqual([n, c]);
      for (let i = 0; i < n * c; i++) expect(Math.abs(dLogits.data[i]! - logits.grad!.data[i]!)).toBeLessThan(1e-14);
    }), { numRuns: 40 });
  });

  it('softmaxCrossEntropy is stable for huge logits and rejects mismatched labels', () => {
    const { loss, dLogits } = softmaxCrossEntropy(tensor([[1000, 0], [0, 1000]], { dtype: 'float64' }), Int32Array.from([0, 0]));
    expect(loss).toBeCloseTo(500, 10);
    expect([...dLogits.data]).toEqual([0, 0, -0.5, 0.5]);
    expect(() => softmaxCrossEntropy(tensor([[1, 2]]), Int32Array.from([0, 1]))).toThrow(/softmaxCrossEntropy: .*N = 2 labels, got \[1, 2\]/);
  });

  it('twinDiff sees a perturbed weight, and trainTwins reports a broken manual gradient', () => {
    manualSeed(1);
    const t = makeTwins(4, 'float64');
    expect(twinDiff(t).params).toBe(0);
    t.net.paramLayers()[1]!.W.data[3]! += 1e-3;
    expect(twinDiff(t).params).toBeCloseTo(1e-3, 12);

    // one hidden input a hair either side of 0 in the twins counts as one ReLU side flip
    const x0 = tensor([[0, 0], [1, 1]], { dtype: 'float64' });
    expect(reluSideFlips(t, x0)).toBe(0);
    t.net.paramLayers()[0]!.b.data[2] = -1e-12;
    (t.model.layers.at(0) as Linear).bias!.data[2] = 1e-12;
    expect(reluSideFlips(t, x0)).toBe(1);

    // a manual ReLU that forgets to zero the gradient where x ≤ 0: the agreement check must notice
    manualSeed(1);
    const broken = makeTwins(4, 'float64');
    broken.net.layers[1]!.backward = (d) => d;
    const r = trainTwins(broken, toyData('xor', 40, new Generator(0), 'float64'), 3, 0.1);
    expect(r.firstGradDiff).toBeGreaterThan(1e-4);
    expect(r.maxParamDiff).toBeGreaterThan(1e-5);
  });
});

describe('examples/xor flags', () => {
  it('has defaults and reads every flag, spaced or with =', () => {
    expect(parseArgs([])).toEqual({
      data: 'xor', points: 200, steps: 1000, lr: 0.2, hidden: 16, seed: 0, dtype: 'float32', out: path.resolve('examples/out/xor'),
    });
    expect(parseArgs(['--data', 'moons', '--points=50', '--steps', '5', '--lr', '1e-2', '--hidden=3', '--seed', '9', '--dtype', 'float64', '--out', 'x/y']))
      .toEqual({ data: 'moons', points: 50, steps: 5, lr: 0.01, hidden: 3, seed: 9, dtype: 'float64', out: path.resolve('x/y') });
    expect(parseArgs(['--steps', '5', '--help'])).toBeNull();
  });

  it('rejects unknown flags and bad values with a message naming them', () => {
    const bad: [string[], RegExp][] = [
      [['--speed', '3'], /unknown flag '--speed'/],
      [['steps'], /unknown argument 'steps'/],
      [['--steps', '0'], /--steps expects an integer >= 1, got '0'/],
      [['--steps', '2.5'], /--steps expects an integer >= 1, got '2.5'/],
      [['--steps', 'ten'], /--steps expects an integer >= 1, got 'ten'/],
      [['--hidden', '-4'], /--hidden expects an integer >= 1, got '-4'/],
      [['--seed', '1e3'], /--seed expects an integer >= 0, got '1e3'/],
      [['--points', '7'], /--points expects an even number .* got '7'/],
      [['--points', '0'], /--points expects an integer >= 2, got '0'/],
      [['--lr', '0'], /--lr expects a number > 0, got '0'/],
      [['--lr', 'NaN'], /--lr expects a number > 0, got 'NaN'/],
      [['--lr', '-0.1'], /--lr expects a number > 0, got '-0.1'/],
      [['--data', 'spirals'], /--data expects one of xor, moons, got 'spirals'/],
      [['--dtype', 'int8'], /--dtype expects one of float32, float64, got 'int8'/],
      [['--steps'], /--steps needs a value/],
      [['--out', '--steps', '3'], /--out needs a value/],
      [['--out='], /--out needs a value/],
    ];
    for (const [argv, message] of bad) expect(() => parseArgs(argv), argv.join(' ')).toThrow(message);
  });

  it('exits with code 2 and the usage on a bad command line, 0 with the usage on --help, 1 on an unwritable folder', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(main(['--lr', 'fast'])).toBe(2);
      expect(err).toHaveBeenCalledWith(`xor: --lr expects a number > 0, got 'fast'\n${USAGE}`);
      expect(main(['--help'])).toBe(0);
      expect(log).toHaveBeenCalledWith(USAGE);
      const file = path.join(out, 'a-file');
      writeFileSync(file, 'not a folder');
      expect(main(['--out', path.join(file, 'sub'), '--steps', '1'])).toBe(1);
      expect(err).toHaveBeenLastCalledWith(expect.stringMatching(/^xor: cannot write to .*a-file.sub: ENOTDIR/));
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });
});
