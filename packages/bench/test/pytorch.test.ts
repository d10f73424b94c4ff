import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeFrameworks, loadFramework } from '../src/frameworks/index.js';
import { torchWorker } from '../src/frameworks/pytorch.js';
import { pythonCandidates, TorchWorker } from '../src/frameworks/torchWorker.js';
import { Sampler, type RoundPlan } from '../src/measure.js';
import { reasons } from '../src/report.js';
import {
  conv2dData, convData, isRemote, isUnsupported, matmulData, mlpData, type Framework, type LocalProduct, type Trainer,
} from '../src/workloads.js';
import { conv2dGradients, conv2dReference, expectWithinBounds } from './conv2dReference.js';
import { firstLosses } from './firstLosses.js';

// PyTorch is an optional reference: these check that, when a Python with torch is found, it does the
// bench's work with the same numbers as dl and times itself by the bench's sampling rules; and that
// when none is found the bench reports n/a with the reason instead of failing (CI has no torch).

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const loaded = await loadFramework('pytorch');
const torch = isUnsupported(loaded) ? undefined : loaded;
const noTorch = `(skipped: ${isUnsupported(loaded) ? loaded.unsupported : ''})`;
// Any Python will do to simulate one whose torch fails to import.
const found = await torchWorker();
const python = typeof found !== 'string' ? found.python : spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
afterAll(() => closeFrameworks());

describe('finding a Python with torch', () => {
  it('tries DL_BENCH_PYTHON alone when set, else the repository .venv, then python3', () => {
    expect(pythonCandidates({ DL_BENCH_PYTHON: '/opt/py/bin/python' })).toEqual(['/opt/py/bin/python']);
    const venv = process.platform === 'win32' ? '.venv/Scripts/python.exe' : '.venv/bin/python';
    expect(pythonCandidates({})).toEqual([join(repoRoot, venv), 'python3']);
  });

  it('without one, pytorch is n/a with the reason, and the bench lists it instead of failing', async () => {
    const env = { ...process.env, DL_BENCH_PYTHON: '/nonexistent/bin/python' };
    for (const name of ['pytorch', 'pytorch-mt']) {
      const fw = await loadFramework(name, { env });
      expect(isUnsupported(fw) && fw.unsupported).toBe('no Python with torch (DL_BENCH_PYTHON=/nonexistent/bin/python: not found)');
    }
    const fw = await loadFramework('pytorch', { env });
    const cell = { reason: isUnsupported(fw) ? fw.unsupported : '' };
    expect(reasons([{ framework: 'pytorch', what: 'mlp', cell }, { framework: 'pytorch', what: 'conv', cell }])).toEqual([
      '  n/a pytorch: no Python with torch (DL_BENCH_PYTHON=/nonexistent/bin/python: not found) [mlp, conv]',
    ]);
  });

  // Simulate a Python whose torch fails to import with a stand-in package first on PYTHONPATH.
  it.skipIf(python === undefined)(`names the import error of a Python without torch${python === undefined ? ' (skipped: no python3 on the PATH)' : ''}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-torch-'));
    mkdirSync(join(dir, 'torch'));
    writeFileSync(join(dir, 'torch', '__init__.py'), 'raise ImportError("simulated: torch is broken")\n');
    const why = await TorchWorker.find({ ...process.env, DL_BENCH_PYTHON: python!, PYTHONPATH: dir });
    expect(why).toBe(`no Python with torch (DL_BENCH_PYTHON=${python}: ImportError: simulated: torch is broken)`);
  }, 30_000);
});

describe.skipIf(torch === undefined)(`pytorch reference ${torch === undefined ? noTorch : ''}`, () => {
  it('computes the same 37x37 product as dl, on one thread and on several', async () => {
    const d = matmulData(37);
    const want = (((await loadFramework('dl')) as Framework).matmul(d) as LocalProduct).result();
    for (const name of ['pytorch', 'pytorch-mt']) {
      const p = await ((await loadFramework(name)) as Framework).matmul(d);
      if (isUnsupported(p)) throw new Error(p.unsupported);
      const got = await p.result();
      p.dispose?.();
      expect(got.length).toBe(37 * 37);
      // Entries of 37 products of values in [-1, 1): float32 sums differ by a few ulps of ~37.
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${name} [${i}]`).toBeLessThan(37 * 2 ** -24 * 37));
    }
  });

  it.each(['mlp', 'conv'] as const)('trains the %s through the same losses as dl, on one thread and on several', async (kind) => {
    const ref = await firstLosses((await loadFramework('dl')) as Framework, kind);
    expect(ref[2]).toBeLessThan(ref[0]!);
    for (const name of ['pytorch', 'pytorch-mt']) {
      const got = await firstLosses((await loadFramework(name)) as Framework, kind);
      // Same float32 weights and data; only the summation order differs (BLAS blocking, threads).
      got.forEach((l, i) => expect(Math.abs(l - ref[i]!), `${name} step ${i}: ${l} vs ${ref[i]}`).toBeLessThan(1e-5 * ref[i]!));
    }
  }, 30_000);

  it('computes the conv2d loss and gradients of x, weight and bias within float32 rounding, on one thread and on several', async () => {
    const d = conv2dData(2, 3, 4, 6);
    const ref = conv2dReference(d);
    for (const name of ['pytorch', 'pytorch-mt']) {
      expectWithinBounds(name, await conv2dGradients((await loadFramework(name)) as Framework, d), ref);
    }
  }, 30_000);

  it('times a round in the worker by the plan it is given, as Sampler.round would', async () => {
    const tr = (await torch!.mlp(mlpData(8))) as Trainer;
    expect(isRemote(tr)).toBe(true);
    if (!isRemote(tr)) return;
    const plan: RoundPlan = { clock: 'wall', warmupMs: 0, slowMs: 1e6, minSamples: 4, minTimeMs: 0, minSampleMs: 2, slow: undefined };
    const fast = await tr.timeRound(plan);
    expect(fast.slow).toBe(false);
    expect(fast.times.length).toBe(4);
    fast.times.forEach((t) => expect(t).toBeGreaterThan(0));
    // A first run over slowMs marks the work slow: then one timed run per round.
    const slow = await tr.timeRound({ ...plan, slowMs: 0 });
    expect(slow).toEqual({ times: [expect.any(Number)], slow: true });
    expect((await tr.timeRound({ ...plan, slow: true })).times).toHaveLength(1);
    // The bench's sampler takes those rounds as its own.
    const s = new Sampler({ warmupMs: 0, minTimeMs: 0, minSamples: 8, slowMs: 1e6, rounds: 2, clock: 'cpu' });
    expect(s.plan()).toMatchObject({ minSamples: 4, minTimeMs: 0, clock: 'cpu', slow: undefined });
    s.record(await tr.timeRound(s.plan()));
    expect(s.plan().slow).toBe(false);
    s.record(await tr.timeRound(s.plan()));
    expect(s.result().samples).toBe(8);
    tr.dispose?.();
  }, 30_000);

  it('reports a failed request with the worker error, and keeps serving', async () => {
    const worker = found as TorchWorker;
    await expect(worker.request({ op: 'step', id: 12345 })).rejects.toThrow(/step: no object with id 12345/);
    await expect(worker.request({ op: 'frobnicate', id: 1 })).rejects.toThrow(/unknown op 'frobnicate'/);
    await expect(worker.request({ op: 'dispose', id: 12345 })).resolves.toMatchObject({ header: { ok: true } });
  });
});
