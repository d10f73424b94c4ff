import type { Framework, Unsupported } from '../workloads.js';
import { dl } from './dl.js';
import { jsPytorch } from './jsPytorch.js';
import { closeTorchWorkers, pytorch, torchWorker } from './pytorch.js';
import { tfjs } from './tfjs.js';

/** Where to look for outside tools: `DL_BENCH_PYTHON` picks the Python that runs PyTorch. */
export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads one framework by its bench name (`dl` on one thread, `dl-mt` on dl's default thread count, `dl-js` on the plain TypeScript backend,
 * `tfjs-cpu`, `tfjs-wasm`, `js-pytorch`, `pytorch` on one thread, `pytorch-mt` on torch's default
 * thread count), or returns why it could not be
 * loaded; never throws. Call `closeFrameworks` when done, to end the PyTorch worker.
 * @example const fw = await loadFramework('tfjs-wasm'); if (!isUnsupported(fw)) fw.mlp(mlpData());
 */
export async function loadFramework(name: string, options: LoadOptions = {}): Promise<Framework | Unsupported> {
  try {
    if (name === 'dl' || name === 'dl-mt' || name === 'dl-js') return dl(name);
    if (name === 'tfjs-cpu') return await tfjs('cpu');
    if (name === 'tfjs-wasm') return await tfjs('wasm');
    if (name === 'js-pytorch') return await jsPytorch();
    if (name === 'pytorch' || name === 'pytorch-mt') {
      const worker = await torchWorker(options.env);
      if (typeof worker === 'string') return { unsupported: worker };
      return pytorch(worker, name === 'pytorch' ? 1 : worker.defaultThreads, name);
    }
    return { unsupported: `unknown framework '${name}'` };
  } catch (e) {
    return { unsupported: `failed to load: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Releases what loading started (the PyTorch worker process). */
export async function closeFrameworks(): Promise<void> {
  await closeTorchWorkers();
}
