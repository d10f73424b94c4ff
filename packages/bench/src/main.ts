// `pnpm bench`: dl against TensorFlow.js (cpu, wasm), js-pytorch and PyTorch, in one run. See `--help`.
import os from 'node:os';
import { closeFrameworks, loadFramework } from './frameworks/index.js';
import { HELP, MULTI_THREADED, parseArgs, type Options } from './cli.js';
import { Sampler } from './measure.js';
import { browserBench } from './browser/run.js';
import { allocationLines, measureStepAllocation, type StepAllocation } from './stepAllocation.js';
import { fmt, reasons, table, withRatio, type Cell } from './report.js';
import {
  conv2dData, convData, lstmData, isRemote, isUnsupported, matmulData, mlpData, opsData,
  type Built, type Conv2dData, type Conv2dGradients, type Framework, type GradientStep, type LocalGradientStep, type LocalProduct,
  type LocalTrainer, type Product, type Trainer, type Unsupported,
} from './workloads.js';

const progress = (s: string) => process.stderr.write(`  ${s}\n`);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/**
 * Times one workload on every framework in `o.timing.rounds` interleaved rounds (round 1 on each
 * framework, then round 2 on each, ...), rebuilding it each round after activating its framework,
 * and awaits `check` once per framework, in the first round. Work in another process (PyTorch) runs
 * each round's sampling there. A failure becomes the cell's reason.
 */
async function timeWorkload<T extends Product | Trainer | GradientStep>(
  o: Options, frameworks: Framework[], label: string,
  build: (fw: Framework) => Built<T>,
  check: (fw: Framework, x: T) => Promise<void>,
): Promise<Map<string, Cell>> {
  const samplers = new Map(frameworks.map((fw) => [fw.name, new Sampler(o.timing)]));
  const failed = new Map<string, string>();
  for (let round = 0; round < Math.max(1, o.timing.rounds); round++) {
    for (const fw of frameworks) {
      if (failed.has(fw.name)) continue;
      progress(`${label}: ${fw.name}, round ${round + 1}`);
      let built: T | Unsupported | undefined;
      try {
        await fw.activate?.();
        const x = (built = await build(fw));
        if (isUnsupported(x)) {
          failed.set(fw.name, x.unsupported);
          continue;
        }
        if (round === 0) await check(fw, x);
        const sampler = samplers.get(fw.name)!;
        if (isRemote(x)) {
          sampler.record(await x.timeRound(sampler.plan()));
        } else {
          const local = x as LocalProduct | LocalTrainer | LocalGradientStep;
          sampler.round('run' in local ? () => local.run() : () => void local.step());
        }
      } catch (e) {
        failed.set(fw.name, `error: ${message(e)}`);
      } finally {
        if (built !== undefined && !isUnsupported(built)) built.dispose?.();
      }
    }
  }
  return new Map(frameworks.map((fw): [string, Cell] => {
    const reason = failed.get(fw.name);
    if (reason !== undefined) return [fw.name, { reason }];
    const { medianMs, samples } = samplers.get(fw.name)!.result();
    return [fw.name, { ms: medianMs, samples }];
  }));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    console.log(HELP);
    return;
  }
  if (o.browser) {
    await browserBench({ frameworks: o.frameworks, sizes: o.sizes, workloads: o.workloads, minTimeMs: o.timing.minTimeMs }, progress);
    return;
  }
  const load0 = os.loadavg()[0]!;
  const frameworks: Framework[] = [];
  const unloaded = new Map<string, string>();
  for (const name of o.frameworks) {
    progress(`loading ${name}`);
    const fw = await loadFramework(name);
    if (isUnsupported(fw)) unloaded.set(name, fw.unsupported);
    else frameworks.push(fw);
  }
  const results = new Map<string, Map<string, Cell>>(o.frameworks.map((n) => [n, new Map()]));
  const store = (key: string, cells: Map<string, Cell>) => {
    cells.forEach((c, fw) => results.get(fw)!.set(key, c));
    // A framework that did not load is still a column: n/a, with its reason.
    unloaded.forEach((reason, fw) => results.get(fw)!.set(key, { reason }));
  };
  const checks: string[] = [];
  const allocations = new Map<string, StepAllocation>();

  if (o.workloads.includes('matmul')) {
    for (const n of o.sizes) {
      const data = matmulData(n);
      let reference: Float32Array | undefined;
      store(`matmul ${n}`, await timeWorkload<Product>(o, frameworks, `matmul ${n}`, (fw) => fw.matmul(data), async (fw, p) => {
        // Check once, at the first size, that every framework computes the same product.
        if (n !== o.sizes[0]) return;
        const r = await p.result();
        if (reference === undefined) reference = r;
        else checks.push(`matmul ${n}: ${fw.name} ${agreement(r, reference, n)}`);
      }));
    }
  }

  for (const kind of ['mlp', 'conv', 'lstm'] as const) {
    if (!o.workloads.includes(kind)) continue;
    const data = kind === 'mlp' ? mlpData() : kind === 'conv' ? convData() : lstmData();
    let first: number | undefined;
    const build = (fw: Framework): Built<Trainer> => fw[kind](data as never);
    store(kind, await timeWorkload<Trainer>(o, frameworks, `${kind} step`, build, async (fw, tr) => {
      // Same weights and batch everywhere: the first loss should match, and three steps lower it.
      const losses = [await tr.step(), await tr.step(), await tr.step()];
      first ??= losses[0];
      checks.push(`${kind}: ${fw.name} loss ${losses.map((l) => l.toFixed(5)).join(' -> ')}: ${lossVerdict(losses, first!)}`);
    }));
    // After the timing, so that the accounting's flag switch cannot slow the timed GCs.
    const dl = frameworks.find((fw) => fw.name === 'dl');
    if (dl !== undefined) {
      progress(`${kind} step: dl, bytes allocated`);
      // dl's own backend: the frameworks timed after it (dl-js) leave theirs active.
      await dl.activate?.();
      allocations.set(kind, await measureStepAllocation(() => build(dl), o.timing.minTimeMs));
    }
  }

  if (o.workloads.includes('conv2d')) {
    const data = conv2dData();
    let reference: Conv2dGradients | undefined;
    const build = (fw: Framework): Built<GradientStep> => fw.conv2d(data);
    store('conv2d', await timeWorkload<GradientStep>(o, frameworks, 'conv2d pass', build, async (fw, pass) => {
      // Same inputs everywhere: the loss and the gradients of x, weight and bias should match.
      const got = await pass.gradients();
      if (reference === undefined) reference = got;
      else checks.push(`conv2d: ${fw.name} ${gradientAgreement(got, reference, data)}`);
    }));
    const dl = frameworks.find((fw) => fw.name === 'dl');
    if (dl !== undefined) {
      progress('conv2d pass: dl, bytes allocated');
      await dl.activate?.();
      allocations.set('conv2d', await measureStepAllocation(() => build(dl), o.timing.minTimeMs));
    }
  }

  if (o.workloads.includes('ops')) {
    const data = opsData();
    store('ops', await timeWorkload<Trainer>(o, frameworks, 'op chain', (fw) => fw.ops(data), async (fw, chain) => {
      // Each add passes x's gradient on once more: d/dx of x + x + ... + x is length + 1.
      const g = await chain.step();
      checks.push(`ops: ${fw.name} dy/dx = ${g} (${g === data.length + 1 ? 'right' : `WRONG, expected ${data.length + 1}`})`);
    }));
  }

  const about = frameworks.flatMap((fw) => (fw.about === undefined ? [] : [`  ${fw.name}: ${fw.about}`]));
  print(o, results, checks, about, load0, allocations);
}

function agreement(r: Float32Array, ref: Float32Array, n: number): string {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(r[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  // float32 products of length n differ by rounding, at most about n·2^-24 of the largest value.
  const ok = r.length === ref.length && diff <= n * 2 ** -24 * scale;
  return `${ok ? 'agrees' : 'DISAGREES'} with the first framework (max |diff| ${diff.toExponential(1)}, max |value| ${fmt(scale)})`;
}

/**
 * How far a framework's conv2d gradients are from the first framework's, each relative to its largest
 * value: a float32 sum of n terms may differ by about n·2^-24 of that by its summation order, with n
 * the terms summed per entry (O·k·k for dx; N·H·W for dW and db).
 */
function gradientAgreement(got: Conv2dGradients, ref: Conv2dGradients, d: Conv2dData): string {
  const terms = { x: d.outChannels * d.kernel ** 2, weight: d.batch * d.size ** 2, bias: d.batch * d.size ** 2 };
  let ok = true;
  const parts = (['x', 'weight', 'bias'] as const).map((key) => {
    const r = ref[key];
    const g = got[key];
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < r.length; i++) {
      diff = Math.max(diff, Math.abs(g[i]! - r[i]!));
      scale = Math.max(scale, Math.abs(r[i]!));
    }
    if (!(g.length === r.length && diff <= terms[key] * 2 ** -24 * scale)) ok = false;
    return `d${key === 'weight' ? 'W' : key === 'bias' ? 'b' : 'x'} ${(diff / scale).toExponential(1)}`;
  });
  const loss = `loss ${got.loss.toFixed(3)} vs ${ref.loss.toFixed(3)}`;
  return `${ok ? 'agrees' : 'DISAGREES'} with the first framework (max |diff| / max |value|: ${parts.join(', ')}; ${loss})`;
}

function lossVerdict(losses: number[], first: number): string {
  const delta = Math.abs(losses[0]! - first);
  const start = delta <= 1e-4 * Math.abs(first) ? 'starts as the first framework' : `STARTS ${delta.toExponential(1)} away from the first framework`;
  return `${start}, ${losses[2]! < losses[0]! ? 'decreasing' : 'NOT DECREASING'}`;
}

function print(
  o: Options, results: Map<string, Map<string, Cell>>, checks: string[], about: string[], load0: number,
  allocations: Map<string, StepAllocation>,
): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const names = [...results.keys()];
  const dlName = names.includes('dl') ? 'dl' : undefined;
  const single = names.filter((n) => !MULTI_THREADED.includes(n));
  const multi = names.filter((n) => MULTI_THREADED.includes(n));
  const out: string[] = [];
  out.push('', `dl bench: Node ${process.version}, ${cpu}, ${os.cpus().length} cores, load average ${load0.toFixed(2)} at start, ${os.loadavg()[0]!.toFixed(2)} at end`);
  out.push(`Each figure: the median ${o.timing.clock === 'cpu' ? 'CPU' : 'wall'} time of >= ${o.timing.minSamples} samples taken over >= ${o.timing.minTimeMs} ms, in ${o.timing.rounds} round${o.timing.rounds === 1 ? '' : 's'}`);
  out.push(`interleaved across frameworks, each after a warm-up (a sample repeats short runs to last >= 2 ms;`);
  out.push(`a run over ${o.timing.slowMs} ms is timed once per round). PyTorch times itself, in its worker process.`);
  out.push(`Ratios: (Nx) = peer time / dl time, so above 1 means dl is faster.`);
  if (about.length > 0) out.push(...about);
  out.push('', '== Single-threaded (one core) ==', ...tables(o, results, dlName, single));
  out.push('', '== Multi-threaded ==');
  out.push('  tfjs-cpu and js-pytorch run JS on one thread, and tfjs-wasm has no threaded build in Node');
  out.push('  (its WASM_HAS_MULTITHREAD_SUPPORT flag is false there), so they appear above only.');
  if (multi.length > 0) {
    out.push(`  ${multi.join(', ')}: on the framework's default thread count; ratios are against dl on one thread.`);
    if (o.timing.clock === 'cpu') out.push('  With --clock=cpu these are CPU time summed over the threads: work done, not time taken.');
    out.push(...tables(o, results, dlName, dlName ? [dlName, ...multi] : multi));
    out.push(...slowerThreaded(results, multi));
  }
  if (allocations.size > 0) out.push('', '== Memory ==', ...allocationLines(allocations, STEP_LABELS));
  const missing = reasons(names.flatMap((fw) => [...(results.get(fw) ?? [])].map(([what, c]) => ({ framework: fw, what, cell: c }))));
  if (missing.length > 0) out.push('', 'Not measured:', ...missing);
  if (checks.length > 0) out.push('', 'Checks (same inputs and initial weights in every framework):', ...checks.map((c) => `  ${c}`));
  console.log(out.join('\n'));
}

/**
 * Notes where a multi-threaded framework (`x-mt`) took longer than its one-thread twin (`x`): its
 * OpenMP threads spin at each barrier, so when another process holds a core they take turns on the
 * other, and each parallel region waits out a scheduler time slice.
 */
function slowerThreaded(results: Map<string, Map<string, Cell>>, multi: string[]): string[] {
  return multi.flatMap((mt) => {
    const one = results.get(mt.replace(/-mt$/, ''));
    const slower = [...(results.get(mt) ?? [])].filter(([key, c]) => {
      const base = one?.get(key);
      return 'ms' in c && base !== undefined && 'ms' in base && c.ms > 1.5 * base.ms;
    });
    if (slower.length === 0) return [];
    return [
      `  ${mt} took over 1.5x longer than on one thread: ${slower.map(([k]) => k).join(', ')}.`,
      '  A core was probably busy with another process, so its threads waited on each other (see the load average).',
    ];
  });
}

/** The training steps' names in the tables. */
const STEP_LABELS = {
  mlp: 'MLP 784-128-10, batch 64', conv: 'conv 3x3 1->8, relu, maxpool 2, linear 1568->10, batch 32',
  lstm: 'LSTM 32->128 over 50 steps, linear 128->10, batch 32',
  conv2d: 'conv2d 3x3 pad 1 16->32 on 28x28, batch 32, forward + backward',
};

/** The matmul and training-step tables for the columns `cols` (dl first, as the ratios' base). */
function tables(o: Options, results: Map<string, Map<string, Cell>>, dlName: string | undefined, names: string[]): string[] {
  const cols = [...(dlName && names.includes(dlName) ? [dlName] : []), ...names.filter((n) => n !== dlName)];
  const get = (fw: string, key: string): Cell => results.get(fw)?.get(key) ?? { reason: 'not run' };
  const base = (fw: string, key: string) => (fw === dlName || dlName === undefined ? undefined : get(dlName, key));
  const out: string[] = [];
  if (o.workloads.includes('matmul')) {
    out.push('', 'matmul, float32, square n x n, GFLOP/s (higher is better)');
    const rows = o.sizes.map((n) => {
      const key = `matmul ${n}`;
      const gflops = (ms: number) => (2 * n ** 3) / (ms * 1e6);
      return [String(n), ...cols.map((fw) => withRatio(get(fw, key), base(fw, key), gflops))];
    });
    out.push(table(['n', ...cols], rows));
  }
  if (o.workloads.includes('ops')) {
    const perOp = (ms: number) => (ms * 1000) / opsData().length;
    out.push('', 'recorded op, microseconds per op (lower is better): a chain of 10,000 scalar adds y = y + x, forward and backward');
    out.push(table(['workload', ...cols], [['add, forward + backward', ...cols.map((fw) => withRatio(get(fw, 'ops'), base(fw, 'ops'), perOp))]]));
  }
  const steps = (['mlp', 'conv', 'lstm', 'conv2d'] as const).filter((k) => o.workloads.includes(k));
  if (steps.length > 0) {
    // conv2d is one pass without an update; the header says so when it is among the rows.
    const trains = steps.some((k) => k !== 'conv2d');
    const pass = 'conv2d: forward, loss sum(y*g), backward to x, weight and bias, no update';
    out.push('', trains
      ? `training step, ms (lower is better): forward, cross-entropy, backward, SGD update${steps.includes('conv2d') ? ` (${pass})` : ''}`
      : `forward and backward pass, ms (lower is better): ${pass}`);
    const rows = steps.map((k) => [STEP_LABELS[k], ...cols.map((fw) => withRatio(get(fw, k), base(fw, k), (ms) => ms))]);
    out.push(table(['workload', ...cols], rows));
  }
  return out;
}

main()
  .catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  .finally(() => closeFrameworks());
