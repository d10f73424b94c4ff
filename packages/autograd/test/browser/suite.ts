// The Chromium suite (issues 8 and 13): bundled by esbuild, loaded in headless Chromium by
// chromium.test.ts, and run there with `runDlSuite()`. It proves in a real browser what the Node tests
// prove in Node: gradients on both CPU backends, the backends' agreement, training through @dl/nn and
// @dl/optim, and the WebGPU matmul kernel against the CPU product.
import fc from 'fast-check';
import {
  abs, add, availableBackends, conv2d, div, exp, getNumThreads, gradients, log, logSoftmax, manualSeed, matmul, matmulTransposed, max, maximum, minimum, mul, neg,
  randn, relu, setBackend, setNumThreads, sigmoid, sign, sin, cos, pow, erf, floor, ceil, trunc, round, log1p, expm1, softmax, sqrt, sub, sum, tanh, Tensor, unfoldColumns, where, gt, zerosLike,
  type BackendName,
} from '@dl/autograd';
import { arbBroadcastTensors, arbShape, arbTensor, gradcheck } from '@dl/autograd/testing';
import { Linear, ReLU, Sequential, CrossEntropyLoss } from '@dl/nn';
import { Adam } from '@dl/optim';
import { threadStats } from '../../src/kernels/wasm/threads.js';
import { GpuContext, requestGpuDevice, type GpuArray } from '../../src/kernels/webgpu/context.js';
import { matmul as gpuMatmul, tileFor } from '../../src/kernels/webgpu/matmul.js';
import { binary, unary, BINARY, UNARY, type BinaryOp, type UnaryOp } from '../../src/kernels/webgpu/elementwise.js';
import { logSoftmaxRows, reduce } from '../../src/kernels/webgpu/reduce.js';
import { BROWSER_CHECKS, type CheckResult } from './checks.js';
import { deviceChecks, normalF32 } from './deviceChecks.js';

type Check = () => string | Promise<string>;

/** The float32 values of a GPU array. */
async function readF32(ctx: GpuContext, a: GpuArray): Promise<Float32Array> {
  return (await ctx.read(a)) as Float32Array;
}

function on<T>(backend: BackendName, f: () => T): T {
  setBackend(backend);
  try {
    return f();
  } finally {
    setBackend('wasm');
  }
}

/** The float64 gradient properties, on one backend. */
function gradientProperties(backend: BackendName): string {
  on(backend, () => {
    fc.assert(fc.property(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).chain(([m, k, n]) =>
      fc.tuple(arbTensor([m, k]), arbTensor([k, n]))), ([a, b]) => gradcheck((x, y) => matmul(x, y), [a, b])), { numRuns: 15 });
    fc.assert(fc.property(arbBroadcastTensors(2), (xs) => gradcheck((x, y) => x.mul(y).add(x.tanh()), xs)), { numRuns: 15 });
    fc.assert(fc.property(arbTensor([3, 4]), (x) => gradcheck((t) => softmax(t, 1).mul(t), [x])), { numRuns: 10 });
    fc.assert(fc.property(fc.tuple(arbTensor([1, 2, 4, 4]), arbTensor([3, 18])), ([x, w]) =>
      gradcheck((a, b) => matmul(b, unfoldColumns(a, 3, { padding: 1 })), [x, w])), { numRuns: 8 });
  });
  return '4 properties, 48 draws';
}

/** Outputs and gradients of `f` on float32 copies of `xs`, on one backend. */
function resultsOn(backend: BackendName, f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): Float32Array[] {
  return on(backend, () => {
    const leaves = xs.map((x) => x.float().detach().requiresGrad_());
    const y = f(...leaves);
    const gs = gradients([y], leaves, { gradOutputs: [y.detach().mul(0).add(1)] });
    return [y, ...gs].map((t) => t.data as Float32Array);
  });
}

function agree(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], what: string): void {
  const want = resultsOn('js', f, xs);
  const got = resultsOn('wasm', f, xs);
  got.forEach((g, i) => g.forEach((v, j) => {
    const e = want[i]![j]!;
    if (!(Math.abs(v - e) <= 1e-5 * (1 + Math.abs(e)))) throw new Error(`${what}: result ${i}[${j}] is ${v} on wasm, ${e} on js`);
  }));
}

/** A two-layer MLP fitted to 64 random points of 3 classes; returns the losses. */
function trainMlp(backend: BackendName): number[] {
  return on(backend, () => {
    manualSeed(3);
    const x = randn([64, 10]);
    const y = new Tensor(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 3), [64]);
    const model = new Sequential(new Linear(10, 32), new ReLU(), new Linear(32, 3));
    const lossFn = new CrossEntropyLoss();
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    return losses;
  });
}

let wasmLosses: number[] = [];
let device: GPUDevice | string | undefined;
let context: GpuContext | undefined;

/** The suite's GpuContext (after the adapter check found a device). */
function gpu(): GpuContext {
  if (device === undefined || typeof device === 'string') throw new Error(`no WebGPU device: ${device}`);
  return (context ??= new GpuContext(device));
}

/** A float32 tensor's values on the GPU. */
function up(ctx: GpuContext, t: Tensor) {
  return ctx.upload(normalF32(t).data as Float32Array);
}

/** The CPU reluBackward, as the GPU kernel must match it. */
function cpuReluBackward(g: Tensor, x: Tensor): Tensor {
  return where(x.le(0), zerosLike(g), g);
}

/** Throws unless `got` holds exactly `want`'s values, NaN where it has NaN. */
function expectSame(got: Float32Array, want: Tensor, what: string): void {
  expectNear(got, want, () => 0, what);
}

/** Throws unless every value of `got` is within `tol(i)` of `want`'s. */
function expectNear(got: Float32Array, want: Tensor, tol: (i: number) => number, what: string): void {
  if (got.length !== want.numel()) throw new Error(`${what}: ${got.length} values on the GPU, ${want.numel()} on the CPU`);
  got.forEach((v, i) => {
    const e = want.data[i]!;
    const same = Number.isNaN(e) ? Number.isNaN(v) : v === e || Math.abs(v - e) <= tol(i);
    if (!same) throw new Error(`${what}: element ${i} is ${v} on the GPU, ${e} on the CPU`);
  });
}

const checks: Record<string, Check> = {
  ...deviceChecks,
  'both CPU backends are available (WebAssembly SIMD compiles in Chromium)': () => {
    const names = availableBackends();
    if (names.join() !== 'wasm,js') throw new Error(`availableBackends() is ${JSON.stringify(names)}`);
    return names.join(', ');
  },
  'with the wasm backend selected: gradients of matmul, broadcasting ops, softmax and a convolution match central differences (float64 property; float64 products run in TypeScript on both backends)': () => gradientProperties('wasm'),
  'with the js backend selected: gradients of matmul, broadcasting ops, softmax and a convolution match central differences (float64 property)': () => gradientProperties('js'),
  'wasm and js give the same products and convolutions (the fused conv2d kernels), forward and backward (float32 property at wasm sizes)': () => {
    const size = fc.integer({ min: 8, max: 24 });
    fc.assert(fc.property(fc.tuple(size, size, size).chain(([m, k, n]) => fc.tuple(arbTensor([m, k], { min: -1, max: 1 }), arbTensor([n, k], { min: -1, max: 1 }))),
      ([a, b]) => agree((x, w) => matmulTransposed(x, w), [a, b], 'matmulTransposed')), { numRuns: 15 });
    fc.assert(fc.property(fc.tuple(arbTensor([2, 3, 8, 8], { min: -1, max: 1 }), arbTensor([8, 27], { min: -1, max: 1 })),
      ([x, w]) => agree((a, b) => matmul(b, unfoldColumns(a, 3, { padding: 1 })), [x, w], 'conv')), { numRuns: 8 });
    fc.assert(fc.property(fc.tuple(arbTensor([3, 4, 9, 7], { min: -1, max: 1 }), arbTensor([6, 4, 3, 3], { min: -1, max: 1 }), arbTensor([6], { min: -1, max: 1 }), fc.integer({ min: 1, max: 2 })),
      ([x, w, b, stride]) => agree((a, c, d) => conv2d(a, c, d, { padding: 1, stride }), [x, w, b], 'conv2d')), { numRuns: 8 });
    return '31 draws';
  },
  'wasm: an nn MLP trained with Adam for 300 steps fits its data': () => {
    wasmLosses = trainMlp('wasm');
    const [first, last] = [wasmLosses[0]!, wasmLosses[wasmLosses.length - 1]!];
    if (!(last < 0.2 * first)) throw new Error(`loss went from ${first} to ${last}`);
    return `loss ${first.toFixed(4)} → ${last.toFixed(4)}`;
  },
  'js: an nn MLP trained with Adam for 300 steps fits its data, with the losses of wasm': () => {
    const losses = trainMlp('js');
    // The two backends round float32 products differently; over 300 Adam steps that drifts a little.
    losses.forEach((l, i) => {
      if (!(Math.abs(l - wasmLosses[i]!) <= 1e-3 * (1 + wasmLosses[i]!))) throw new Error(`step ${i}: ${l} on js, ${wasmLosses[i]} on wasm`);
    });
    return `loss ${losses[0]!.toFixed(4)} → ${losses[losses.length - 1]!.toFixed(4)}`;
  },
  'threads: the cross-origin isolated page defaults to navigator.hardwareConcurrency threads, and matmul, conv2d (forward and backward), tanh, erf and logSoftmax large enough to split run on Blob-URL Workers over shared memory, with the bits of one thread': async () => {
    if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated');
    const cores = navigator.hardwareConcurrency;
    if (getNumThreads() !== cores) throw new Error(`getNumThreads() is ${getNumThreads()}, navigator.hardwareConcurrency ${cores}`);
    // A product of 520³ multiply-adds (≥ 2^27) and a convolution of 8·32·16·9·784 (≥ 2^24) split over the threads.
    const [a, b] = [randn([520, 520]), randn([520, 520])];
    const [x, w, bias] = [randn([8, 16, 28, 28]), randn([32, 16, 3, 3]), randn([32])];
    // And 2^16 + 3 values (at least MAP_THREAD_MIN) through two of the transcendental kernels, and a
    // log-softmax over 2^16 + 3 rows of 2.
    const v = randn([(1 << 16) + 3]);
    const rows = randn([(1 << 16) + 3, 2]);
    const run = (): Float32Array[] => {
      const [xs, ws] = [x.detach().requiresGrad_(), w.detach().requiresGrad_()];
      const y = conv2d(xs, ws, bias, { padding: 1 });
      const grads = gradients([y], [xs, ws], { gradOutputs: [y.detach()] });
      return [matmul(a, b), y, ...grads, tanh(v), erf(v), logSoftmax(rows, 1)].map((t) => t.data as Float32Array);
    };
    const same = (got: Float32Array[], want: Float32Array[]): void => got.forEach((g, k) => {
      const at = g.findIndex((x, j) => !Object.is(x, want[k]![j]));
      if (g.length !== want[k]!.length || at >= 0) throw new Error(`result ${k} differs from one thread's at ${at}: ${g[at]} vs ${want[k]![at]}`);
    });
    setNumThreads(1);
    const want = run();
    setNumThreads(2);
    const before = threadStats();
    try {
      // A page starts its workers once its main thread is idle; until then the calling thread takes every chunk.
      for (let i = 0; i < 200 && threadStats().workerChunks === before.workerChunks; i++) {
        same(run(), want);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // tanh, erf and log-softmax alone, now that the workers run: their chunks must reach a worker, and no
      // chunk may fail (a failed chunk disposes of the pool, and the next job would start new workers).
      const maps = threadStats();
      for (let i = 0; i < 50 && threadStats().workerChunks === maps.workerChunks; i++) {
        same([tanh(v), erf(v), logSoftmax(rows, 1)].map((t) => t.data as Float32Array), want.slice(-3));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const done = threadStats();
      if (done.workerChunks === maps.workerChunks) throw new Error(`no worker computed a chunk of tanh, erf or logSoftmax in ${done.jobs - maps.jobs} jobs`);
      if (done.workersStarted !== maps.workersStarted) throw new Error('the pool was restarted during tanh, erf and logSoftmax: a chunk failed');
    } finally {
      setNumThreads(cores);
    }
    const after = threadStats();
    if (after.workerChunks === before.workerChunks) throw new Error(`no worker computed a chunk in ${after.jobs - before.jobs} threaded jobs`);
    return `${cores} cores; ${after.workersStarted} worker(s) started, ${after.jobs - before.jobs} threaded jobs, ${after.workerChunks - before.workerChunks} chunks computed by workers`;
  },
  'WebGPU: an adapter and a device are available (SwiftShader)': async () => {
    device = await requestGpuDevice();
    if (typeof device === 'string') throw new Error(device);
    // Shader or pipeline errors are reported on the device; the page's console makes the test fail.
    device.addEventListener('uncapturederror', (e) => console.error(`WebGPU: ${(e as GPUUncapturedErrorEvent).error.message}`));
    const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return info ? `${info.vendor} ${info.architecture}`.trim() : 'device ready';
  },
  'WebGPU: the tiled WGSL matmul equals the CPU product for random sizes and transposes (float32 property)': async () => {
    const ctx = gpu();
    const dim = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 30, max: 70 }));
    await fc.assert(fc.asyncProperty(fc.tuple(dim, dim, dim, fc.boolean(), fc.boolean()), async ([M, K, N, ta, tb]) => {
      const a = randn(ta ? [K, M] : [M, K]);
      const b = randn(tb ? [N, K] : [K, N]);
      const want = matmul(ta ? a.t() : a, tb ? b.t() : b);
      const absSum = matmul((ta ? a.t() : a).abs(), (tb ? b.t() : b).abs());
      const got = await readF32(ctx, gpuMatmul(ctx, up(ctx, a), ta, up(ctx, b), tb, M, K, N));
      // Both sum K float32 products in some order: each within K·2^-24 of Σ|a||b| of the exact value.
      expectNear(got, want, (i) => 2 * (K + 2) * 2 ** -24 * absSum.data[i]! + 1e-30, `${M}x${K}x${N} transA=${ta} transB=${tb}`);
    }), { numRuns: 25 });
    // Both sides of C at least 256: the 64×64 tile (tileFor), with edges that do not fill a tile.
    const big = fc.integer({ min: 256, max: 300 });
    await fc.assert(fc.asyncProperty(fc.tuple(big, fc.integer({ min: 1, max: 40 }), big, fc.boolean(), fc.boolean()), async ([M, K, N, ta, tb]) => {
      if (tileFor(M, N) !== 64) throw new Error(`${M}x${N} did not take the 64 tile`);
      const a = randn(ta ? [K, M] : [M, K]);
      const b = randn(tb ? [N, K] : [K, N]);
      const want = matmul(ta ? a.t() : a, tb ? b.t() : b);
      const absSum = matmul((ta ? a.t() : a).abs(), (tb ? b.t() : b).abs());
      const got = await readF32(ctx, gpuMatmul(ctx, up(ctx, a), ta, up(ctx, b), tb, M, K, N));
      expectNear(got, want, (i) => 2 * (K + 2) * 2 ** -24 * absSum.data[i]! + 1e-30, `${M}x${K}x${N} transA=${ta} transB=${tb} (64 tile)`);
    }), { numRuns: 4 });
    return '25 products on 32x32 tiles, 4 on 64x64';
  },
  'WebGPU: every unary and broadcasting binary kernel equals the CPU op over random shapes (float32 property)': async () => {
    const ctx = gpu();
    const cpuUnary: Record<UnaryOp, (x: Tensor) => Tensor> = {
      neg, abs, sign, sin, cos, exp, log, sqrt, tanh, sigmoid, relu, erf, floor, ceil, trunc, round: (x) => round(x), log1p, expm1,
    };
    const cpuBinary: Record<BinaryOp, (x: Tensor, y: Tensor) => Tensor> = {
      add, sub, mul, div, maximum, minimum, pow,
      // PyTorch's threshold_backward: 0 where x ≤ 0, else the gradient (a NaN x passes it).
      reluBackward: (g, x) => where(x.le(0), zerosLike(g), g),
    };
    // Inputs away from 0 (log, sqrt, div) and moderate (exp); WGSL's exp, log and tanh are accurate to a few ulps.
    const positive = (t: Tensor) => t.abs().add(0.1);
    for (const op of Object.keys(UNARY) as UnaryOp[]) {
      await fc.assert(fc.asyncProperty(arbBroadcastTensors(1, {}, { min: -3, max: 3 }), async ([x0]) => {
        const x = normalF32(op === 'log' || op === 'sqrt' || op === 'log1p' ? positive(x0!) : x0!);
        const got = await readF32(ctx, unary(ctx, op, up(ctx, x), x.shape));
        const want = cpuUnary[op](x);
        // WGSL promises sin and cos to an absolute 2^-11 on [-π, π]; the others to a few ulps.
        expectNear(got, want, (i) => (op === 'sin' || op === 'cos' ? 2 ** -11 : 1e-5 * (1 + Math.abs(want.data[i]!))), op);
      }), { numRuns: 8 });
    }
    for (const op of Object.keys(BINARY) as BinaryOp[]) {
      await fc.assert(fc.asyncProperty(arbBroadcastTensors(2, {}, { min: -3, max: 3 }), async ([x0, y0]) => {
        // pow of a negative base is checked on the device (deviceChecks.ts) with integral exponents.
        const x = normalF32(op === 'pow' ? positive(x0!) : x0!);
        const y = normalF32(op === 'div' ? positive(y0!) : y0!);
        const { out, shape } = binary(ctx, op, up(ctx, x), x.shape, up(ctx, y), y.shape);
        const want = cpuBinary[op](x, y);
        if (shape.join() !== want.shape.join()) throw new Error(`${op}: shape [${shape}] on the GPU, [${want.shape}] on the CPU`);
        const got = await readF32(ctx, out);
        // pow is exp2(y·log2 x) in f32: a few ulps of |y·log2 x| carry into the result.
        expectNear(got, want, (i) => (op === 'pow' ? 1e-5 : 1e-6) * (1 + Math.abs(want.data[i]!)), op);
      }), { numRuns: 20 });
    }
    return `${Object.keys(UNARY).length} unary and ${Object.keys(BINARY).length} binary kernels`;
  },
  'WebGPU: sum and max over any dimension, and row log-softmax, equal the CPU ops (float32 property)': async () => {
    const ctx = gpu();
    await fc.assert(fc.asyncProperty(arbShape({ minDims: 1 }).chain((shape) => arbTensor(shape, { min: -3, max: 3 })), fc.nat(), async (x0, pick) => {
      const x = normalF32(x0);
      const dim = pick % x.ndim;
      for (const op of ['sum', 'max'] as const) {
        const { out, shape } = reduce(ctx, op, up(ctx, x), x.shape, dim);
        const want = op === 'sum' ? sum(x, { dim }) : max(x, { dim }).values;
        if (shape.join() !== want.shape.join()) throw new Error(`${op} over ${dim}: shape [${shape}], CPU [${want.shape}]`);
        const scale = sum(x.abs(), { dim });
        expectNear(await readF32(ctx, out), want, (i) => (x.shape[dim]! + 1) * 2 ** -23 * (1 + scale.data[i]!), `${op} over dim ${dim} of [${x.shape}]`);
      }
    }), { numRuns: 20 });
    await fc.assert(fc.asyncProperty(fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 40 })).chain(([r, c]) => arbTensor([r, c], { min: -20, max: 20 })), async (x0) => {
      const x = normalF32(x0);
      const got = await readF32(ctx, logSoftmaxRows(ctx, up(ctx, x), x.shape[0]!, x.shape[1]!));
      const want = logSoftmax(x, 1);
      expectNear(got, want, (i) => 1e-5 * (1 + Math.abs(want.data[i]!)), `logSoftmax of [${x.shape}]`);
    }), { numRuns: 20 });
    // NaN and infinities: relu and its backward pass NaN as the CPU kernels do, max takes NaN and −∞ rows stay −∞.
    const special = new Tensor(Float32Array.from([NaN, -1, 2, -Infinity, -Infinity, -Infinity, 3, NaN]), [4, 2]);
    const grads = new Tensor(Float32Array.from([5, 6, 7, 8, 9, 10, 11, 12]), [4, 2]);
    expectSame(await readF32(ctx, unary(ctx, 'relu', up(ctx, special), [4, 2])), relu(special), 'relu with NaN');
    expectSame(await readF32(ctx, binary(ctx, 'reluBackward', up(ctx, grads), [4, 2], up(ctx, special), [4, 2]).out), cpuReluBackward(grads, special), 'reluBackward with NaN');
    expectSame(await readF32(ctx, reduce(ctx, 'max', up(ctx, special), [4, 2], 1).out), max(special, { dim: 1 }).values, 'max with NaN and -inf');
    return 'sum, max and log-softmax; NaN and infinities';
  },
  'WebGPU: a chain of kernels is encoded into one command buffer and submitted once, when its result is read': async () => {
    const ctx = gpu();
    // An MLP's forward: relu(x·W1 + b1)·W2 + b2, then log-softmax: seven kernels, no read in between.
    const [x, w1, b1, w2, b2] = [randn([16, 20]), randn([20, 32]), randn([32]), randn([32, 10]), randn([10])];
    const h = binary(ctx, 'add', gpuMatmul(ctx, up(ctx, x), false, up(ctx, w1), false, 16, 20, 32), [16, 32], up(ctx, b1), [32]).out;
    const r = unary(ctx, 'relu', h, [16, 32]);
    const z = binary(ctx, 'add', gpuMatmul(ctx, r, false, up(ctx, w2), false, 16, 32, 10), [16, 10], up(ctx, b2), [10]).out;
    const before = ctx.submits;
    const logp = logSoftmaxRows(ctx, z, 16, 10);
    if (ctx.submits !== before || ctx.pending !== 6) throw new Error(`expected 6 pending dispatches and no submit yet, got ${ctx.pending} pending and ${ctx.submits - before} submits`);
    const got = await readF32(ctx, logp);
    if (ctx.submits !== before + 1) throw new Error(`reading the result took ${ctx.submits - before} submits, not 1`);
    const want = logSoftmax(add(matmul(relu(add(matmul(x, w1), b1)), w2), b2), 1);
    expectNear(got, want, (i) => 1e-4 * (1 + Math.abs(want.data[i]!)), 'the MLP forward');
    return '6 dispatches, 1 submit';
  },
};

/** Runs every check in order; a failing check does not stop the others. */
async function runDlSuite(): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const name of BROWSER_CHECKS) {
    const t0 = performance.now();
    try {
      const check = checks[name];
      if (check === undefined) throw new Error('the suite has no such check');
      const detail = await check();
      results.push({ name, ok: true, detail, ms: performance.now() - t0 });
    } catch (e) {
      // fast-check keeps the failing property's own error as the cause.
      // fast-check keeps the failing property's own error as the cause, and DlErrors keep theirs: report the first one.
      let root: unknown = e;
      while (root instanceof Error && root.cause instanceof Error) root = root.cause;
      const cause = root !== e && root instanceof Error ? `\ncaused by: ${root.message}\n${root.stack ?? ''}` : '';
      results.push({ name, ok: false, detail: e instanceof Error ? `${e.message}${cause}\n${e.stack ?? ''}` : String(e), ms: performance.now() - t0 });
    }
  }
  return results;
}

(globalThis as { runDlSuite?: typeof runDlSuite }).runDlSuite = runDlSuite;
