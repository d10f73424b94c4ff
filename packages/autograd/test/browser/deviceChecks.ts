// The 'webgpu' device in Chromium (issue 13): tensors placed on the GPU, every op with a WGSL forward
// against the CPU op (values and gradients, over random shapes), and training on the GPU against the
// same training on the CPU. Part of the bundle suite.ts runs.
import fc from 'fast-check';
import {
  add, div, exp, gradients, initWebGpu, log, logSoftmax, manualSeed, matmul, matmulTransposed, maximum, mean, minimum, mul, neg, permute,
  rand, randn, relu, sigmoid, softmax, sqrt, sub, sum, tanh, tensor, Tensor, abs, sin, cos, expand, reshape, transpose, webgpuReady, setBackend,
  getBackend, zeros, DlError, where, gt, pow, Generator, max, min, argmax, eq, slice, narrow, select, split, cat, stack, pad, flip, roll,
  repeat, tile, triu, tril, take, indexPut, indexSelect, maskedFill, logsumexp, cumsum, sort, argsort, topk, bernoulli, noGrad, cumprod, floor, ceil, trunc, round, log1p, expm1, erf, gelu, clamp, isnan, isinf, isfinite,
} from '@dl/autograd';
import { arbBroadcastTensors, arbShape, arbTensor } from '@dl/autograd/testing';
import {
  conv2d, dropout, crossEntropy, maxPool2d, Linear, ReLU, Sequential, Flatten, TorchCNN, Module, MultiheadAttention, TransformerEncoderLayer, LayerNorm,
  BatchNorm1d, BatchNorm2d, Embedding, AvgPool2d, AdaptiveAvgPool2d, ConvTranspose2d, Conv1d, binaryCrossEntropy, binaryCrossEntropyWithLogits,
  smoothL1Loss, mseLoss, LSTM, GRU,
} from '@dl/nn';
import { Adagrad, Adam, AdamW, Momentum, RMSProp, SGD } from '@dl/optim';
import { gpuContext } from '../../src/device.js';

type Check = () => string | Promise<string>;

/**
 * `x` as float32 with subnormal values (|v| < 2^-126) set to 0: WGSL lets GPUs flush them to zero (SwiftShader
 * and most GPUs do), so the GPU checks compare on inputs both devices read alike.
 */
export function normalF32(x: Tensor): Tensor {
  const d = Float32Array.from(x.float().data as Float32Array, (v) => (Math.abs(v) < 2 ** -126 ? 0 : v));
  return new Tensor(d, x.shape);
}

/** A float32 leaf on `device` with the values of `x`, requiring grad. */
function leaf(x: Tensor, device: 'cpu' | 'webgpu'): Tensor {
  const f = normalF32(x);
  return (device === 'cpu' ? f.clone() : f.to('webgpu')).requiresGrad_();
}

/** The output of `f` and the gradients of Σ w·f(xs) for each input, read back from `device`. */
async function resultsOn(device: 'cpu' | 'webgpu', f: (...xs: Tensor[]) => Tensor, xs: readonly Tensor[], w: Tensor): Promise<{ shape: readonly number[]; values: Float32Array[] }> {
  const leaves = xs.map((x) => leaf(x, device));
  const y = f(...leaves);
  if (y.device !== device) throw new Error(`the output is on '${y.device}', not '${device}'`);
  const gs = gradients([y], leaves, { gradOutputs: [device === 'cpu' ? w : w.to('webgpu')], allowUnused: true });
  const values: Float32Array[] = [];
  for (const t of [y, ...gs]) values.push(t === null ? new Float32Array(0) : ((await t.dataAsync()) as Float32Array));
  return { shape: y.shape, values };
}

/**
 * Runs `f` on the CPU and on the GPU and compares outputs and gradients: each GPU value within
 * `tol·(1 + |cpu value|)` (float32 sums in another order, WGSL's exp/log/tanh a few ulps off).
 */
async function agree(what: string, f: (...xs: Tensor[]) => Tensor, xs: readonly Tensor[], tol = 2e-5): Promise<void> {
  const probe = f(...xs.map(normalF32));
  // Output weights in [-1, 1], so a kernel's absolute error bound carries over to the gradients.
  const w = rand(probe.shape).mul(2).sub(1);
  const cpu = await resultsOn('cpu', f, xs, w);
  const gpu = await resultsOn('webgpu', f, xs, w);
  if (cpu.shape.join() !== gpu.shape.join()) throw new Error(`${what}: shape [${gpu.shape}] on the GPU, [${cpu.shape}] on the CPU`);
  cpu.values.forEach((want, r) => {
    const got = gpu.values[r]!;
    if (got.length !== want.length) throw new Error(`${what}: result ${r} has ${got.length} values on the GPU, ${want.length} on the CPU`);
    for (let i = 0; i < want.length; i++) {
      const e = want[i]!;
      const ok = Number.isNaN(e) ? Number.isNaN(got[i]!) : Math.abs(got[i]! - e) <= tol * (1 + Math.abs(e));
      if (!ok) throw new Error(`${what}: ${r === 0 ? 'output' : `gradient of input ${r - 1}`}[${i}] is ${got[i]} on the GPU, ${e} on the CPU (inputs [${xs.map((x) => `[${x.shape}]`).join(', ')}])`);
    }
  });
}

const moderate = { min: -3, max: 3 };
const x = (...shape: number[]): Tensor => randn(shape);
/** The [L, L] additive causal mask: −∞ above the diagonal. */
const causalMask = (L: number): Tensor => tensor(Array.from({ length: L * L }, (_, i) => (i % L > Math.floor(i / L) ? -Infinity : 0)), { shape: [L, L] });
const positive = (t: Tensor): Tensor => t.abs().add(0.5);
const dimsOf = fc.integer({ min: 1, max: 6 });

/** Each op with a WGSL forward, as a property over random inputs. */
const OP_PROPERTIES: [string, () => fc.IAsyncProperty<never>][] = [
  ['binary ops with broadcasting', () => fc.asyncProperty(arbBroadcastTensors(2, {}, moderate), fc.constantFrom(add, sub, mul, maximum, minimum), async ([x, y], op) =>
    agree(op.name, (a, b) => op(a!, b!), [x!, y!])) as never],
  ['div', () => fc.asyncProperty(arbBroadcastTensors(2, {}, moderate), async ([x, y]) => agree('div', (a, b) => div(a!, b!), [x!, positive(y!)])) as never],
  ['numbers as operands', () => fc.asyncProperty(arbTensor([3, 4], moderate), fc.double({ min: -2, max: 2, noNaN: true }), async (x, c) =>
    agree('x·c + c − c/x', (a) => a.mul(c).add(c).sub(div(c, a.abs().add(1))), [x])) as never],
  ['unary ops', () => fc.asyncProperty(arbShape({ maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.constantFrom(neg, exp, abs, tanh, sigmoid, relu), async (x, op) =>
    agree(op.name, (a) => op(a!), [x], 1e-4)) as never],
  // WGSL promises sin and cos to an absolute 2^-11 on [-π, π].
  ['sin and cos', () => fc.asyncProperty(arbShape({ maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.constantFrom(sin, cos), async (x, op) =>
    agree(op.name, (a) => op(a!), [x], 2 ** -11)) as never],
  ['log and sqrt', () => fc.asyncProperty(arbShape({ maxDims: 3 }).chain((s) => arbTensor(s, moderate)), async (x) =>
    agree('log, sqrt', (a) => log(a).add(sqrt(a)), [positive(x)], 1e-4)) as never],
  ['sum and mean over dims', () => fc.asyncProperty(arbShape({ minDims: 1, maxDims: 4 }).chain((s) => arbTensor(s, moderate)), fc.nat(), fc.boolean(), async (x, pick, keepdim) => {
    const dim = pick % x.ndim;
    await agree(`sum over ${dim}`, (a) => sum(a, { dim, keepdim }), [x]);
    await agree('sum of all, mean', (a) => sum(a).add(mean(a, { dim: x.ndim > 1 ? [0, x.ndim - 1] : 0 }).sum()), [x]);
  }) as never],
  ['matmul and its transposes', () => fc.asyncProperty(fc.tuple(dimsOf, dimsOf, dimsOf), async ([m, k, n]) => {
    await agree(`matmul ${m}x${k}x${n}`, (a, b) => matmul(a!, b!), [randn([m, k]), randn([k, n])]);
    await agree(`matmulTransposed ${m}x${k}x${n}`, (a, b) => matmulTransposed(a!, b!), [randn([m, k]), randn([n, k])]);
    await agree('batched matmul', (a, b) => matmul(a!, b!), [randn([2, m, k]), randn([2, k, n])]);
    await agree('broadcast batches', (a, b) => matmul(a!, b!), [randn([2, 1, m, k]), randn([3, k, n])]);
    await agree('matrix times vector', (a, b) => matmul(a!, b!), [randn([m, k]), randn([k])]);
  }) as never],
  ['log-softmax and softmax over any dim', () => fc.asyncProperty(arbShape({ minDims: 1, maxDims: 3 }).chain((s) => arbTensor(s, { min: -10, max: 10 })), fc.nat(), async (x, pick) => {
    const dim = pick % x.ndim;
    await agree(`logSoftmax over ${dim}`, (a) => logSoftmax(a, dim), [x], 1e-4);
    await agree(`softmax over ${dim}`, (a) => softmax(a, dim), [x], 1e-4);
  }) as never],
  ['permute, transpose, expand, reshape', () => fc.asyncProperty(arbShape({ minDims: 2, maxDims: 4 }).chain((s) => arbTensor(s, moderate)), async (x) => {
    const dims = x.shape.map((_, i) => i).reverse();
    await agree('permute', (a) => permute(a, dims).mul(a.sum()), [x]);
    await agree('transpose', (a) => transpose(a, 0, -1).exp(), [x], 1e-4);
    await agree('reshape', (a) => reshape(a, [-1]).mul(2), [x]);
    const one = reshape(x.sum(-1), [...x.shape.slice(0, -1), 1]);
    await agree('expand', (a) => expand(a, [2, ...x.shape]), [one]);
  }) as never],
  ['max and min over a dim (values, indices, gradient), over all, argmax, and counting matches', () => fc.asyncProperty(arbShape({ minDims: 1, maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.nat(), fc.boolean(), async (x, pick, keepdim) => {
    const dim = pick % x.ndim;
    await agree(`max over ${dim}`, (a) => max(a, { dim, keepdim }).values, [x]);
    await agree(`min over ${dim}`, (a) => min(a, { dim, keepdim }).values, [x]);
    await agree('max of all', (a) => max(a).add(min(a)), [x]);
    const cpu = normalF32(x);
    const gpuX = cpu.to('webgpu');
    const same = async (what: string, c: Tensor, g: Tensor) => {
      const [cv, gv] = [Array.from(c.data), Array.from(await g.dataAsync())];
      if (g.dtype !== c.dtype || cv.join() !== gv.join()) throw new Error(`${what}: ${g.dtype} [${gv}] on the GPU, ${c.dtype} [${cv}] on the CPU`);
    };
    await same('max indices', max(cpu, { dim, keepdim }).indices, max(gpuX, { dim, keepdim }).indices);
    await same('min indices', min(cpu, { dim }).indices, min(gpuX, { dim }).indices);
    await same('argmax', argmax(cpu, { dim }), argmax(gpuX, { dim }));
    const labels = argmax(cpu.neg(), { dim });
    await same('correct predictions counted', sum(eq(argmax(cpu, { dim }), labels)), sum(eq(argmax(gpuX, { dim }), labels.to('webgpu'))));
  }) as never],
  ['slicing, joining and rearranging: slice, narrow, select, split, cat, stack, pad, flip, roll, repeat, triu', () => fc.asyncProperty(arbShape({ minDims: 2, maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.nat(), async (x, pick) => {
    const dim = pick % x.ndim;
    const n = x.shape[dim]!;
    await agree('slice with a step', (a) => slice(a, dim, pick % n, undefined, 1 + (pick % 2)).mul(a.sum()), [x]);
    await agree('narrow and select', (a) => narrow(a, dim, 0, n).add(select(a, dim, n - 1).unsqueeze(dim)), [x]);
    await agree('split then cat', (a) => cat(split(a, 1, dim).reverse(), dim).mul(2), [x]);
    await agree('stack', (a, b) => stack([a!, b!.exp()], dim), [x, x.neg()], 1e-4);
    await agree('pad with 0 and with 1.5', (a) => pad(a, [1, 2]).add(pad(a, [0, 3], { value: 1.5 })), [x]);
    await agree('flip and roll', (a) => flip(a, [dim]).add(roll(a, pick % 3, dim)), [x]);
    await agree('repeat and tile', (a) => repeat(a, [2, ...a.shape.map(() => 1)]).sum(0).add(tile(a, [1, 2]).narrow(-1, 0, a.shape[a.ndim - 1]!)), [x]);
    await agree('triu and tril', (a) => triu(a, pick % 2).add(tril(a, -1)), [x]);
  }) as never],
  ['indexing: index expressions, take, indexPut (accumulating repeats), indexSelect, maskedFill', () => fc.asyncProperty(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 5 }), async (r, c) => {
    const x = randn([r, c]);
    const rows = [r - 1, 0, r - 1, 1 % r];
    await agree('x[rows]', (a) => a.index(rows), [x]);
    await agree('x[:, -1] and x[1:, ...]', (a) => a.index(':', -1).sum().add(a.index('1:').sum(0)), [x]);
    await agree('take', (a) => take(a, [0, r * c - 1, 0]), [x]);
    await agree('indexPut, accumulating repeated rows', (a, v) => indexPut(a, [rows], v!, { accumulate: true }), [x, randn([4, c])]);
    await agree('indexPut, the last write of a repeated row wins', (a, v) => indexPut(a, [rows], v!), [x, randn([4, c])]);
    await agree('indexSelect, repeated positions', (a) => indexSelect(a, 0, rows), [x]);
    const mask = tensor(Array.from({ length: r * c }, (_, i) => i % 3 === 0), { shape: [r, c] });
    await agree('maskedFill', (a) => maskedFill(a, mask.to(a.device), 2.5), [x]);
  }) as never],
  ['rounding, log1p, expm1, erf and gelu, clamp, and the value tests', () => fc.asyncProperty(arbShape({ maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.double({ min: -2, max: 2, noNaN: true }), async (x, lo) => {
    await agree('floor, ceil, trunc, round (zero gradients)', (a) => floor(a).add(ceil(a)).add(trunc(a)).add(round(a)).add(a), [x]);
    await agree('round to 2 decimals and to tens', (a) => round(a.mul(7), { decimals: 2 }).add(round(a.mul(30), { decimals: -1 })), [x]);
    await agree('log1p and expm1', (a) => log1p(a.abs()).add(expm1(a)), [x], 1e-4);
    await agree('erf and gelu (exact and tanh)', (a) => erf(a).add(gelu(a)).add(gelu(a, { approximate: 'tanh' })), [x], 1e-4);
    lo = Math.abs(lo) < 2 ** -126 ? 0 : lo; // a subnormal bound is flushed on the GPU
    await agree(`clamp to [${lo}, ${lo + 1}], and only below`, (a) => clamp(a, lo, lo + 1).add(clamp(a, { min: lo })), [x]);
    const inPlace = normalF32(x).to('webgpu');
    noGrad(() => inPlace.clamp_(lo, lo + 1));
    const want = clamp(normalF32(x), lo, lo + 1);
    if (Array.from(await inPlace.dataAsync()).join() !== Array.from(want.data).join()) throw new Error('clamp_ on the GPU differs from clamp on the CPU');
    const special = tensor([NaN, Infinity, -Infinity, 0, -2.5, 3]);
    for (const test of [isnan, isinf, isfinite]) {
      const [c, g] = [test(special), test(special.to('webgpu'))];
      if (g.dtype !== 'bool' || Array.from(c.data).join() !== Array.from(await g.dataAsync()).join()) throw new Error(`${test.name} differs on the GPU`);
    }
  }) as never],
  ['reductions composed on the GPU: logsumexp, norm, prod, cumsum, cumprod (with a zero)', () => fc.asyncProperty(arbShape({ minDims: 1, maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.nat(), async (x, pick) => {
    const dim = pick % x.ndim;
    await agree('logsumexp', (a) => logsumexp(a, dim), [x], 1e-4);
    for (const p of [2, 1, Infinity, 3, 0] as const) await agree(`norm p=${p}`, (a) => a.add(0.25).norm(p, dim), [x], 1e-4);
    await agree('prod', (a) => a.prod(dim), [x], 1e-4);
    await agree('cumsum', (a) => cumsum(a, dim), [x]);
    await agree('cumprod with a zero', (a) => cumprod(a.mul(gt(a.abs(), 0.3).to('float32')), dim), [x], 1e-4);
  }) as never],
  ['nn layers on the GPU equal the CPU ones: attention, normalization, embedding, pooling, conv1d, transposed conv, losses', () => fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 5 }), async (n, l) => {
    const seq = randn([n, l, 8]);
    await layerAgree('MultiheadAttention (causal mask)', () => new MultiheadAttention(8, 2, { batchFirst: true }), seq, (m, x) => (m as MultiheadAttention).forward(x, x, x, { isCausal: true, attnMask: causalMask(l).to(x.device) })[0]);
    await layerAgree('TransformerEncoderLayer', () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }), seq);
    await layerAgree('LayerNorm', () => new LayerNorm(8), seq);
    await layerAgree('BatchNorm1d (training, running stats)', () => new BatchNorm1d(l), seq);
    // Embedding's indices stay on the CPU, where they are checked (as gather's).
    await layerAgree('Embedding', () => new Embedding(10, 4), tensor(Array.from({ length: n * l }, (_, i) => (i * 3) % 10), { dtype: 'int32', shape: [n, l] }), (m, ids) => (m as Embedding).forward(ids.device === 'cpu' ? ids : tensor(Array.from({ length: n * l }, (_, i) => (i * 3) % 10), { dtype: 'int32', shape: [n, l] })));
    const img = randn([n, 2, 4 + l, 5]);
    await layerAgree('BatchNorm2d', () => new BatchNorm2d(2), img);
    await layerAgree('AvgPool2d and AdaptiveAvgPool2d', () => new Sequential(new AvgPool2d(2, { stride: 1, padding: 1 }), new AdaptiveAvgPool2d([2, 3])), img);
    await layerAgree('ConvTranspose2d', () => new ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 }), img);
    await layerAgree('Conv1d', () => new Conv1d(l, 3, 3, { padding: 1 }), seq);
    await layerAgree('LSTM (2 layers, bidirectional)', () => new LSTM(8, 5, { numLayers: 2, bidirectional: true, batchFirst: true }), seq, (m, x) => (m as LSTM).forward(x)[0]);
    await layerAgree('GRU', () => new GRU(8, 5, { batchFirst: true }), seq, (m, x) => (m as GRU).forward(x)[0]);
    await agree('binaryCrossEntropy and with logits', (a, t) => binaryCrossEntropy(sigmoid(a!), t!).add(binaryCrossEntropyWithLogits(a!, t!)), [x(n, l), rand([n, l])]);
    await agree('smoothL1Loss and mseLoss', (a, b) => smoothL1Loss(a!, b!).add(mseLoss(a!, b!)), [x(n, l), x(n, l)]);
  }) as never],
  ['sort, argsort and topk (stable, NaN placed as on the CPU): values, positions, gradients', () => fc.asyncProperty(arbShape({ minDims: 1, maxDims: 3 }).chain((s) => arbTensor(s, moderate)), fc.nat(), fc.boolean(), async (x0, pick, descending) => {
    // Ties and NaN: every third value rounded, one NaN where there are several values.
    const flat = Array.from(normalF32(x0).data, (v, i) => (i === 1 ? NaN : i % 3 === 0 ? Math.round(v) : v));
    const x = tensor(flat, { shape: x0.shape });
    const dim = pick % x.ndim;
    await agree(`sort over ${dim}${descending ? ', descending' : ''}`, (a) => sort(a, { dim, descending }).values.mul(2), [x]);
    const kk = 1 + (pick % x.shape[dim]!);
    await agree(`topk ${kk}`, (a) => topk(a, kk, { dim, largest: descending }).values, [x]);
    const g = x.to('webgpu');
    const [ci, gi] = [argsort(x, { dim, descending }), argsort(g, { dim, descending })];
    const got = Array.from(await gi.dataAsync());
    if (gi.dtype !== 'int32' || got.join() !== Array.from(ci.data).join()) throw new Error(`argsort: [${got}] on the GPU, [${Array.from(ci.data)}] on the CPU`);
  }) as never],
  ['where, pow and dropout', () => fc.asyncProperty(arbBroadcastTensors(2, {}, moderate), fc.double({ min: -2, max: 2, noNaN: true }), async ([x, y], e) => {
    await agree('where(a > 0, a, b)', (a, b) => where(gt(a!, 0), a!, b!), [x!, y!]);
    await agree(`pow(|a| + 0.5, ${e})`, (a) => pow(a!.abs().add(0.5), e), [x!], 1e-4);
    await agree('pow(a, b) with a > 0', (a, b) => pow(a!, b!), [positive(x!), y!], 1e-4);
    await agree('pow(a, 3) and pow(a, 2), a of any sign', (a) => pow(a!, 3).add(pow(a!, 2)), [x!], 1e-4);
    await agree('dropout (the mask drawn from one seed on the CPU)', (a) => dropout(a!, { p: 0.4, generator: new Generator(5) }), [x!]);
    const probs = sigmoid(x!.float());
    const [bc, bg] = [bernoulli(probs, { generator: new Generator(9) }), bernoulli(probs.to('webgpu'), { generator: new Generator(9) })];
    if (Array.from(bc.data).join() !== Array.from(await bg.dataAsync()).join()) throw new Error('bernoulli draws differ between the devices');
  }) as never],
  ['conv2d (unfold, the batched product with the weight, fold)', () => fc.asyncProperty(
    fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), o: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 3, max: 7 }), w: fc.integer({ min: 3, max: 7 }), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), padding: fc.integer({ min: 0, max: 1 }) }),
    async ({ n, c, o, h, w, k, stride, padding }) =>
      agree(`conv2d [${n},${c},${h},${w}] k${k} s${stride} p${padding}`, (x, wt, b) => conv2d(x!, wt!, b!, { stride, padding }), [randn([n, c, h, w]), randn([o, c, k, k]), randn([o])]),
  ) as never],
  ['maxPool2d (the values, and the gradient at each maximum)', () => fc.asyncProperty(
    fc.record({ h: fc.integer({ min: 2, max: 8 }), w: fc.integer({ min: 2, max: 8 }), k: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }), pad: fc.boolean() }),
    async ({ h, w, k, stride, pad }) => {
      const padding = pad ? Math.floor(k / 2) : 0;
      if (k > Math.min(h, w) + 2 * padding) return;
      await agree(`maxPool2d [2,3,${h},${w}] k${k} s${stride} p${padding}`, (x) => maxPool2d(x!, k, { stride, padding }), [randn([2, 3, h, w])]);
    },
  ) as never],
  ['cross-entropy of logits (gather and its adjoint)', () => fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 10 }), async (n, c) => {
    const labels = tensor(Array.from({ length: n }, (_, i) => (i * 7) % c), { dtype: 'int32' });
    await agree(`crossEntropy [${n}, ${c}]`, (a) => crossEntropy(a, labels), [randn([n, c]).mul(3)]);
  }) as never],
];

/**
 * Builds a module twice from one seed, moves one copy to the GPU, runs both on `input` and compares
 * the outputs (and the first output's parameter gradients of Σ w·y): nn's layers on the GPU.
 */
async function layerAgree(what: string, make: () => Module, input: Tensor, run: (m: Module, x: Tensor) => Tensor = (m, x) => (m as unknown as { forward(x: Tensor): Tensor }).forward(x), tol = 1e-4): Promise<void> {
  manualSeed(11);
  const cpu = make();
  manualSeed(11);
  const gpu = make().to('webgpu');
  const float = input.dtype === 'float32' || input.dtype === 'float64';
  const x = float ? normalF32(input).requiresGrad_() : input;
  const xg = float ? normalF32(input).to('webgpu').requiresGrad_() : input.to('webgpu');
  const yc = run(cpu, x);
  const yg = run(gpu, xg);
  const w = rand(yc.shape).mul(2).sub(1);
  yc.mul(w).sum().backward();
  yg.mul(w.to('webgpu')).sum().backward();
  const pairs: [string, Tensor, Tensor][] = [['output', yc, yg]];
  if (float) pairs.push(['gradient of the input', x.grad!, xg.grad!]);
  const pc = [...cpu.parameters()];
  const pg = [...gpu.parameters()];
  pc.forEach((p, i) => {
    if (p.grad !== null) pairs.push([`gradient of parameter ${i}`, p.grad, pg[i]!.grad!]);
  });
  for (const [name, c, g] of pairs) {
    const got = await g.dataAsync();
    c.data.forEach((e, i) => {
      if (!(Math.abs(got[i]! - e) <= tol * (1 + Math.abs(e)))) throw new Error(`${what}: ${name}[${i}] is ${got[i]} on the GPU, ${e} on the CPU`);
    });
  }
}

/** A small MLP (or TorchCNN) on `device`, from one seed, trained for `steps` steps; returns its losses. */
/** Each optimizer the GPU steps, with options that exercise its branches. */
const OPTIMIZERS: Record<string, (params: Tensor[]) => { zeroGrad(): void; step(): void }> = {
  adam: (ps) => new Adam(ps, { lr: 0.01 }),
  sgd: (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  momentum: (ps) => new Momentum(ps, { lr: 0.05, rho: 0.8, weightDecay: 1e-3 }),
  rmsprop: (ps) => new RMSProp(ps, { lr: 0.005, centered: true, momentum: 0.5, weightDecay: 1e-3 }),
  adagrad: (ps) => new Adagrad(ps, { lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
  'adamw': (ps) => new AdamW(ps, { lr: 0.01, amsgrad: true }),
};

async function train(device: 'cpu' | 'webgpu', optimizer: string, steps: number, cnn = false): Promise<number[]> {
  manualSeed(7);
  const model = cnn ? new TorchCNN(1, 4, 4, { imageSize: 8 }) : new Sequential(new Flatten(), new Linear(12, 16), new ReLU(), new Linear(16, 4));
  const x = cnn ? randn([16, 1, 8, 8]) : randn([32, 3, 4]);
  const y = tensor(Array.from({ length: x.shape[0]! }, (_, i) => (i * 5) % 4), { dtype: 'int32' });
  const input = device === 'cpu' ? x : x.to('webgpu');
  if (device === 'webgpu') model.to('webgpu');
  const opt = OPTIMIZERS[optimizer]!([...model.parameters()]);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(input), y);
    loss.backward();
    opt.step();
    losses.push(await loss.itemAsync());
  }
  return losses;
}

/** The checks, by the names checks.ts lists. */
export const deviceChecks: Record<string, Check> = {
  "webgpu device: initWebGpu starts it; tensors move there and back; synchronous reads and mixed devices throw, naming what to do": async () => {
    await initWebGpu();
    if (!webgpuReady()) throw new Error('webgpuReady() is false after initWebGpu()');
    const x = tensor([[1, 2], [3, 4]], { device: 'webgpu' });
    if (x.device !== 'webgpu' || x.dtype !== 'float32') throw new Error(`tensor(..., { device }) gave ${x.device} ${x.dtype}`);
    const y = x.mul(2).add(1);
    const back = await y.cpuAsync();
    if (back.device !== 'cpu' || back.data.join() !== '3,5,7,9') throw new Error(`cpuAsync gave ${back.device} [${Array.from(back.data)}]`);
    if (JSON.stringify(await y.toArrayAsync()) !== '[[3,5],[7,9]]') throw new Error('toArrayAsync');
    if ((await y.sum().itemAsync()) !== 24) throw new Error('itemAsync');
    const messages: string[] = [];
    for (const bad of [() => y.sum().item(), () => y.toArray(), () => y.data, () => add(y, zeros([2, 2])), () => y.to('cpu'), () => randn([2], { requiresGrad: true }).to('webgpu')]) {
      try {
        bad();
        throw new Error('no error');
      } catch (e) {
        if (!(e instanceof DlError)) throw e;
        messages.push(e.message);
      }
    }
    const want = [/itemAsync/, /toArrayAsync/, /dataAsync/, /input 0 .*'webgpu'.*input 1 .*'cpu'/, /cpuAsync/, /requires grad/];
    const text = String(x.requiresGrad_());
    if (text !== "tensor(<4 values: await t.toArrayAsync()>, size=(2, 2), device='webgpu', dtype=float32, requires_grad=True)") throw new Error(`String() of a GPU tensor gave ${text}`);
    messages.forEach((m, i) => {
      if (!want[i]!.test(m)) throw new Error(`message ${i} does not say ${want[i]}: ${m}`);
    });
    setBackend('webgpu');
    const made = randn([3]);
    const name = getBackend();
    setBackend('wasm');
    if (made.device !== 'webgpu' || name !== 'webgpu' || randn([3]).device !== 'cpu') throw new Error("setBackend('webgpu') does not make the factories place tensors on the GPU");
    return `${messages.length} errors name the async call or both devices`;
  },
  "webgpu device: every op with a WGSL kernel gives the CPU op's values and gradients over random shapes (float32 property)": async () => {
    await initWebGpu();
    let runs = 0;
    for (const [, property] of OP_PROPERTIES) {
      await fc.assert(property(), { numRuns: 8 });
      runs += 8;
    }
    return `${OP_PROPERTIES.length} properties, ${runs} draws`;
  },
  "webgpu device: an MLP trained on the GPU with Adam, and with SGD (Nesterov momentum, weight decay), follows the CPU losses for 300 steps": async () => {
    await initWebGpu();
    const out: string[] = [];
    for (const opt of ['adam', 'sgd'] as const) {
      const cpu = await train('cpu', opt, 300);
      const gpu = await train('webgpu', opt, 300);
      gpu.forEach((l, i) => {
        if (!(Math.abs(l - cpu[i]!) <= 1e-3 * (1 + Math.abs(cpu[i]!)))) throw new Error(`${opt}: step ${i} loss ${l} on the GPU, ${cpu[i]} on the CPU`);
      });
      if (!(gpu[299]! < 0.5 * gpu[0]!)) throw new Error(`${opt}: the loss went from ${gpu[0]} to ${gpu[299]}`);
      out.push(`${opt} ${gpu[0]!.toFixed(3)} → ${gpu[299]!.toFixed(3)}`);
    }
    return out.join(', ');
  },
  'webgpu device: TorchCNN (conv, ReLU, max-pool, linear) trained on the GPU with Adam follows the CPU losses for 200 steps': async () => {
    await initWebGpu();
    const cpu = await train('cpu', 'adam', 200, true);
    const gpu = await train('webgpu', 'adam', 200, true);
    gpu.forEach((l, i) => {
      if (!(Math.abs(l - cpu[i]!) <= 1e-3 * (1 + Math.abs(cpu[i]!)))) throw new Error(`step ${i} loss ${l} on the GPU, ${cpu[i]} on the CPU`);
    });
    if (!(gpu[199]! < 0.5 * gpu[0]!)) throw new Error(`the loss went from ${gpu[0]} to ${gpu[199]}`);
    return `${gpu[0]!.toFixed(3)} → ${gpu[199]!.toFixed(3)}`;
  },
  'webgpu device: Momentum, RMSProp (centered, with momentum), Adagrad (lr decay) and AdamW (amsgrad) step GPU parameters as on the CPU for 80 steps': async () => {
    await initWebGpu();
    const out: string[] = [];
    for (const name of ['momentum', 'rmsprop', 'adagrad', 'adamw']) {
      const cpu = await train('cpu', name, 80);
      const gpu = await train('webgpu', name, 80);
      gpu.forEach((l, i) => {
        if (!(Math.abs(l - cpu[i]!) <= 1e-3 * (1 + Math.abs(cpu[i]!)))) throw new Error(`${name}: step ${i} loss ${l} on the GPU, ${cpu[i]} on the CPU`);
      });
      if (!(gpu[79]! < gpu[0]!)) throw new Error(`${name}: the loss went from ${gpu[0]} to ${gpu[79]}`);
      out.push(`${name} ${gpu[0]!.toFixed(3)} → ${gpu[79]!.toFixed(3)}`);
    }
    return out.join(', ');
  },
  'webgpu device: a training step (forward, backward, optimizer step) encodes its kernels and submits them once, when the loss is read': async () => {
    await initWebGpu();
    const ctx = gpuContext('test');
    const model = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 3)).to('webgpu');
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const x = randn([10, 8]).to('webgpu');
    const y = tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], { dtype: 'int32' });
    const step = async (): Promise<number> => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.itemAsync();
    };
    await step();
    const before = ctx.submits;
    const kernels = ctx.dispatches;
    await step();
    if (ctx.submits !== before + 1) throw new Error(`one step took ${ctx.submits - before} submits`);
    return `1 submit for the step's ${ctx.dispatches - kernels} kernels`;
  },
  "webgpu device: GPU buffers of tensors that were garbage-collected are destroyed, so 300 training steps hold no more buffers than 30 do": async () => {
    await initWebGpu();
    const ctx = gpuContext('test');
    const collect = async (): Promise<number> => {
      // Chromium runs with --expose-gc; finalizers run in a later task, and a submit destroys what they queued.
      for (let i = 0; i < 3; i++) {
        (globalThis as unknown as { gc(): void }).gc();
        await new Promise((r) => setTimeout(r, 0));
      }
      await tensor([0], { device: 'webgpu' }).itemAsync();
      return ctx.live;
    };
    const model = new Sequential(new Linear(8, 16), new ReLU(), new Linear(16, 3)).to('webgpu');
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const x = randn([10, 8]).to('webgpu');
    const y = tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0], { dtype: 'int32' });
    const counts: number[] = [];
    for (let step = 1; step <= 300; step++) {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      await loss.itemAsync();
      if (step === 30 || step === 300) counts.push(await collect());
    }
    const [early, late] = counts as [number, number];
    if (late > early + 5) throw new Error(`${early} live buffers after 30 steps, ${late} after 300`);
    return `${early} live buffers after 30 steps, ${late} after 300`;
  },
};
