import {
  add, addScaledInto, conv2d as convolve, gather, getNumThreads, logSoftmax, setBackend, setNumThreads, matmul, maxPool2d, mean, mul, neg, recurrentLayer, relu,
  reshape, sum, tensor, transpose, zeros, type FloatArray, type Tensor,
} from '@dl/autograd';
import type { Conv2dData, ConvData, Framework, GradientStep, LstmData, MlpData, OpsData, Trainer } from '../workloads.js';

// The models are composed from @dl/autograd ops directly (as @dl/nn would do it), so the figures
// measure the ops and the tape, not a layer library.

function param(values: Float32Array, shape: number[]): Tensor {
  return tensor(values, { shape, requiresGrad: true });
}

/** Mean negative log-likelihood of the labelled class, as PyTorch's cross_entropy (the bench page's too). */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return neg(mean(gather(logSoftmax(logits, 1), 1, labels)));
}

/** Plain SGD, in place on the parameters' storage, outside the tape, as @dl/optim's SGD steps (the backend's kernel); clears the gradients. */
function sgd(params: readonly Tensor[], lr: number): void {
  for (const p of params) {
    addScaledInto(p.data as FloatArray, p.grad!.data as FloatArray, -lr);
    p.grad = null;
  }
}

function mlp(d: MlpData): Trainer {
  const [i, h, o] = d.sizes;
  const x = tensor(d.x, { shape: [d.batch, i] });
  const labels = tensor(Float32Array.from(d.labels), { shape: [d.batch, 1] });
  const w1 = param(d.w1, [i, h]);
  const b1 = param(d.b1, [h]);
  const w2 = param(d.w2, [h, o]);
  const b2 = param(d.b2, [o]);
  const params = [w1, b1, w2, b2];
  return {
    step() {
      const hidden = relu(add(matmul(x, w1), b1));
      const loss = crossEntropy(add(matmul(hidden, w2), b2), labels);
      loss.backward();
      sgd(params, d.lr);
      return loss.item();
    },
  };
}

function conv(d: ConvData): Trainer {
  const { batch: n, size: s, channels: c } = d;
  const x = tensor(d.x, { shape: [n, 1, s, s] });
  const labels = tensor(Float32Array.from(d.labels), { shape: [n, 1] });
  const wConv = param(d.wConv, [c, 1, 3, 3]);
  const bConv = param(d.bConv, [c]);
  const wFc = param(d.wFc, [c * (s / 2) ** 2, d.classes]);
  const bFc = param(d.bFc, [d.classes]);
  const params = [wConv, bConv, wFc, bFc];
  return {
    step() {
      const y = convolve(x, wConv, bConv, { padding: 1 });
      // As @dl/nn's Sequential runs Conv2d, ReLU, MaxPool2d: pooling first, then relu on a quarter of the
      // values (the two commute exactly), with autograd's maxPool2d op (one pass, argmax kept for the gradient).
      const pooled = relu(maxPool2d(y, 2));
      const logits = add(matmul(reshape(pooled, [n, c * (s / 2) ** 2]), wFc), bFc);
      const loss = crossEntropy(logits, labels);
      loss.backward();
      sgd(params, d.lr);
      return loss.item();
    },
  };
}

function lstm(d: LstmData): Trainer {
  const { batch: n, steps: t, input: i, hidden: h, classes } = d;
  const x = tensor(d.x, { shape: [t * n, i] });
  const labels = tensor(Float32Array.from(d.labels), { shape: [n, 1] });
  const wIh = param(d.wIh, [4 * h, i]);
  const wHh = param(d.wHh, [4 * h, h]);
  const bIh = param(d.bIh, [4 * h]);
  const bHh = param(d.bHh, [4 * h]);
  const wFc = param(d.wFc, [h, classes]);
  const bFc = param(d.bFc, [classes]);
  const h0 = zeros([n, h]);
  const params = [wIh, wHh, bIh, bHh, wFc, bFc];
  return {
    step() {
      // As nn.LSTM does it: one product for every step's input projection, then one fused op for the recurrence.
      const xProj = reshape(add(matmul(x, transpose(wIh, 0, 1)), bIh), [t, n, 4 * h]);
      const { hN } = recurrentLayer(xProj, wHh, bHh, h0, h0, { mode: 'lstm' });
      const loss = crossEntropy(add(matmul(hN, wFc), bFc), labels);
      loss.backward();
      sgd(params, d.lr);
      return loss.item();
    },
  };
}

/**
 * conv2d forward and backward with @dl/autograd's `conv2d` op, as @dl/nn's `conv2d` runs it
 * (packages/nn/src/functional/conv.ts). The loss is sum(y · g).
 */
function conv2d(d: Conv2dData): GradientStep {
  const { batch: n, inChannels: c, outChannels: o, size: s, kernel: k, padding: p } = d;
  const x = param(d.x, [n, c, s, s]);
  const weight = param(d.weight, [o, c, k, k]);
  const bias = param(d.bias, [o]);
  const g = tensor(d.g, { shape: [n, o, s, s] });
  const step = () => {
    // Gradients are replaced each pass, not accumulated (PyTorch's zero_grad(set_to_none=True)).
    x.grad = null;
    weight.grad = null;
    bias.grad = null;
    const loss = sum(mul(convolve(x, weight, bias, { padding: p }), g));
    loss.backward();
    return loss.item();
  };
  return {
    step,
    gradients: () => {
      const loss = step();
      const copy = (t: Tensor) => Float32Array.from(t.grad!.data);
      return { loss, x: copy(x), weight: copy(weight), bias: copy(bias) };
    },
  };
}

/** The op chain: `length` recorded adds and their backward; returns x's gradient. */
function ops(d: OpsData): Trainer {
  const x = tensor(d.x, { requiresGrad: true });
  return {
    step() {
      x.grad = null;
      let y = x;
      for (let i = 0; i < d.length; i++) y = add(y, x);
      y.backward();
      return x.grad!.item();
    },
  };
}

// The thread count dl starts with (the core count, or DL_NUM_THREADS), read before the bench changes it.
const defaultThreads = getNumThreads();

/** The dl variants the bench runs: `dl` (wasm backend, one thread), `dl-mt` (its default thread count), `dl-js` (the plain TypeScript backend). */
export type DlVariant = 'dl' | 'dl-mt' | 'dl-js';

/**
 * dl, the framework under test: `dl` on the wasm backend and one thread, `dl-mt` with `setNumThreads`
 * at its default (the core count), `dl-js` on the plain TypeScript backend (the reference the wasm
 * kernels replace, so the gain stays visible); the backend and thread count are set before each of a
 * variant's rounds, since all share this process.
 */
export function dl(variant: DlVariant = 'dl'): Framework {
  const threads = variant === 'dl-mt' ? defaultThreads : 1;
  const abouts: Record<DlVariant, string | undefined> = {
    dl: undefined,
    'dl-mt': `dl with setNumThreads(${threads}) (float32 products of >= 2^27 multiply-adds and convolutions of >= 2^24 split over worker threads)`,
    'dl-js': "dl on setBackend('js'), every kernel in plain TypeScript (one thread)",
  };
  return {
    name: variant,
    about: abouts[variant],
    activate: async () => {
      setBackend(variant === 'dl-js' ? 'js' : 'wasm');
      setNumThreads(threads);
    },
    matmul: ({ n, a, b }) => {
      const ta = tensor(a, { shape: [n, n] });
      const tb = tensor(b, { shape: [n, n] });
      return {
        run: () => void matmul(ta, tb),
        result: () => Float32Array.from(matmul(ta, tb).data),
      };
    },
    mlp,
    conv,
    lstm,
    conv2d,
    ops,
  };
}
