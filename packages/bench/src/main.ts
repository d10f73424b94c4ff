// `pnpm bench`: dl against TensorFlow.js (cpu, wasm) and js-pytorch, in one run. See `--help`.
import os from 'node:os';
import { loadFramework } from './frameworks/index.js';
import { HELP, parseArgs, type Options } from './cli.js';
import { Sampler } from './measure.js';
import { fmt, reasons, table, withRatio, type Cell } from './report.js';
import {
  convData, isUnsupported, matmulData, mlpData,
  type Framework, type Trainer, type Unsupported,
} from './workloads.js';

const progress = (s: string) => process.stderr.write(`  ${s}\n`);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/**
 * Times one workload on every framework in `o.timing.rounds` interleaved rounds (round 1 on each
 * framework, then round 2 on each, ...), rebuilding it each round after activating its framework,
 * and calls `check` once per framework, in the first round. A failure becomes the cell's reason.
 */
async function timeWorkload<T extends { dispose?(): void }>(
  o: Options, frameworks: Framework[], label: string,
  build: (fw: Framework) => T | Unsupported,
  check: (fw: Framework, x: T) => void,
  run: (x: T) => void,
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
        built = build(fw);
        if (isUnsupported(built)) {
          failed.set(fw.name, built.unsupported);
          continue;
        }
        const x = built;
        if (round === 0) check(fw, x);
        samplers.get(fw.name)!.round(() => run(x));
      } catch (e) {
        failed.set(fw.name, `error: ${message(e)}`);
      } finally {
        if (built !== undefined && !isUnsupported(built)) built.dispose?.();
      }
    }
  }
  return new Map(frameworks.map((fw): [string, Cell] => {
    const reason = failed.get(fw.name);
    return [fw.name, reason !== undefined ? { reason } : { ms: samplers.get(fw.name)!.result().medianMs, samples: samplers.get(fw.name)!.result().samples }];
  }));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    console.log(HELP);
    return;
  }
  const load0 = os.loadavg()[0]!;
  const frameworks: Framework[] = [];
  const unloaded: { name: string; reason: string }[] = [];
  for (const name of o.frameworks) {
    const fw = await loadFramework(name);
    if (isUnsupported(fw)) unloaded.push({ name, reason: fw.unsupported });
    else frameworks.push(fw);
  }
  const names = frameworks.map((f) => f.name);
  const results = new Map<string, Map<string, Cell>>(names.map((n) => [n, new Map()]));
  const store = (key: string, cells: Map<string, Cell>) => cells.forEach((c, fw) => results.get(fw)!.set(key, c));
  const checks: string[] = [];

  if (o.workloads.includes('matmul')) {
    for (const n of o.sizes) {
      const data = matmulData(n);
      let reference: Float32Array | undefined;
      store(`matmul ${n}`, await timeWorkload(o, frameworks, `matmul ${n}`, (fw) => fw.matmul(data), (fw, p) => {
        // Check once, at the first size, that every framework computes the same product.
        if (n !== o.sizes[0]) return;
        const r = p.result();
        if (reference === undefined) reference = r;
        else checks.push(`matmul ${n}: ${fw.name} ${agreement(r, reference, n)}`);
      }, (p) => p.run()));
    }
  }

  for (const kind of ['mlp', 'conv'] as const) {
    if (!o.workloads.includes(kind)) continue;
    const data = kind === 'mlp' ? mlpData() : convData();
    let first: number | undefined;
    const build = (fw: Framework): Trainer | Unsupported => (kind === 'mlp' ? fw.mlp(data as never) : fw.conv(data as never));
    store(kind, await timeWorkload(o, frameworks, `${kind} step`, build, (fw, tr) => {
      // Same weights and batch everywhere: the first loss should match, and three steps lower it.
      const losses = [tr.step(), tr.step(), tr.step()];
      first ??= losses[0];
      checks.push(`${kind}: ${fw.name} loss ${losses.map((l) => l.toFixed(5)).join(' -> ')}: ${lossVerdict(losses, first!)}`);
    }, (tr) => void tr.step()));
  }

  print(o, names, results, unloaded, checks, load0);
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

function lossVerdict(losses: number[], first: number): string {
  const delta = Math.abs(losses[0]! - first);
  const start = delta <= 1e-4 * Math.abs(first) ? 'starts as the first framework' : `STARTS ${delta.toExponential(1)} away from the first framework`;
  return `${start}, ${losses[2]! < losses[0]! ? 'decreasing' : 'NOT DECREASING'}`;
}

function print(
  o: Options, names: string[], results: Map<string, Map<string, Cell>>,
  unloaded: { name: string; reason: string }[], checks: string[], load0: number,
): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const dlName = names.includes('dl') ? 'dl' : undefined;
  const peers = names.filter((n) => n !== dlName);
  const cols = [...(dlName ? [dlName] : []), ...peers];
  const get = (fw: string, key: string): Cell => results.get(fw)?.get(key) ?? { reason: 'not run' };
  const out: string[] = [];
  out.push('', `dl bench: Node ${process.version}, ${cpu}, ${os.cpus().length} cores, load average ${load0.toFixed(2)} at start, ${os.loadavg()[0]!.toFixed(2)} at end`);
  out.push(`Each figure: the median ${o.timing.clock === 'cpu' ? 'CPU' : 'wall'} time of >= ${o.timing.minSamples} samples taken over >= ${o.timing.minTimeMs} ms, in ${o.timing.rounds} round${o.timing.rounds === 1 ? "" : "s"}`);
  out.push(`interleaved across frameworks, each after a warm-up (a sample repeats short runs to last >= 2 ms;`);
  out.push(`a run over ${o.timing.slowMs} ms is timed once per round).`);
  out.push(`Ratios: (Nx) = peer time / dl time, so above 1 means dl is faster.`);
  out.push('', '== Single-threaded (one core) ==');
  if (o.workloads.includes('matmul')) {
    out.push('', 'matmul, float32, square n x n, GFLOP/s (higher is better)');
    const rows = o.sizes.map((n) => {
      const key = `matmul ${n}`;
      const gflops = (ms: number) => (2 * n ** 3) / (ms * 1e6);
      return [String(n), ...cols.map((fw) => (fw === dlName ? withRatio(get(fw, key), undefined, gflops) : withRatio(get(fw, key), dlName && get(dlName, key), gflops)))];
    });
    out.push(table(['n', ...cols], rows));
  }
  const steps = (['mlp', 'conv'] as const).filter((k) => o.workloads.includes(k));
  if (steps.length > 0) {
    out.push('', 'training step, ms (lower is better): forward, cross-entropy, backward, SGD update');
    const label = { mlp: 'MLP 784-128-10, batch 64', conv: 'conv 3x3 1->8, relu, maxpool 2, linear 1568->10, batch 32' };
    const rows = steps.map((k) => [label[k], ...cols.map((fw) => withRatio(get(fw, k), fw === dlName ? undefined : dlName && get(dlName, k), (ms) => ms))]);
    out.push(table(['workload', ...cols], rows));
  }
  out.push('', '== Multi-threaded ==');
  out.push('  none: dl, tfjs-cpu and js-pytorch run JS on one thread, and tfjs-wasm has no threaded build in Node');
  out.push('  (its WASM_HAS_MULTITHREAD_SUPPORT flag is false there), so every figure above is already single-threaded.');
  const missing = [
    ...unloaded.map((u) => `  skipped ${u.name}: ${u.reason}`),
    ...reasons(names.flatMap((fw) => [...(results.get(fw) ?? [])].map(([what, c]) => ({ framework: fw, what, cell: c })))),
  ];
  if (missing.length > 0) out.push('', 'Not measured:', ...missing);
  if (checks.length > 0) out.push('', 'Checks (same inputs and initial weights in every framework):', ...checks.map((c) => `  ${c}`));
  console.log(out.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
