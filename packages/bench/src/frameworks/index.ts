import type { Framework, Unsupported } from '../workloads.js';
import { dl } from './dl.js';
import { jsPytorch } from './jsPytorch.js';
import { tfjs } from './tfjs.js';

/**
 * Loads one framework by its bench name (`dl`, `tfjs-cpu`, `tfjs-wasm`, `js-pytorch`), or returns
 * why it could not be loaded; never throws.
 * @example const fw = await loadFramework('tfjs-wasm'); if (!isUnsupported(fw)) fw.mlp(mlpData());
 */
export async function loadFramework(name: string): Promise<Framework | Unsupported> {
  try {
    if (name === 'dl') return dl();
    if (name === 'tfjs-cpu') return await tfjs('cpu');
    if (name === 'tfjs-wasm') return await tfjs('wasm');
    if (name === 'js-pytorch') return await jsPytorch();
    return { unsupported: `unknown framework '${name}'` };
  } catch (e) {
    return { unsupported: `failed to load: ${e instanceof Error ? e.message : String(e)}` };
  }
}
