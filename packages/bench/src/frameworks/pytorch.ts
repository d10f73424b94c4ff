import type { RoundPlan, RoundSamples } from '../measure.js';
import type { Conv2dGradients, Framework, GradientStep, Product, Remote, Trainer } from '../workloads.js';
import { TorchWorker } from './torchWorker.js';

// Objects built in the worker are named by a number, unique across frameworks sharing it.
let nextId = 0;

function remote(worker: TorchWorker, id: number, threads: number): Remote {
  return {
    async timeRound(plan: RoundPlan): Promise<RoundSamples> {
      // JSON has no undefined: `slow` is left out before the first round, which the worker reads as such.
      const { header } = await worker.request({ op: 'time', id, threads, plan });
      return { times: header.times as number[], slow: header.slow as boolean };
    },
    dispose: () => void worker.request({ op: 'dispose', id }).catch(() => {}),
  };
}

/**
 * PyTorch (CPU) as a reference, run in `worker` on `threads` threads (torch.set_num_threads before
 * every request, so one worker serves both the single- and the multi-threaded framework). The
 * models are nn.Linear / nn.Conv2d / nn.MaxPool2d with F.cross_entropy and torch.optim.SGD, loaded
 * with the bench's initial weights (transposed to PyTorch's [out, in]); conv2d is F.conv2d's forward
 * and backward, without an update.
 * @example const fw = pytorch(worker, 1, 'pytorch'); await (await fw.mlp(mlpData())).step();
 */
export function pytorch(worker: TorchWorker, threads: number, name: string): Framework {
  async function build(op: string, fields: Record<string, unknown>, arrays: ArrayBufferView[]): Promise<number> {
    const id = nextId++;
    await worker.request({ op, id, threads, ...fields }, arrays);
    return id;
  }
  async function trainer(id: number): Promise<Trainer> {
    return {
      ...remote(worker, id, threads),
      step: async () => (await worker.request({ op: 'step', id, threads })).header.loss as number,
    };
  }
  return {
    name,
    about: `torch ${worker.version} in ${worker.python}, ${threads} thread${threads === 1 ? '' : 's'}`,
    async matmul({ n, a, b }): Promise<Product> {
      const id = await build('matmul', { n }, [a, b]);
      return {
        ...remote(worker, id, threads),
        async result() {
          const { payload } = await worker.request({ op: 'result', id, threads });
          // Copy into a fresh, aligned buffer: the payload may sit at any offset of a pooled one.
          return new Float32Array(Uint8Array.from(payload).buffer);
        },
      };
    },
    async mlp(d) {
      const { batch, sizes, lr } = d;
      return trainer(await build('mlp', { batch, sizes, lr }, [d.x, d.labels, d.w1, d.b1, d.w2, d.b2]));
    },
    async conv(d) {
      const { batch, size, channels, classes, lr } = d;
      return trainer(await build('conv', { batch, size, channels, classes, lr }, [d.x, d.labels, d.wConv, d.bConv, d.wFc, d.bFc]));
    },
    async lstm(d) {
      const { batch, steps, input, hidden, classes, lr } = d;
      return trainer(await build('lstm', { batch, steps, input, hidden, classes, lr }, [d.x, d.labels, d.wIh, d.wHh, d.bIh, d.bHh, d.wFc, d.bFc]));
    },
    async ops(d) {
      return trainer(await build('ops', { length: d.length, x: d.x }, []));
    },
    async conv2d(d): Promise<GradientStep> {
      const { batch, inChannels, outChannels, size, kernel, padding } = d;
      const id = await build('conv2d', { batch, inChannels, outChannels, size, kernel, padding }, [d.x, d.weight, d.bias, d.g]);
      const step = async () => (await worker.request({ op: 'step', id, threads })).header.loss as number;
      return {
        ...remote(worker, id, threads),
        step,
        async gradients(): Promise<Conv2dGradients> {
          // One more pass, whose loss comes back in the header and dx, dW, db, back to back, as the payload.
          const { header, payload } = await worker.request({ op: 'result', id, threads });
          const all = new Float32Array(Uint8Array.from(payload).buffer);
          const nx = d.x.length;
          const nw = d.weight.length;
          return {
            loss: header.loss as number,
            x: all.slice(0, nx), weight: all.slice(nx, nx + nw), bias: all.slice(nx + nw, nx + nw + d.bias.length),
          };
        },
      };
    },
  };
}

// One worker per DL_BENCH_PYTHON setting, shared by `pytorch` and `pytorch-mt`.
const workers = new Map<string, Promise<TorchWorker | string>>();

/**
 * Starts (once) the PyTorch worker for `env`, or gives the reason it cannot run; never throws.
 * @example const w = await torchWorker(); if (typeof w === 'string') console.log(`n/a: ${w}`);
 */
export function torchWorker(env: NodeJS.ProcessEnv = process.env): Promise<TorchWorker | string> {
  const key = env.DL_BENCH_PYTHON ?? '';
  let w = workers.get(key);
  if (w === undefined) {
    w = TorchWorker.find(env);
    workers.set(key, w);
  }
  return w;
}

/** Ends every worker started by `torchWorker`, so the bench process can exit. */
export async function closeTorchWorkers(): Promise<void> {
  for (const w of workers.values()) {
    const worker = await w;
    if (typeof worker !== 'string') worker.close();
  }
  workers.clear();
}
