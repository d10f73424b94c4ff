// SGD, Momentum, RMSProp and Adam from the same start on two 2-D loss surfaces, drawn over contour plots
// (trajectories.svg), and their training losses on the same small MLP (losses.svg).
// Run: npx tsc -b && node examples/dist/optimizers/main.js [--out DIR] [--steps N] [--model-steps N]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Generator, noGrad, tensor, type Tensor } from '@dl/autograd';
import { Adam, Momentum, RMSProp, SGD, type Optimizer, type OptimizerOptions, type ParamState } from '@dl/optim';
import { elongated, rosenbrock, sampleGrid, type Surface } from './surfaces.js';
import { contourSegments, logLevels } from './contour.js';
import { axes, document, esc, legend, polyline, px, py, type Frame } from './svg.js';
import { bce, mlp, quadrants } from './model.js';

/** The run's settings. */
export interface Options {
  /** Output folder (created if missing). */
  out: string;
  /** Optimizer steps on each 2-D surface. */
  steps: number;
  /** Training steps of the MLP. */
  modelSteps: number;
}

type AnyOptimizer = Optimizer<OptimizerOptions, ParamState>;
interface Racer {
  name: string;
  color: string;
  make: (params: Tensor[], lr: number) => AnyOptimizer;
}

/** The four optimizers of the course, each with the learning rate that suits the problem. */
const racers = (lr: Surface['lr']): (Racer & { lr: number })[] => [
  { name: 'SGD', color: '#1f77b4', lr: lr.sgd, make: (p, l) => new SGD(p, { lr: l }) },
  { name: 'Momentum', color: '#ff7f0e', lr: lr.momentum, make: (p, l) => new Momentum(p, { lr: l, rho: 0.9 }) },
  { name: 'RMSProp', color: '#2ca02c', lr: lr.rmsprop, make: (p, l) => new RMSProp(p, { lr: l, alpha: 0.9 }) },
  { name: 'Adam', color: '#d62728', lr: lr.adam, make: (p, l) => new Adam(p, { lr: l }) },
];

/** The points an optimizer visits on a surface, and the loss at each. */
function race(s: Surface, r: Racer & { lr: number }, steps: number) {
  const p = tensor(s.start, { dtype: 'float64', requiresGrad: true });
  const opt = r.make([p], r.lr);
  const xs = [s.start[0]];
  const ys = [s.start[1]];
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    const loss = s.loss(p);
    loss.backward();
    losses.push(loss.item());
    opt.step();
    xs.push(p.data[0]!);
    ys.push(p.data[1]!);
  }
  losses.push(s.value(p.data[0]!, p.data[1]!));
  return { xs, ys, losses };
}

/** One panel: the surface's contours, each optimizer's path, the start and the minimum. */
function surfacePanel(s: Surface, steps: number, left: number, id: string): { svg: string; losses: Map<string, number[]> } {
  const box = { left, top: 50, width: 440, height: 400 };
  const f: Frame = { x: s.view.x, y: s.view.y, box };
  const cols = 160;
  const rows = 160;
  const grid = sampleGrid(s, cols, rows);
  let hi = 0;
  for (const v of grid) hi = Math.max(hi, v);
  const levels = logLevels(hi * 2e-5, hi * 0.8, 14);
  const gx = (i: number) => s.view.x[0] + ((s.view.x[1] - s.view.x[0]) * i) / (cols - 1);
  const gy = (j: number) => s.view.y[0] + ((s.view.y[1] - s.view.y[0]) * j) / (rows - 1);
  const contours = levels.map((level, k) => {
    const shade = Math.round(40 + (180 * k) / (levels.length - 1));
    const d = contourSegments(grid, cols, rows, level)
      .map(([i1, j1, i2, j2]) => `M${px(f, gx(i1)).toFixed(1)} ${py(f, gy(j1)).toFixed(1)}L${px(f, gx(i2)).toFixed(1)} ${py(f, gy(j2)).toFixed(1)}`)
      .join('');
    return `<path d="${d}" fill="none" stroke="rgb(${shade},${shade + 20},${Math.min(255, shade + 70)})" stroke-width="0.8"/>`;
  });
  const losses = new Map<string, number[]>();
  // Drawn widest first, so where the paths overlap (Rosenbrock's valley) every colour still shows.
  const widths = [1.6, 2.8, 4, 5.5];
  const drawn = racers(s.lr).map((r, n) => {
    const { xs, ys, losses: l } = race(s, r, steps);
    losses.set(r.name, l);
    const [ex, ey] = [px(f, xs.at(-1)!), py(f, ys.at(-1)!)];
    const end = Number.isFinite(ex + ey) ? `<circle cx="${ex.toFixed(1)}" cy="${ey.toFixed(1)}" r="5" fill="${r.color}" stroke="black"/>` : '';
    return { line: polyline(f, xs, ys, `stroke="${r.color}" stroke-width="${widths[n]}" stroke-linejoin="round"`), end };
  });
  const paths = [...drawn.map((d) => d.line).reverse(), ...drawn.map((d) => d.end)];
  const [sx, sy] = [px(f, s.start[0]), py(f, s.start[1])];
  const [mx, my] = [px(f, s.minimum[0]), py(f, s.minimum[1])];
  const svg = [
    `<clipPath id="${id}"><rect x="${box.left}" y="${box.top}" width="${box.width}" height="${box.height}"/></clipPath>`,
    `<g clip-path="url(#${id})">`, ...contours, ...paths,
    `<circle cx="${sx.toFixed(1)}" cy="${sy.toFixed(1)}" r="5" fill="white" stroke="black" stroke-width="2"/>`,
    `<path d="M${mx - 6} ${my - 6}L${mx + 6} ${my + 6}M${mx - 6} ${my + 6}L${mx + 6} ${my - 6}" stroke="black" stroke-width="2.5"/>`,
    `</g>`,
    axes(f, 'x', 'y'),
    `<text x="${box.left + box.width / 2}" y="${box.top - 12}" text-anchor="middle" font-size="14">${esc(s.title)}, ${steps} steps</text>`,
  ].join('\n');
  return { svg, losses };
}

/** A log-scale panel of loss curves, one per optimizer. */
function lossPanel(curves: Map<string, number[]>, colors: Map<string, string>, left: number, title: string, xLabel: string): string {
  const all = [...curves.values()].flat().filter((v) => Number.isFinite(v) && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const steps = Math.max(...[...curves.values()].map((c) => c.length)) - 1;
  const f: Frame = { x: [0, Math.max(steps, 1)], y: [lo, hi], logY: true, box: { left, top: 50, width: 440, height: 360 } };
  const lines = [...curves].map(([name, c]) =>
    polyline(f, c.map((_, k) => k), c.map((v) => Math.max(v, lo)), `stroke="${colors.get(name)}" stroke-width="2"`));
  return [
    ...lines, axes(f, xLabel, 'loss (log scale)'),
    `<text x="${left + 220}" y="38" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ].join('\n');
}

/** Trains the MLP on mini-batches with each optimizer from the same initial weights and the same batch
 * order; returns the loss on the whole training set after every step. */
function trainModel(steps: number, batchSize = 20): Map<string, number[]> {
  const n = 200;
  const { x, y } = quadrants(n, 1);
  const lrs = { sgd: 0.3, momentum: 0.3, rmsprop: 0.01, adam: 0.02 };
  const out = new Map<string, number[]>();
  for (const r of racers(lrs)) {
    const model = mlp(2);
    const opt = r.make(model.params, r.lr);
    const order = new Generator(3);
    const fullLoss = () => noGrad(() => bce(model.forward(x), y).item());
    const losses = [fullLoss()];
    for (let k = 0; k < steps; k++) {
      const idx = Array.from({ length: batchSize }, () => order.integer(0, n));
      opt.zeroGrad();
      bce(model.forward(x.indexSelect(0, idx)), y.indexSelect(0, idx)).backward();
      opt.step();
      losses.push(fullLoss());
    }
    out.set(r.name, losses);
  }
  return out;
}

/** Runs everything and writes the SVGs; returns their paths. */
export function run(o: Options): string[] {
  mkdirSync(o.out, { recursive: true });
  const colors = new Map(racers(rosenbrock.lr).map((r) => [r.name, r.color]));
  const entries = [...colors].map(([name, color]) => ({ name, color }));
  const a = surfacePanel(rosenbrock, o.steps, 70, 'clip-rosenbrock');
  const b = surfacePanel(elongated, o.steps, 600, 'clip-quadratic');
  const trajectories = path.join(o.out, 'trajectories.svg');
  writeFileSync(trajectories, document(1080, 550, [a.svg, b.svg, legend(555, 530, entries)]));

  const model = trainModel(o.modelSteps);
  const losses = path.join(o.out, 'losses.svg');
  writeFileSync(losses, document(1080, 500, [
    lossPanel(model, colors, 70, `2-16-1 MLP, quadrant problem: training-set loss, batches of 20`, 'step'),
    lossPanel(a.losses, colors, 600, `Rosenbrock, ${o.steps} steps`, 'step'),
    legend(555, 478, entries),
  ]));
  for (const [name, l] of model) {
    const rb = a.losses.get(name)!;
    const q = b.losses.get(name)!;
    console.log(`${name.padEnd(9)} MLP loss ${l.at(-1)!.toFixed(4)}   Rosenbrock ${rb.at(-1)!.toExponential(2)}   quadratic ${q.at(-1)!.toExponential(2)}`);
  }
  return [trajectories, losses];
}

/** Parses `--out DIR --steps N --model-steps N`, with defaults; throws on anything else. */
export function parseArgs(argv: readonly string[]): Options {
  const o: Options = { out: path.resolve('examples/out/optimizers'), steps: 1500, modelSteps: 300 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const count = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} expects a positive integer, got '${value}'`);
      i++;
      return n;
    };
    if (flag === '--out' && value !== undefined) {
      o.out = path.resolve(value);
      i++;
    } else if (flag === '--steps') o.steps = count();
    else if (flag === '--model-steps') o.modelSteps = count();
    else throw new Error(`unknown flag '${flag}' (flags: --out DIR, --steps N, --model-steps N)`);
  }
  return o;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = run(parseArgs(process.argv.slice(2)));
  console.log(`wrote ${files.join(', ')}`);
}
