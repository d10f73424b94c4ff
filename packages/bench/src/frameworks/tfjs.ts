import type { Conv2dData, ConvData, Framework, GradientStep, LstmData, MlpData, OpsData, Trainer, Unsupported } from '../workloads.js';

type TF = typeof import('@tensorflow/tfjs');
type TfBackend = 'cpu' | 'wasm';

// The union package @tensorflow/tfjs registers the gradients that tfjs-core alone lacks in Node.
let loaded: Promise<TF> | undefined;
function loadTf(): Promise<TF> {
  loaded ??= (async () => {
    const mod = (await import('@tensorflow/tfjs')) as TF & { default?: TF };
    const tf = mod.default ?? mod;
    // tfjs greets Node users with an advert for tfjs-node when the cpu backend first stores a tensor;
    // let that happen here, quietly, to keep the output readable.
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('tfjs-node')) warn(...args);
    };
    try {
      await tf.setBackend('cpu');
      await tf.ready();
      tf.scalar(0).dispose();
    } finally {
      console.warn = warn;
    }
    return tf;
  })();
  return loaded;
}

async function activate(tf: TF, backend: TfBackend): Promise<void> {
  if (tf.getBackend() === backend) return;
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend '${backend}' failed to initialize`);
  await tf.ready();
}

function mlp(tf: TF, d: MlpData): Trainer {
  const [i, h, o] = d.sizes;
  const x = tf.tensor2d(d.x, [d.batch, i]);
  const labels = tf.tensor1d(d.labels, 'int32');
  const onehot = tf.oneHot(labels, o);
  const w1 = tf.variable(tf.tensor2d(d.w1, [i, h]));
  const b1 = tf.variable(tf.tensor1d(d.b1));
  const w2 = tf.variable(tf.tensor2d(d.w2, [h, o]));
  const b2 = tf.variable(tf.tensor1d(d.b2));
  return sgdTrainer(tf, d.lr, [w1, b1, w2, b2], [x, labels, onehot], () => {
    const hidden = tf.relu(tf.add(tf.matMul(x, w1), b1));
    const logits = tf.add(tf.matMul(hidden, w2), b2);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as import('@tensorflow/tfjs').Scalar;
  });
}

/**
 * The conv workload's weights in TensorFlow.js's NHWC layout: the conv weight [c, 1·3·3] as HWIO
 * [3, 3, 1, c], and the linear layer's rows from NCHW flattening order (co, h, w) to NHWC's (h, w, co).
 * The bench page (browser/page.ts) uses it too.
 */
export function nhwcConvWeights(d: ConvData): { filter: Float32Array; fc: Float32Array } {
  const { size: s, channels: c, classes } = d;
  const half = s / 2;
  const filter = new Float32Array(9 * c);
  for (let co = 0; co < c; co++) for (let k = 0; k < 9; k++) filter[k * c + co] = d.wConv[co * 9 + k]!;
  const fc = new Float32Array(c * half * half * classes);
  for (let co = 0; co < c; co++) {
    for (let p = 0; p < half * half; p++) {
      const from = (co * half * half + p) * classes;
      fc.set(d.wFc.subarray(from, from + classes), (p * c + co) * classes);
    }
  }
  return { filter, fc };
}

function conv(tf: TF, d: ConvData): Trainer {
  const { batch: n, size: s, channels: c, classes } = d;
  const half = s / 2;
  const fcIn = c * half * half;
  // With one input channel, NCHW and NHWC share a memory layout.
  const x = tf.tensor4d(d.x, [n, s, s, 1]);
  const labels = tf.tensor1d(d.labels, 'int32');
  const onehot = tf.oneHot(labels, classes);
  const { filter, fc } = nhwcConvWeights(d);
  const wConv = tf.variable(tf.tensor4d(filter, [3, 3, 1, c]));
  const bConv = tf.variable(tf.tensor1d(d.bConv));
  const wFc = tf.variable(tf.tensor2d(fc, [fcIn, classes]));
  const bFc = tf.variable(tf.tensor1d(d.bFc));
  return sgdTrainer(tf, d.lr, [wConv, bConv, wFc, bFc], [x, labels, onehot], () => {
    const y = tf.relu(tf.add(tf.conv2d(x, wConv, 1, 'same'), bConv));
    const pooled = tf.maxPool(y as import('@tensorflow/tfjs').Tensor4D, 2, 2, 'valid');
    const logits = tf.add(tf.matMul(tf.reshape(pooled, [n, fcIn]), wFc), bFc);
    return tf.losses.softmaxCrossEntropy(onehot, logits) as import('@tensorflow/tfjs').Scalar;
  });
}

function lstm(tf: TF, d: LstmData): Trainer {
  const { batch: n, steps: t, input: i, hidden: h, classes } = d;
  // tf.basicLSTMCell: one kernel [in + H, 4H] on concat([x, h]), gates i, j (= g), f, o, forget bias 0.
  const order = [0, 2, 1, 3];
  const kernel = new Float32Array((i + h) * 4 * h);
  // Two biases, as PyTorch's: SGD moves each by lr·grad, so a single summed bias would train differently.
  const bIh = new Float32Array(4 * h);
  const bHh = new Float32Array(4 * h);
  for (let g = 0; g < 4; g++) {
    for (let j = 0; j < h; j++) {
      const row = order[g]! * h + j;
      const col = g * h + j;
      for (let r = 0; r < i; r++) kernel[r * 4 * h + col] = d.wIh[row * i + r]!;
      for (let r = 0; r < h; r++) kernel[(i + r) * 4 * h + col] = d.wHh[row * h + r]!;
      bIh[col] = d.bIh[row]!;
      bHh[col] = d.bHh[row]!;
    }
  }
  const x = tf.tensor3d(d.x, [t, n, i]);
  const xs = tf.unstack(x) as import('@tensorflow/tfjs').Tensor2D[];
  const labels = tf.tensor1d(d.labels, 'int32');
  const onehot = tf.oneHot(labels, classes);
  const zeros = tf.zeros([n, h]) as import('@tensorflow/tfjs').Tensor2D;
  const wK = tf.variable(tf.tensor2d(kernel, [i + h, 4 * h]));
  const wBi = tf.variable(tf.tensor1d(bIh));
  const wBh = tf.variable(tf.tensor1d(bHh));
  const wFc = tf.variable(tf.tensor2d(d.wFc, [h, classes]));
  const bFc = tf.variable(tf.tensor1d(d.bFc));
  return sgdTrainer(tf, d.lr, [wK, wBi, wBh, wFc, bFc], [x, ...xs, labels, onehot, zeros], () => {
    const wB = tf.add(wBi, wBh) as import('@tensorflow/tfjs').Tensor1D;
    let c = zeros;
    let hid = zeros;
    for (const xt of xs) [c, hid] = tf.basicLSTMCell(0, wK as import('@tensorflow/tfjs').Tensor2D, wB, xt, c, hid);
    return tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(hid, wFc), bFc)) as import('@tensorflow/tfjs').Scalar;
  });
}

/**
 * conv2d forward and backward with tf.conv2d in NHWC (x, g and the gradient of x transposed from and to
 * NCHW, and the weight from and to [out, in, k, k] as HWIO, all outside the timing); the gradients of
 * x, weight and bias from tf.valueAndGrads of sum(y · g). A backend without the kernels that gradient
 * needs (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter) gets the reason instead.
 */
function conv2d(tf: TF, backend: TfBackend, d: Conv2dData): GradientStep | Unsupported {
  const missing = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'].filter((k) => tf.getKernel(k, backend) === undefined);
  if (missing.length > 0) {
    return { unsupported: `tfjs-backend-${backend} 4.22 registers no ${missing.join(', ')} kernel, which tf.conv2d's forward and gradients need` };
  }
  type T4 = import('@tensorflow/tfjs').Tensor4D;
  const { batch: n, inChannels: c, outChannels: o, size: s, kernel: k, padding: p } = d;
  const nchw = (values: Float32Array, channels: number) => tf.tidy(() => tf.transpose(tf.tensor4d(values, [n, channels, s, s]), [0, 2, 3, 1]));
  const x = nchw(d.x, c) as T4;
  const g = nchw(d.g, o) as T4;
  const filter = tf.tidy(() => tf.transpose(tf.tensor4d(d.weight, [o, c, k, k]), [2, 3, 1, 0])) as T4;
  const bias = tf.tensor1d(d.bias);
  const pass = tf.valueAndGrads((...[xs, w, b]: import('@tensorflow/tfjs').Tensor[]) =>
    tf.sum(tf.mul(tf.add(tf.conv2d(xs as T4, w as T4, 1, p), b!), g)) as import('@tensorflow/tfjs').Scalar);
  const run = () => {
    const { value, grads } = pass([x, filter, bias]);
    const loss = value.dataSync()[0]!;
    return { loss, value, grads };
  };
  return {
    step() {
      const { loss, value, grads } = run();
      tf.dispose([value, ...grads]);
      return loss;
    },
    gradients() {
      const { loss, value, grads } = run();
      const [dx, dw, db] = grads as [T4, T4, import('@tensorflow/tfjs').Tensor1D];
      const back = tf.tidy(() => [tf.transpose(dx, [0, 3, 1, 2]), tf.transpose(dw, [3, 2, 0, 1])]);
      const out = {
        loss,
        x: Float32Array.from(back[0]!.dataSync()),
        weight: Float32Array.from(back[1]!.dataSync()),
        bias: Float32Array.from(db.dataSync()),
      };
      tf.dispose([value, ...grads, ...back]);
      return out;
    },
    dispose: () => tf.dispose([x, g, filter, bias]),
  };
}

/** One SGD step per `step()` on `vars` minimising `loss`; `dispose()` frees the variables and `data`. */
/** The op chain under `tf.grad`, which records the adds on its tape and walks them back. */
function ops(tf: TF, d: OpsData): Trainer {
  const x = tf.scalar(d.x);
  const grad = tf.grad((v: import('@tensorflow/tfjs').Tensor) => {
    let y = v;
    for (let i = 0; i < d.length; i++) y = tf.add(y, v);
    return y;
  });
  return {
    step() {
      const g = tf.tidy(() => grad(x));
      const value = g.dataSync()[0]!;
      g.dispose();
      return value;
    },
    dispose: () => x.dispose(),
  };
}

function sgdTrainer(
  tf: TF,
  lr: number,
  vars: import('@tensorflow/tfjs').Variable[],
  data: import('@tensorflow/tfjs').Tensor[],
  loss: () => import('@tensorflow/tfjs').Scalar,
): Trainer {
  const opt = tf.train.sgd(lr);
  return {
    step() {
      const cost = opt.minimize(loss, true, vars)!;
      const value = cost.dataSync()[0]!;
      cost.dispose();
      return value;
    },
    dispose() {
      tf.dispose([...data, ...vars]);
      opt.dispose();
    },
  };
}

/**
 * TensorFlow.js 4.22 on one backend: `cpu` (plain JS kernels) or `wasm` (XNNPACK with SIMD), the
 * latter pinned to one thread. Returns the reason instead when the package or backend fails to load.
 */
export async function tfjs(backend: TfBackend): Promise<Framework | Unsupported> {
  let tf: TF;
  try {
    tf = await loadTf();
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // In Node the threaded build is never chosen, but say so rather than rely on it.
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setThreadsCount(1);
    }
    await activate(tf, backend);
  } catch (e) {
    return { unsupported: `failed to load: ${(e as Error).message ?? String(e)}` };
  }
  return {
    name: `tfjs-${backend}`,
    activate: () => activate(tf, backend),
    matmul: ({ n, a, b }) => {
      const ta = tf.tensor2d(a, [n, n]);
      const tb = tf.tensor2d(b, [n, n]);
      return {
        // Both backends compute eagerly inside matMul; the product stays in the backend's storage.
        run: () => tf.matMul(ta, tb).dispose(),
        result: () => {
          const c = tf.matMul(ta, tb);
          const r = Float32Array.from(c.dataSync());
          c.dispose();
          return r;
        },
        dispose: () => tf.dispose([ta, tb]),
      };
    },
    mlp: (d) => mlp(tf, d),
    conv: (d) => conv(tf, d),
    lstm: (d) => lstm(tf, d),
    conv2d: (d) => conv2d(tf, backend, d),
    ops: (d) => ops(tf, d),
  };
}
