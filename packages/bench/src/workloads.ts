// The work every framework does, as plain float32 arrays, so that each starts from the same numbers.
import type { RoundPlan, RoundSamples } from './measure.js';

/** A square float32 matrix pair for the matmul timing, row-major. */
export interface MatmulData {
  n: number;
  a: Float32Array;
  b: Float32Array;
}

/** One MLP 784-128-10 training step: inputs, labels and initial weights (stored [in, out]). */
export interface MlpData {
  batch: number;
  sizes: readonly [number, number, number];
  /** [batch, 784], values in [0, 1). */
  x: Float32Array;
  /** [batch] class indices. */
  labels: Int32Array;
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  lr: number;
}

/**
 * One conv training step: conv 3×3 pad 1 from 1 to `channels`, relu, 2×2 max pool, linear to 10.
 * Layouts follow PyTorch (NCHW input, conv weight [out, in·3·3], linear weight [C·H/2·W/2, 10] in
 * NCHW flattening order); a framework with other layouts converts them once, outside the timing.
 */
export interface ConvData {
  batch: number;
  size: number;
  channels: number;
  classes: number;
  /** [batch, 1, size, size], values in [0, 1). */
  x: Float32Array;
  labels: Int32Array;
  /** [channels, 9] (that is [channels, 1, 3, 3]). */
  wConv: Float32Array;
  bConv: Float32Array;
  /** [channels·(size/2)², classes]. */
  wFc: Float32Array;
  bFc: Float32Array;
  lr: number;
}

/**
 * One LSTM training step: a one-layer LSTM over `steps` time steps (PyTorch's layout and gate order
 * i,f,g,o), a linear head on the final hidden state, cross-entropy, SGD.
 */
export interface LstmData {
  batch: number;
  steps: number;
  input: number;
  hidden: number;
  classes: number;
  /** [steps, batch, input], time-major, values in [-1, 1). */
  x: Float32Array;
  labels: Int32Array;
  /** [4·hidden, input] and [4·hidden, hidden], as nn.LSTM's weight_ih_l0 and weight_hh_l0. */
  wIh: Float32Array;
  wHh: Float32Array;
  /** [4·hidden] each. */
  bIh: Float32Array;
  bHh: Float32Array;
  /** [hidden, classes] (stored [in, out]) and [classes]. */
  wFc: Float32Array;
  bFc: Float32Array;
  lr: number;
}

/**
 * One convolution forward and backward, no update: y = conv2d(x, weight, bias) with a square kernel,
 * stride 1 and padding (kernel − 1)/2 (so H and W are kept), the loss sum(y · g) for a fixed upstream
 * gradient g, and its gradients with respect to x, weight and bias. Layouts follow PyTorch (NCHW input,
 * weight [out, in, k, k]); a framework with other layouts converts them once, outside the timing.
 */
export interface Conv2dData {
  batch: number;
  inChannels: number;
  outChannels: number;
  size: number;
  kernel: number;
  padding: number;
  /** [batch, inChannels, size, size], values in [-1, 1). */
  x: Float32Array;
  /** [outChannels, inChannels, kernel, kernel], PyTorch's default init U(±1/√fan_in). */
  weight: Float32Array;
  /** [outChannels]. */
  bias: Float32Array;
  /** [batch, outChannels, size, size], values in [-1, 1): dloss/dy, so every output counts. */
  g: Float32Array;
}

/** A conv2d pass's loss and gradients, as float32 in `Conv2dData`'s (PyTorch's) layouts. */
export interface Conv2dGradients {
  loss: number;
  /** [batch, inChannels, size, size]. */
  x: Float32Array;
  /** [outChannels, inChannels, kernel, kernel]. */
  weight: Float32Array;
  /** [outChannels]. */
  bias: Float32Array;
}

/**
 * The cost of recording an op and walking it back: a chain of `length` scalar adds y = y + x from one
 * scalar x that requires grad, then backward (x's gradient is length + 1). Timed per chain; the table
 * shows microseconds per op.
 */
export interface OpsData {
  length: number;
  x: number;
}

/** A forward and backward pass built by one framework (no update): every `step` computes the same. */
export interface LocalGradientStep {
  /** One forward, loss and backward (gradients replaced, not accumulated); returns the loss. */
  step(): number;
  /** Does one more step and returns its loss and gradients, to check that the frameworks agree. */
  gradients(): Conv2dGradients;
  /** Frees framework-held memory (tfjs tensors). */
  dispose?(): void;
}

/** A forward and backward pass run in this process, or in another. */
export type GradientStep = LocalGradientStep | (Remote & { step(): Promise<number>; gradients(): Promise<Conv2dGradients> });

/** A matmul built by one framework: `run` computes a·b once, materialized in the framework's storage. */
export interface LocalProduct {
  run(): void;
  /** The product as float32, row-major, to check that the frameworks agree. */
  result(): Float32Array;
  /** Frees framework-held memory (tfjs tensors). */
  dispose?(): void;
}

/** A training step built by one framework: runs forward, loss, backward and an SGD update. */
export interface LocalTrainer {
  /** Does one step and returns the loss it computed (before the update). */
  step(): number;
  /** Frees framework-held memory (tfjs tensors). */
  dispose?(): void;
}

/**
 * Work that lives in another process (PyTorch) and is timed there, so start-up and IPC are not
 * counted: `timeRound` runs one round of `Sampler.round`'s procedure on it and returns the samples.
 */
export interface Remote {
  timeRound(plan: RoundPlan): Promise<RoundSamples>;
  /** Frees the other process's copy. */
  dispose(): void;
}

/** A product computed in this process, or in another. */
export type Product = LocalProduct | (Remote & { result(): Promise<Float32Array> });

/** A training step run in this process, or in another. */
export type Trainer = LocalTrainer | (Remote & { step(): Promise<number> });

/** What a framework cannot do, with the reason printed in place of a figure. */
export interface Unsupported {
  unsupported: string;
}

/** A builder's answer, at once or (for a framework in another process) once it has replied. */
export type Built<T> = T | Unsupported | Promise<T | Unsupported>;

/** One framework under test. Each builder does its setup outside the timed function it returns. */
export interface Framework {
  name: string;
  /** What runs it (version, interpreter, threads), printed under the bench's header. */
  about?: string;
  /** Makes this framework the active one (tfjs switches its global backend); awaited before building. */
  activate?(): Promise<void>;
  matmul(d: MatmulData): Built<Product>;
  mlp(d: MlpData): Built<Trainer>;
  conv(d: ConvData): Built<Trainer>;
  lstm(d: LstmData): Built<Trainer>;
  conv2d(d: Conv2dData): Built<GradientStep>;
  /** The op chain; its trainer's `step` returns x's gradient. */
  ops(d: OpsData): Built<Trainer>;
}

/** True when work is timed in another process rather than by calling it here. */
export function isRemote(x: Product | Trainer | GradientStep): x is Extract<Product | Trainer | GradientStep, Remote> {
  return 'timeRound' in x;
}

/** True when a builder returned a reason instead of a result. */
export function isUnsupported(x: unknown): x is Unsupported {
  return typeof x === 'object' && x !== null && 'unsupported' in x;
}

// mulberry32: tiny, seeded, and the same in every framework because it runs here.
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(next: () => number, n: number, lo: number, hi: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * next();
  return x;
}

function labels(next: () => number, n: number, classes: number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(next() * classes));
}

/** Two n×n matrices with entries in [-1, 1). */
export function matmulData(n: number): MatmulData {
  const next = generator(n);
  return { n, a: uniform(next, n * n, -1, 1), b: uniform(next, n * n, -1, 1) };
}

/** The MLP workload, with PyTorch's default Linear init U(±1/√fan_in). */
export function mlpData(batch = 64, sizes: readonly [number, number, number] = [784, 128, 10]): MlpData {
  const next = generator(1);
  const [i, h, o] = sizes;
  const s1 = 1 / Math.sqrt(i);
  const s2 = 1 / Math.sqrt(h);
  return {
    batch, sizes,
    x: uniform(next, batch * i, 0, 1),
    labels: labels(next, batch, o),
    w1: uniform(next, i * h, -s1, s1), b1: uniform(next, h, -s1, s1),
    w2: uniform(next, h * o, -s2, s2), b2: uniform(next, o, -s2, s2),
    lr: 0.1,
  };
}

/** The conv workload on 28×28 single-channel images. */
export function convData(batch = 32, size = 28, channels = 8, classes = 10): ConvData {
  const next = generator(2);
  const fcIn = channels * (size / 2) ** 2;
  const s1 = 1 / 3;
  const s2 = 1 / Math.sqrt(fcIn);
  return {
    batch, size, channels, classes,
    x: uniform(next, batch * size * size, 0, 1),
    labels: labels(next, batch, classes),
    wConv: uniform(next, channels * 9, -s1, s1), bConv: uniform(next, channels, -s1, s1),
    wFc: uniform(next, fcIn * classes, -s2, s2), bFc: uniform(next, classes, -s2, s2),
    lr: 0.1,
  };
}

/** The LSTM workload: batch 32, 50 steps, 32 inputs, 128 hidden units, 10 classes, PyTorch's init U(±1/√hidden). */
export function lstmData(batch = 32, steps = 50, input = 32, hidden = 128, classes = 10): LstmData {
  const next = generator(3);
  const s = 1 / Math.sqrt(hidden);
  const G = 4 * hidden;
  return {
    batch, steps, input, hidden, classes,
    x: uniform(next, steps * batch * input, -1, 1),
    labels: labels(next, batch, classes),
    wIh: uniform(next, G * input, -s, s), wHh: uniform(next, G * hidden, -s, s),
    bIh: uniform(next, G, -s, s), bHh: uniform(next, G, -s, s),
    wFc: uniform(next, hidden * classes, -s, s), bFc: uniform(next, classes, -s, s),
    lr: 0.1,
  };
}

/**
 * The conv2d workload (issue 8): x [32, 16, 28, 28], weight [32, 16, 3, 3], bias [32], stride 1,
 * padding 1, upstream gradient g [32, 32, 28, 28].
 */
export function conv2dData(batch = 32, inChannels = 16, outChannels = 32, size = 28, kernel = 3): Conv2dData {
  if (kernel % 2 !== 1) throw new Error(`conv2dData: the kernel must be odd to keep the size, got ${kernel}`);
  const next = generator(4);
  const s = 1 / Math.sqrt(inChannels * kernel * kernel);
  return {
    batch, inChannels, outChannels, size, kernel, padding: (kernel - 1) / 2,
    x: uniform(next, batch * inChannels * size * size, -1, 1),
    weight: uniform(next, outChannels * inChannels * kernel * kernel, -s, s),
    bias: uniform(next, outChannels, -s, s),
    g: uniform(next, batch * outChannels * size * size, -1, 1),
  };
}

/** The per-op overhead's chain: 10,000 scalar adds, as issue 8 measures it. */
export function opsData(length = 10000): OpsData {
  return { length, x: 1.5 };
}
