import type { MeasureOptions } from './measure.js';

/** The frameworks the bench knows, in table order. */
export const ALL_FRAMEWORKS = ['dl', 'dl-js', 'tfjs-cpu', 'tfjs-wasm', 'js-pytorch', 'pytorch', 'dl-mt', 'pytorch-mt'] as const;
/** Frameworks that compute on several threads: shown under their own heading, beside dl on one. */
export const MULTI_THREADED: readonly string[] = ['dl-mt', 'pytorch-mt'];
/** The frameworks `--browser` times in Chromium, dl's first on each kind of device. */
export const BROWSER_FRAMEWORKS = ['dl-webgpu', 'tfjs-webgpu', 'dl-wasm', 'tfjs-wasm'] as const;
/** The workloads `--browser` times. */
export const BROWSER_WORKLOADS = ['matmul', 'mlp', 'conv'] as const;
/** The timed workloads. */
export const ALL_WORKLOADS = ['matmul', 'mlp', 'conv', 'lstm', 'conv2d', 'ops'] as const;
/** One timed workload. */
export type Workload = (typeof ALL_WORKLOADS)[number];

/** The usage text printed by `--help`. */
export const HELP = `Usage: pnpm bench [options]
  --quick            a quick subset: sizes 64,256, shorter timings
  --sizes=64,128     matmul sizes (default 64,128,256,512,1024)
  --only=dl,tfjs-wasm   frameworks to run (default: ${ALL_FRAMEWORKS.join(',')})
  --workloads=matmul,mlp,conv,lstm,conv2d,ops   what to time (default: all); conv2d is one convolution's
                     forward and backward (x [32,16,28,28], weight [32,16,3,3], pad 1), no update; ops is
                     the per-op overhead: a chain of 10,000 scalar adds, forward and backward, per op
  --min-time=1500    milliseconds of sampling per figure, over all rounds (after warm-up)
  --rounds=3         rounds per figure, interleaved across frameworks (evens out load bursts)
  --clock=cpu        time by this process's CPU time instead of wall time (for a busy, shared machine)
  --browser          time in headless Chromium instead: dl on WebGPU and on wasm beside TensorFlow.js's
                     webgpu and wasm backends, all in one page (frameworks ${BROWSER_FRAMEWORKS.join(',')};
                     workloads ${BROWSER_WORKLOADS.join(',')}; sizes 256,1024 unless given). Needs Debian's chromium
                     (or CHROMIUM_PATH); without a GPU, WebGPU runs on SwiftShader and only shows that it works.
  --help             this text
dl runs on one thread (dl), on its default thread count (dl-mt, see setNumThreads), and on its
plain TypeScript backend (dl-js, setBackend('js'): the reference the wasm kernels are measured against). PyTorch (columns
pytorch, one thread, and pytorch-mt, torch's default threads) runs in a Python
worker: DL_BENCH_PYTHON if set, else the repository's .venv/bin/python, else python3, whichever
imports torch; without one its figures are n/a with the reason.
After the timings it counts the bytes each of dl's training steps allocates (src/allocation.ts).`;

/** What one bench run does. */
export interface Options {
  sizes: number[];
  frameworks: string[];
  workloads: Workload[];
  timing: MeasureOptions;
  help: boolean;
  /** Time in headless Chromium (`--browser`). */
  browser: boolean;
}

/**
 * Parses the command line (`--name=value` or `--name value`); throws naming the bad argument.
 * @example parseArgs(['--quick', '--only=dl,tfjs-wasm']).sizes // [64, 256]
 */
export function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    sizes: [64, 128, 256, 512, 1024],
    frameworks: [...ALL_FRAMEWORKS],
    workloads: [...ALL_WORKLOADS],
    timing: { warmupMs: 200, minTimeMs: 1500, minSamples: 6, slowMs: 1000, rounds: 3, clock: 'wall' },
    help: false,
    browser: argv.includes('--browser'),
  };
  if (o.browser) {
    o.sizes = [256, 1024];
    o.frameworks = [...BROWSER_FRAMEWORKS];
    o.workloads = [...BROWSER_WORKLOADS];
  }
  const known: readonly string[] = o.browser ? BROWSER_FRAMEWORKS : ALL_FRAMEWORKS;
  const workloads: readonly string[] = o.browser ? BROWSER_WORKLOADS : ALL_WORKLOADS;
  // --quick sets defaults that the other options then override, wherever it appears.
  if (argv.includes('--quick')) {
    o.sizes = [64, 256];
    o.timing = { ...o.timing, warmupMs: 100, minTimeMs: 300, minSamples: 3, slowMs: 300, rounds: 1 };
  }
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      o.help = true;
      continue;
    }
    if (arg === '--quick' || arg === '--browser') continue;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const value = m?.[2] ?? argv[++i];
    if (m === null || value === undefined) throw new Error(`bench: unknown argument '${arg}'\n${HELP}`);
    if (m[1] === 'sizes') {
      o.sizes = list(value).map(Number);
      if (o.sizes.length === 0 || o.sizes.some((n) => !Number.isInteger(n) || n < 1)) {
        throw new Error(`bench: --sizes must be positive integers, got '${value}'`);
      }
    } else if (m[1] === 'only') {
      o.frameworks = list(value);
      const bad = o.frameworks.filter((f) => !known.includes(f));
      if (bad.length > 0) throw new Error(`bench: unknown framework(s) ${bad.join(', ')} (known${o.browser ? ' with --browser' : ''}: ${known.join(', ')})`);
    } else if (m[1] === 'workloads') {
      const w = list(value);
      const bad = w.filter((x) => !workloads.includes(x));
      if (bad.length > 0) throw new Error(`bench: unknown workload(s) ${bad.join(', ')} (known${o.browser ? ' with --browser' : ''}: ${workloads.join(', ')})`);
      o.workloads = w as Workload[];
    } else if (m[1] === 'min-time') {
      o.timing.minTimeMs = Number(value);
      if (!(o.timing.minTimeMs >= 0)) throw new Error(`bench: --min-time must be a number of ms, got '${value}'`);
    } else if (m[1] === 'rounds') {
      o.timing.rounds = Number(value);
      if (!Number.isInteger(o.timing.rounds) || o.timing.rounds < 1) throw new Error(`bench: --rounds must be a positive integer, got '${value}'`);
    } else if (m[1] === 'clock') {
      if (value !== 'wall' && value !== 'cpu') throw new Error(`bench: --clock must be 'wall' or 'cpu', got '${value}'`);
      o.timing.clock = value;
    } else {
      throw new Error(`bench: unknown option '--${m[1]}'\n${HELP}`);
    }
  }
  return o;
}
