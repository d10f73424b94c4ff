// `pnpm bench --browser`, the page side (issue 13): bundled by esbuild and run in Chromium by run.ts. It
// times the matmul, MLP and conv workloads on dl's WebGPU device and wasm backend and on TensorFlow.js's
// webgpu and wasm backends, all in this page, from the same numbers (workloads.ts). A GPU run ends with a
// read of its result (or the step's loss), so every figure includes waiting for the GPU.
import * as dl from '@dl/autograd';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { convData, matmulData, mlpData, type ConvData, type MlpData } from '../workloads.js';
import { crossEntropy } from '../frameworks/dl.js';
import { nhwcConvWeights } from '../frameworks/tfjs.js';

/** What the Node side asks for. */
export interface PageConfig {
  frameworks: string[];
  sizes: number[];
  workloads: string[];
  minTimeMs: number;
}

/** One figure: milliseconds per run (median), or why there is none. */
export type PageCell = { ms: number; samples: number } | { reason: string };

/** What the page measured: per framework, per workload key (`matmul 256`, `mlp`, `conv`), and the checks. */
export interface PageResult {
  adapter: string;
  cells: Record<string, Record<string, PageCell>>;
  checks: string[];
}

/** A workload built for one framework: runs are started back to back, and `finish` awaits the last one's result. */
interface Built {
  /** Starts one run; `finish` awaits the last started ones. */
  start(): void;
  finish(): Promise<number>;
  dispose?(): void;
}

/** The median of `runs` of `b` (each sample times back-to-back runs lasting ≥ 5 ms, then waits for the last). */
async function time(b: Built, minTimeMs: number): Promise<{ ms: number; samples: number }> {
  let t0 = performance.now();
  b.start();
  await b.finish();
  let perRun = performance.now() - t0;
  // Warm-up: pipelines, JIT, caches.
  for (const end = performance.now() + Math.min(300, minTimeMs / 3); performance.now() < end;) {
    b.start();
    await b.finish();
  }
  const runsPerSample = Math.max(1, Math.ceil(5 / Math.max(perRun, 0.01)));
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 5 || performance.now() - start < minTimeMs) {
    t0 = performance.now();
    for (let i = 0; i < runsPerSample; i++) b.start();
    await b.finish();
    perRun = (performance.now() - t0) / runsPerSample;
    times.push(perRun);
    if (times.length >= 200) break;
  }
  times.sort((a, c) => a - c);
  return { ms: times[Math.floor(times.length / 2)]!, samples: times.length };
}

// dl: tensors on `device`; an SGD step in place, as the Node bench's dl does.
function dlSgd(params: dl.Tensor[], lr: number): void {
  dl.noGrad(() => {
    for (const p of params) {
      p.sub_(p.grad!, { alpha: lr });
      p.grad = null;
    }
  });
}

/** A builder that keeps the last run's value (a tensor read back asynchronously). */
function lastOf(run: () => dl.Tensor): Built {
  let last: dl.Tensor | null = null;
  return {
    start() {
      last = run();
    },
    async finish() {
      return (await last!.dataAsync())[0]!;
    },
  };
}

function dlBuilders(device: dl.Device) {
  const on = (values: Float32Array, shape: number[], grad = false): dl.Tensor => {
    const t = dl.tensor(values, { shape, device });
    return grad ? t.requiresGrad_() : t;
  };
  return {
    matmul(n: number): Built {
      const d = matmulData(n);
      const a = on(d.a, [n, n]);
      const b = on(d.b, [n, n]);
      return lastOf(() => dl.matmul(a, b));
    },
    mlp(d: MlpData): Built {
      const [i, h, o] = d.sizes;
      const x = on(d.x, [d.batch, i]);
      const labels = dl.tensor(Int32Array.from(d.labels), { shape: [d.batch, 1] });
      const params = [on(d.w1, [i, h], true), on(d.b1, [h], true), on(d.w2, [h, o], true), on(d.b2, [o], true)];
      const [w1, b1, w2, b2] = params as [dl.Tensor, dl.Tensor, dl.Tensor, dl.Tensor];
      return lastOf(() => {
        const loss = crossEntropy(dl.add(dl.matmul(dl.relu(dl.add(dl.matmul(x, w1), b1)), w2), b2), labels);
        loss.backward();
        dlSgd(params, d.lr);
        return loss;
      });
    },
    conv(d: ConvData): Built {
      const { batch: n, size: s, channels: c } = d;
      const x = on(d.x, [n, 1, s, s]);
      const labels = dl.tensor(Int32Array.from(d.labels), { shape: [n, 1] });
      const params = [on(d.wConv, [c, 1, 3, 3], true), on(d.bConv, [c], true), on(d.wFc, [c * (s / 2) ** 2, d.classes], true), on(d.bFc, [d.classes], true)];
      const [wConv, bConv, wFc, bFc] = params as [dl.Tensor, dl.Tensor, dl.Tensor, dl.Tensor];
      return lastOf(() => {
        // As the Node bench (frameworks/dl.ts) and @dl/nn's Sequential: the conv2d op, then pooling, then relu.
        const pooled = dl.relu(dl.maxPool2d(dl.conv2d(x, wConv, bConv, { padding: 1 }), 2));
        const loss = crossEntropy(dl.add(dl.matmul(dl.reshape(pooled, [n, c * (s / 2) ** 2]), wFc), bFc), labels);
        loss.backward();
        dlSgd(params, d.lr);
        return loss;
      });
    },
  };
}

// TensorFlow.js: the same models as the Node bench's (frameworks/tfjs.ts), with the loss read by await data().
function tfBuilders() {
  const trainer = (lr: number, vars: tf.Variable[], loss: () => tf.Scalar): Built => {
    const opt = tf.train.sgd(lr);
    let last: tf.Scalar | null = null;
    return {
      start() {
        last?.dispose();
        last = opt.minimize(loss, true, vars)!;
      },
      async finish() {
        return (await last!.data())[0]!;
      },
      dispose() {
        last?.dispose();
        tf.dispose(vars);
        opt.dispose();
      },
    };
  };
  return {
    matmul(n: number): Built {
      const d = matmulData(n);
      const a = tf.tensor2d(d.a, [n, n]);
      const b = tf.tensor2d(d.b, [n, n]);
      const pending: tf.Tensor[] = [];
      return {
        start() {
          pending.push(tf.matMul(a, b));
        },
        async finish() {
          const v = (await pending[pending.length - 1]!.data())[0]!;
          tf.dispose(pending.splice(0));
          return v;
        },
        dispose: () => tf.dispose([a, b]),
      };
    },
    mlp(d: MlpData): Built {
      const [i, h, o] = d.sizes;
      const x = tf.tensor2d(d.x, [d.batch, i]);
      const onehot = tf.oneHot(tf.tensor1d(d.labels, 'int32'), o);
      const vars = [tf.variable(tf.tensor2d(d.w1, [i, h])), tf.variable(tf.tensor1d(d.b1)), tf.variable(tf.tensor2d(d.w2, [h, o])), tf.variable(tf.tensor1d(d.b2))];
      const [w1, b1, w2, b2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      return trainer(d.lr, vars, () => {
        const hidden = tf.relu(tf.add(tf.matMul(x, w1), b1));
        return tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(hidden, w2), b2)) as tf.Scalar;
      });
    },
    conv(d: ConvData): Built {
      const { batch: n, size: s, channels: c, classes } = d;
      const half = s / 2;
      const fcIn = c * half * half;
      const x = tf.tensor4d(d.x, [n, s, s, 1]);
      const onehot = tf.oneHot(tf.tensor1d(d.labels, 'int32'), classes);
      const { filter, fc } = nhwcConvWeights(d);
      const vars = [tf.variable(tf.tensor4d(filter, [3, 3, 1, c])), tf.variable(tf.tensor1d(d.bConv)), tf.variable(tf.tensor2d(fc, [fcIn, classes])), tf.variable(tf.tensor1d(d.bFc))];
      const [wConv, bConv, wFc, bFc] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
      return trainer(d.lr, vars, () => {
        const y = tf.relu(tf.add(tf.conv2d(x, wConv as tf.Tensor4D, 1, 'same'), bConv));
        const pooled = tf.maxPool(y as tf.Tensor4D, 2, 2, 'valid');
        return tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(tf.reshape(pooled, [n, fcIn]), wFc), bFc)) as tf.Scalar;
      });
    },
  };
}

/** Makes `name` the active framework, or says why it cannot run here. */
async function activate(name: string): Promise<string | null> {
  if (name === 'dl-webgpu') {
    try {
      await dl.initWebGpu();
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
  if (name === 'dl-wasm') {
    dl.setBackend('wasm');
    return null;
  }
  const backend = name.replace(/^tfjs-/, '');
  try {
    if (!(await tf.setBackend(backend))) return `tfjs: backend '${backend}' failed to initialize`;
    await tf.ready();
    return null;
  } catch (e) {
    return `tfjs-${backend}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function adapterInfo(): Promise<string> {
  type Info = { vendor: string; architecture: string; device: string; description: string };
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = (await gpu?.requestAdapter()) as { info: Info } | null | undefined;
  if (!adapter) return 'no WebGPU adapter';
  const i = adapter.info;
  return [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' ') || 'a WebGPU adapter';
}

/** Times every workload on every framework, in that order (one framework at a time, so backends do not interleave). */
async function runBrowserBench(config: PageConfig): Promise<PageResult> {
  setWasmPaths('/tfjs-wasm/');
  const cells: Record<string, Record<string, PageCell>> = {};
  const checks: string[] = [];
  const firstLoss = new Map<string, number>();
  for (const fw of config.frameworks) {
    const row: Record<string, PageCell> = (cells[fw] = {});
    const reason = await activate(fw);
    const builders = fw.startsWith('dl-') ? dlBuilders(fw === 'dl-webgpu' ? 'webgpu' : 'cpu') : tfBuilders();
    const jobs: [string, () => Built][] = [
      ...(config.workloads.includes('matmul') ? config.sizes.map((n): [string, () => Built] => [`matmul ${n}`, () => builders.matmul(n)]) : []),
      ...(config.workloads.includes('mlp') ? [['mlp', () => builders.mlp(mlpData())] as [string, () => Built]] : []),
      ...(config.workloads.includes('conv') ? [['conv', () => builders.conv(convData())] as [string, () => Built]] : []),
    ];
    for (const [key, build] of jobs) {
      if (reason !== null) {
        row[key] = { reason };
        continue;
      }
      try {
        const b = build();
        if (key === 'mlp' || key === 'conv') {
          b.start();
          const loss = await b.finish();
          const first = firstLoss.get(key);
          if (first === undefined) firstLoss.set(key, loss);
          else checks.push(`${key}: ${fw} first loss ${loss.toFixed(5)} ${Math.abs(loss - first) <= 1e-4 * Math.abs(first) ? 'matches' : 'DIFFERS FROM'} the first framework's ${first.toFixed(5)}`);
        }
        row[key] = await time(b, config.minTimeMs);
        b.dispose?.();
      } catch (e) {
        row[key] = { reason: `failed: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    if (fw === 'dl-wasm' || fw === 'dl-webgpu') dl.setBackend('wasm');
  }
  return { adapter: await adapterInfo(), cells, checks };
}

(globalThis as { runBrowserBench?: typeof runBrowserBench }).runBrowserBench = runBrowserBench;
