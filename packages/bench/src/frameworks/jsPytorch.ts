import type { Framework, MlpData, OpsData, Trainer, Unsupported } from '../workloads.js';

type Torch = typeof import('js-pytorch').torch;
type JsTensor = InstanceType<Torch['Tensor']>;

/** Rows of a row-major float32 matrix as nested JS arrays (js-pytorch's storage). */
function nested(x: Float32Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * cols, (r + 1) * cols)));
}

function flat(x: unknown): number[] {
  return (Array.isArray(x) ? x.flat(Infinity) : [x]) as number[];
}

function mlp(torch: Torch, d: MlpData): Trainer {
  const [i, h, o] = d.sizes;
  const x = torch.tensor(nested(d.x, d.batch, i), false);
  const labels = torch.tensor(Array.from(d.labels), false);
  const w1 = torch.tensor(nested(d.w1, i, h), true);
  const b1 = torch.tensor(Array.from(d.b1), true);
  const w2 = torch.tensor(nested(d.w2, h, o), true);
  const b2 = torch.tensor(Array.from(d.b2), true);
  const params: JsTensor[] = [w1, b1, w2, b2];
  // js-pytorch's ReLU passes 1e-3 of negative inputs (a mask of 1 / 1e-3), so losses differ slightly.
  const relu = new torch.nn.ReLU();
  const ce = new torch.nn.CrossEntropyLoss();
  return {
    step() {
      const hidden = relu.forward(x.matmul(w1).add(b1));
      const loss = ce.forward(hidden.matmul(w2).add(b2), labels);
      loss.backward();
      // SGD the way js-pytorch's own Adam updates: new data from tensor ops, then zero_grad.
      for (const p of params) {
        p._data = p.add(p._grad.mul(-d.lr))._data;
        p.zero_grad();
      }
      return flat(loss.data)[0]!;
    },
  };
}

function ops(torch: Torch, d: OpsData): Trainer {
  const x = torch.tensor([d.x], true);
  return {
    step() {
      x.zero_grad();
      let y: JsTensor = x;
      for (let i = 0; i < d.length; i++) y = y.add(x);
      y.backward();
      return flat(x._grad.data)[0]!;
    },
  };
}

/**
 * js-pytorch 0.7.2 (nested-array tensors). Its optional GPU module builds native code on install,
 * which pnpm skips; the CPU path loads without it. It has no convolution or max reduction, so the
 * conv step is reported as unsupported.
 */
export async function jsPytorch(): Promise<Framework | Unsupported> {
  let torch: Torch;
  try {
    torch = (await import('js-pytorch')).torch;
  } catch (e) {
    return { unsupported: `failed to load: ${(e as Error).message ?? String(e)}` };
  }
  return {
    name: 'js-pytorch',
    matmul: ({ n, a, b }) => {
      const ta = torch.tensor(nested(a, n, n), false);
      const tb = torch.tensor(nested(b, n, n), false);
      return {
        run: () => void torch.matmul(ta, tb),
        result: () => Float32Array.from(flat(torch.matmul(ta, tb).data)),
      };
    },
    mlp: (d) => mlp(torch, d),
    conv: () => ({ unsupported: 'js-pytorch 0.7.2 has no convolution and no max reduction to pool with' }),
    lstm: () => ({ unsupported: 'js-pytorch 0.7.2 has no sigmoid and no way to slice the gates' }),
    conv2d: () => ({ unsupported: 'js-pytorch 0.7.2 has no convolution' }),
    ops: (d) => ops(torch, d),
  };
}
