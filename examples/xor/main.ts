// The smallest end-to-end model, twice: a 2-hidden-2 network learns XOR (or two moons) with autograd
// (TorchNet + CrossEntropyLoss + SGD) and with the course's hand-written layers (manual.Net), from the
// same initial weights. It prints both losses side by side, checks that the two runs agree to float
// rounding, and draws the decision regions of both into boundary.svg.
// Run: npx tsc -b && node examples/dist/xor/main.js [--data xor|moons] [--steps N] [--lr X] ...
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Generator, manualSeed, noGrad, type DType } from '@dl/autograd';
import { DATASETS, toyData, type DatasetName } from './data.js';
import { makeTwins, trainTwins, type Comparison } from './train.js';
import { gridPoints, lossPanel, regionPanel, svgDocument, viewOf } from './plot.js';

/** The run's settings (the CLI flags). */
export interface Options {
  /** The toy problem: `xor` (four blobs) or `moons`. */
  data: DatasetName;
  /** Number of data points (half of each class). */
  points: number;
  /** Full-batch gradient-descent steps. */
  steps: number;
  /** Learning rate of both runs. */
  lr: number;
  /** Width of the hidden layer. */
  hidden: number;
  /** Seed of the data and of the initial weights. */
  seed: number;
  /** dtype of data and parameters (float64 shows the runs agree to ~1e-15). */
  dtype: DType;
  /** Output folder (created if missing). */
  out: string;
}

/** The defaults: XOR, 200 points, 16 hidden units, 1000 steps of SGD with lr 0.2, seed 0, float32. */
export const defaults = (): Options => ({
  data: 'xor', points: 200, steps: 1000, lr: 0.2, hidden: 16, seed: 0, dtype: 'float32', out: path.resolve('examples/out/xor'),
});

/** The help text listing every flag. */
export const USAGE = `usage: node examples/dist/xor/main.js [flags]
  --data xor|moons   toy problem (default xor)
  --points N         number of points, even, >= 2 (default 200)
  --steps N          gradient-descent steps, >= 1 (default 1000)
  --lr X             learning rate, > 0 (default 0.2)
  --hidden N         hidden units, >= 1 (default 16)
  --seed N           seed of data and weights, an integer >= 0 (default 0)
  --dtype float32|float64  (default float32)
  --out DIR          output folder (default examples/out/xor)
  --help             this text`;

/** A bad command line: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses the flags (`--flag value` or `--flag=value`) over the defaults.
 * Throws a `UsageError` naming the flag and the bad value, or the unknown flag; returns null for --help.
 * @example parseArgs(['--steps', '200', '--data=moons']) // { steps: 200, data: 'moons', ... }
 */
export function parseArgs(argv: readonly string[]): Options | null {
  const o = defaults();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return null;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    let used: string | undefined;
    const value = (): string => {
      if (eq > 0 && arg.startsWith('--')) used = arg.slice(eq + 1);
      else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) used = argv[++i];
      if (used === undefined || used === '') throw new UsageError(`${flag} needs a value`);
      return used;
    };
    const int = (min: number): number => {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} expects an integer >= ${min}, got '${v}'`);
      return n;
    };
    const choice = <T extends string>(allowed: readonly T[]): T => {
      const v = value();
      if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} expects one of ${allowed.join(', ')}, got '${v}'`);
      return v as T;
    };
    switch (flag) {
      case '--data': o.data = choice(DATASETS); break;
      case '--points': {
        o.points = int(2);
        if (o.points % 2 !== 0) throw new UsageError(`--points expects an even number (half of each class), got '${o.points}'`);
        break;
      }
      case '--steps': o.steps = int(1); break;
      case '--hidden': o.hidden = int(1); break;
      case '--seed': o.seed = int(0); break;
      case '--dtype': o.dtype = choice(['float32', 'float64'] as const); break;
      case '--out': o.out = path.resolve(value()); break;
      case '--lr': {
        const v = value();
        const lr = Number(v);
        if (!Number.isFinite(lr) || lr <= 0) throw new UsageError(`--lr expects a number > 0, got '${v}'`);
        o.lr = lr;
        break;
      }
      default: throw new UsageError(`unknown ${arg.startsWith('-') ? 'flag' : 'argument'} '${arg}'`);
    }
  }
  return o;
}

/** What a run produced: both trajectories and their agreement, and the SVG's path. */
export interface Result extends Comparison {
  svg: string;
}

const fmtLoss = (v: number) => v.toFixed(6).padStart(13);

/**
 * Generates the data, trains both twins in lockstep, prints the losses every steps/10 steps and the
 * final accuracies and agreement through `log`, and writes `boundary.svg` into `o.out`.
 */
export function run(o: Options, log: (line: string) => void = console.log): Result {
  mkdirSync(o.out, { recursive: true }); // before training, so an unusable folder fails at once
  const data = toyData(o.data, o.points, new Generator(o.seed), o.dtype);
  manualSeed(o.seed); // TorchNet draws its initial weights from the default generator, as torch.manual_seed
  const twins = makeTwins(o.hidden, o.dtype);
  log(`${o.data}: ${o.points} points, 2-${o.hidden}-2 network, ${o.steps} steps of SGD (lr ${o.lr}), seed ${o.seed}, ${o.dtype}`);
  log(`${'step'.padStart(6)} ${'autograd loss'.padStart(13)} ${'manual loss'.padStart(13)} ${'|difference|'.padStart(13)}`);
  const every = Math.max(1, Math.round(o.steps / 10));
  const result = trainTwins(twins, data, o.steps, o.lr, (step, a, m) => {
    if (step % every === 0 || step === o.steps - 1) {
      log(`${String(step).padStart(6)} ${fmtLoss(a)} ${fmtLoss(m)} ${Math.abs(a - m).toExponential(2).padStart(13)}`);
    }
  });
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  log(`accuracy: autograd ${pct(result.autograd.accuracy)}, manual ${pct(result.manual.accuracy)} (chance: 50%)`);
  log(`agreement: max |loss difference| ${result.maxLossDiff.toExponential(2)}, max |parameter difference| ${result.maxParamDiff.toExponential(2)}, ` +
    `max |gradient difference| ${result.maxGradDiff.toExponential(2)} (${result.firstGradDiff.toExponential(2)} at step 0, from equal weights)`);

  if (result.kinkSteps.length > 0) {
    log(`note: at step ${result.kinkSteps[0]} a hidden unit's input was within rounding of ReLU's kink at 0 and the two runs ` +
      `put it on different sides, so their gradients differed by that sample's whole share; from there the parameters differ ` +
      `by more than rounding (${result.kinkSteps.length} step(s) had such a crossing). --dtype float64 makes this far rarer.`);
  }
  const view = viewOf(data.x);
  const cells = 90;
  const grid = gridPoints(view, cells, o.dtype);
  const size = 340;
  const panels = [
    regionPanel({ left: 60, top: 45, size }, view, noGrad(() => twins.model.forward(grid)), cells, data,
      noGrad(() => twins.model.forward(data.x)), `autograd (TorchNet): ${pct(result.autograd.accuracy)}`),
    regionPanel({ left: 470, top: 45, size }, view, twins.net.forward(grid), cells, data,
      twins.net.forward(data.x), `manual (manual.Net): ${pct(result.manual.accuracy)}`),
    lossPanel({ left: 880, top: 45, size }, result.autograd.losses, result.manual.losses),
  ];
  const caption = `${o.data}, 2-${o.hidden}-2 ReLU network, ${o.steps} steps of SGD (lr ${o.lr}), seed ${o.seed}; ` +
    `max |loss difference| between the runs ${result.maxLossDiff.toExponential(1)}`;
  const svg = path.join(o.out, 'boundary.svg');
  writeFileSync(svg, svgDocument(1250, 460, caption, panels));
  log(`wrote ${svg}`);
  return { ...result, svg };
}

/**
 * The CLI: parses the flags, runs, and returns the exit code: 2 for a bad command line, 1 when the
 * output cannot be written.
 */
export function main(argv: readonly string[]): number {
  let o: Options | null;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`xor: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (o === null) {
    console.log(USAGE);
    return 0;
  }
  try {
    run(o);
  } catch (e) {
    // file-system errors (an output path under a file, no permission) get one line, not a stack trace
    if (!(e instanceof Error && 'code' in e && 'path' in e)) throw e;
    console.error(`xor: cannot write to ${o.out}: ${e.message}`);
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
