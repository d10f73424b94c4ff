// The Chromium suite (issues 8 and 13): bundled by esbuild, loaded in headless Chromium by
// chromium.test.ts, and run there with `runDlSuite()`. It proves in a real browser what the Node tests
// prove in Node: gradients on both CPU backends, the backends' agreement, training through @dl/nn and
// @dl/optim, and the WebGPU matmul kernel against the CPU product.
import fc from 'fast-check';
import {
  availableBackends, gradients, manualSeed, matmul, matmulTransposed, randn, setBackend, softmax, Tensor, unfoldColumns,
  type BackendName,
} from '@dl/autograd';
import { arbBroadcastTensors, arbTensor, gradcheck } from '@dl/autograd/testing';
import { Linear, ReLU, Sequential, CrossEntropyLoss } from '@dl/nn';
import { Adam } from '@dl/optim';
import { gpuMatmul, requestGpuDevice } from '../../src/kernels/webgpu/matmul.js';
import { BROWSER_CHECKS, type CheckResult } from './checks.js';

type Check = () => string | Promise<string>;

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

const checks: Record<(typeof BROWSER_CHECKS)[number], Check> = {
  'both CPU backends are available (WebAssembly SIMD compiles in Chromium)': () => {
    const names = availableBackends();
    if (names.join() !== 'wasm,js') throw new Error(`availableBackends() is ${JSON.stringify(names)}`);
    return names.join(', ');
  },
  'wasm: gradients of matmul, broadcasting ops, softmax and a convolution match central differences (float64 property)': () => gradientProperties('wasm'),
  'js: gradients of matmul, broadcasting ops, softmax and a convolution match central differences (float64 property)': () => gradientProperties('js'),
  'wasm and js give the same products, forward and backward (float32 property at wasm sizes)': () => {
    const size = fc.integer({ min: 8, max: 24 });
    fc.assert(fc.property(fc.tuple(size, size, size).chain(([m, k, n]) => fc.tuple(arbTensor([m, k], { min: -1, max: 1 }), arbTensor([n, k], { min: -1, max: 1 }))),
      ([a, b]) => agree((x, w) => matmulTransposed(x, w), [a, b], 'matmulTransposed')), { numRuns: 15 });
    fc.assert(fc.property(fc.tuple(arbTensor([2, 3, 8, 8], { min: -1, max: 1 }), arbTensor([8, 27], { min: -1, max: 1 })),
      ([x, w]) => agree((a, b) => matmul(b, unfoldColumns(a, 3, { padding: 1 })), [x, w], 'conv')), { numRuns: 8 });
    return '23 draws';
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
  'WebGPU: an adapter and a device are available (SwiftShader)': async () => {
    device = await requestGpuDevice();
    if (typeof device === 'string') throw new Error(device);
    const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    return info ? `${info.vendor} ${info.architecture}`.trim() : 'device ready';
  },
  'WebGPU: the tiled WGSL matmul equals the CPU product for random sizes and transposes (float32 property)': async () => {
    if (device === undefined || typeof device === 'string') throw new Error(`no device: ${device}`);
    const mm = gpuMatmul(device);
    const dim = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 30, max: 70 }));
    await fc.assert(fc.asyncProperty(fc.tuple(dim, dim, dim, fc.boolean(), fc.boolean()), async ([M, K, N, ta, tb]) => {
      const a = randn(ta ? [K, M] : [M, K]);
      const b = randn(tb ? [N, K] : [K, N]);
      const want = matmul(ta ? a.t() : a, tb ? b.t() : b);
      const absSum = matmul((ta ? a.t() : a).abs(), (tb ? b.t() : b).abs());
      const got = await mm(a.data as Float32Array, ta, b.data as Float32Array, tb, M, K, N);
      got.forEach((v, i) => {
        // Both sum K float32 products in some order: each within K·2^-24 of Σ|a||b| of the exact value.
        const tol = 2 * (K + 2) * 2 ** -24 * absSum.data[i]! + 1e-30;
        if (!(Math.abs(v - want.data[i]!) <= tol)) throw new Error(`${M}x${K}x${N} transA=${ta} transB=${tb}: C[${i}] is ${v} on the GPU, ${want.data[i]} on the CPU`);
      });
    }), { numRuns: 25 });
    return '25 products';
  },
};

/** Runs every check in order; a failing check does not stop the others. */
async function runDlSuite(): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const name of BROWSER_CHECKS) {
    const t0 = performance.now();
    try {
      const detail = await checks[name]();
      results.push({ name, ok: true, detail, ms: performance.now() - t0 });
    } catch (e) {
      results.push({ name, ok: false, detail: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e), ms: performance.now() - t0 });
    }
  }
  return results;
}

(globalThis as { runDlSuite?: typeof runDlSuite }).runDlSuite = runDlSuite;
