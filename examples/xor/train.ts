// The same 2-hidden-2 network trained twice from the same weights: once with autograd (TorchNet,
// CrossEntropyLoss, SGD) and once with the course's hand-written layers (manual.Net), in lockstep.
import { noGrad, Tensor, type TypedArray } from '@dl/autograd';
import { CrossEntropyLoss, manual, TorchNet } from '@dl/nn';
import { SGD } from '@dl/optim';
import type { ToyData } from './data.js';

/**
 * Mean softmax cross-entropy of logits [N, C] against integer labels, with its gradient written by
 * hand: ∂loss/∂z = (softmax(z) − onehot(y)) / N. Plain loops, no tape.
 * @example const { loss, dLogits } = softmaxCrossEntropy(net.forward(x), labels); net.backward(dLogits);
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Int32Array): { loss: number; dLogits: Tensor } {
  const [n, c] = logits.shape as [number, number];
  if (logits.ndim !== 2 || n !== labels.length) {
    throw new Error(`softmaxCrossEntropy: expected logits [N, C] with N = ${labels.length} labels, got [${logits.shape.join(', ')}]`);
  }
  const z = logits.data;
  const d = logits.dtype === 'float64' ? new Float64Array(n * c) : new Float32Array(n * c);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = i * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, z[row + j]!);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(z[row + j]! - max);
    // −log softmax(z)_y = log Σ exp(z − max) + max − z_y, stable for large logits
    total += Math.log(sum) + max - z[row + labels[i]!]!;
    for (let j = 0; j < c; j++) d[row + j] = (Math.exp(z[row + j]! - max) / sum - (j === labels[i] ? 1 : 0)) / n;
  }
  return { loss: total / n, dLogits: new Tensor(d, [n, c]) };
}

/** The share of rows of logits [N, C] whose largest entry is at the label. */
export function accuracy(logits: Tensor, labels: Int32Array): number {
  const [n, c] = logits.shape as [number, number];
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits.data[i * c + j]! > logits.data[i * c + best]!) best = j;
    if (best === labels[i]) hits++;
  }
  return hits / n;
}

/** The largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: TypedArray, b: TypedArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The two twins: the autograd model and the manual net holding a copy of its initial weights. */
export interface Twins {
  model: TorchNet;
  net: manual.Net;
}

/**
 * Builds TorchNet(2, hidden, 2) (PyTorch's initialisation, drawn from the default generator) and the
 * manual `Net` of the same sizes, then copies the model's weights into the net so both start equal.
 */
export function makeTwins(hidden: number, dtype: Tensor['dtype']): Twins {
  const model = new TorchNet(2, hidden, 2, { dtype });
  const net = new manual.Net([new manual.Linear(2, hidden, { dtype }), new manual.ReLU(), new manual.Linear(hidden, 2, { dtype })]);
  manual.copyFromTwin(model, net);
  return { model, net };
}

/**
 * The largest difference between the twins' parameters (and, when both have them, their gradients),
 * with the model's [out, in] weights read in the manual [in, out] layout.
 */
export function twinDiff(t: Twins): { params: number; grads: number } {
  let params = 0;
  let grads = 0;
  for (const p of manual.pairWithTwin(t.net, t.model)) {
    params = Math.max(params, maxAbsDiff(manual.toManualLayout(p, p.twin.weight).data, p.manual.W.data));
    params = Math.max(params, maxAbsDiff(p.twin.bias.data, p.manual.b.data));
    const { grad: gw } = p.twin.weight;
    const { grad: gb } = p.twin.bias;
    if (gw && gb && p.manual.dW && p.manual.db) {
      grads = Math.max(grads, maxAbsDiff(manual.toManualLayout(p, gw).data, p.manual.dW.data));
      grads = Math.max(grads, maxAbsDiff(gb.data, p.manual.db.data));
    }
  }
  return { params, grads };
}

/**
 * How many (sample, hidden unit) pairs fall on different sides of ReLU's kink in the two twins: where
 * a unit's input is within float rounding of 0, the runs may take it on opposite sides, and their
 * gradients then differ by that sample's whole contribution, far more than rounding.
 */
export function reluSideFlips(t: Twins, x: Tensor): number {
  const a = noGrad(() => t.model.layers.at(0).forward(x)).data;
  const m = t.net.layers[0]!.forward(x).data;
  let flips = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > 0 !== m[i]! > 0) flips++;
  return flips;
}

/** What one training run records: the loss before each step, and the accuracy at the end. */
export interface Trajectory {
  losses: number[];
  accuracy: number;
}

/** The twins' trajectories and how far apart they drifted. */
export interface Comparison {
  autograd: Trajectory;
  manual: Trajectory;
  /** max over steps of |autograd loss − manual loss|. */
  maxLossDiff: number;
  /** max over steps of the largest parameter difference (after each step). */
  maxParamDiff: number;
  /** max over steps of the largest gradient difference. */
  maxGradDiff: number;
  /** The gradient difference at step 0, where the weights are still identical. */
  firstGradDiff: number;
  /** Steps at which some hidden unit's input fell on different sides of ReLU's kink in the twins. */
  kinkSteps: number[];
}

/**
 * Trains both twins on the whole data set (full-batch gradient descent) for `steps` steps with
 * learning rate `lr`, one step of each per iteration, and calls `onStep` after each.
 */
export function trainTwins(
  t: Twins,
  data: ToyData,
  steps: number,
  lr: number,
  onStep: (step: number, lossA: number, lossM: number) => void = () => {},
): Comparison {
  const { model, net } = t;
  const lossFn = new CrossEntropyLoss();
  const optimizer = new SGD(model.parameters(), { lr });
  const lossesA: number[] = [];
  const lossesM: number[] = [];
  let maxLossDiff = 0;
  let maxParamDiff = 0;
  let maxGradDiff = 0;
  let firstGradDiff = 0;
  const kinkSteps: number[] = [];
  for (let step = 0; step < steps; step++) {
    // (1) autograd: the tape records the forward pass, and loss.backward() fills every .grad
    optimizer.zeroGrad();
    const loss = lossFn.forward(model.forward(data.x), data.y);
    loss.backward();
    // (2) manual: the loss gradient by hand, then each layer's own backward, last layer first
    const { loss: lossM, dLogits } = softmaxCrossEntropy(net.forward(data.x), data.labels);
    net.backward(dLogits);

    // Compare before stepping: the weights that went in agree, so the gradients should too.
    const d = twinDiff(t);
    if (step === 0) firstGradDiff = d.grads;
    maxGradDiff = Math.max(maxGradDiff, d.grads);
    if (reluSideFlips(t, data.x) > 0) kinkSteps.push(step);

    optimizer.step(); // θ ← θ − lr·∇θ, for every parameter the optimizer holds
    net.optimizerStep(lr); // the same update, layer by layer: W −= lr·dW, b −= lr·db

    const lossA = loss.item();
    lossesA.push(lossA);
    lossesM.push(lossM);
    maxLossDiff = Math.max(maxLossDiff, Math.abs(lossA - lossM));
    maxParamDiff = Math.max(maxParamDiff, twinDiff(t).params);
    onStep(step, lossA, lossM);
  }
  const logitsA = noGrad(() => model.forward(data.x));
  const logitsM = net.forward(data.x);
  return {
    autograd: { losses: lossesA, accuracy: accuracy(logitsA, data.labels) },
    manual: { losses: lossesM, accuracy: accuracy(logitsM, data.labels) },
    maxLossDiff,
    maxParamDiff,
    maxGradDiff,
    firstGradDiff,
    kinkSteps,
  };
}
