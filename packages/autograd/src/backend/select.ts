import { DlError } from '../checks/error.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import type { DType, FloatArray, TypedArray } from '../dtype.js';
import { k } from '../kernels/index.js';
import { jsBackend, wasmBackend, type Backend, type BackendName } from './backend.js';
import { getDefaultDevice, setDefaultDevice } from '../device.js';

const registry: Record<BackendName, Backend> = { js: jsBackend, wasm: wasmBackend };
const names = Object.keys(registry) as BackendName[];

let active: Backend = jsBackend;

function activate(op: string, name: string, origin: string): void {
  const backend = (registry as Record<string, Backend | undefined>)[name];
  if (backend === undefined) {
    throw new DlError(op, `unknown backend '${name}'${origin} (expected ${names.map((n) => `'${n}'`).join(' or ')})`);
  }
  const reason = backend.unavailable();
  if (reason !== null) throw new DlError(op, `the '${name}' backend is not available here${origin}: ${reason}`, { hint: "setBackend('js') runs everywhere" });
  backend.activate();
  active = backend;
}

/**
 * Chooses the backend: `'wasm'` (the default where the runtime compiles WebAssembly SIMD: float32
 * matrix products in wasm) or `'js'` (plain TypeScript everywhere, the reference) run every CPU op
 * from here on, and new tensors go to the CPU; `'webgpu'` (after `await initWebGpu()`) makes the
 * factories put new tensors on the GPU (`tensor`, `zeros`, `randn`, ...), where their ops run in WGSL
 * kernels; without a started GPU it throws and says why. The `DL_BACKEND` environment variable picks
 * the starting CPU backend in Node. Tensors made on one CPU backend work on the other.
 * @example setBackend('js'); const y = x.matmul(w); setBackend('wasm');
 */
export const setBackend = api(sig('setBackend', ['name', K.oneOf(...names, 'webgpu')]), function setBackend(name: BackendName | 'webgpu'): void {
  if (name === 'webgpu') {
    setDefaultDevice('setBackend', 'webgpu');
    return;
  }
  activate('setBackend', name, '');
  setDefaultDevice('setBackend', 'cpu');
});

/** The name of the active backend: `'webgpu'` after `setBackend('webgpu')`, else the CPU one (`'wasm'` or `'js'`). */
export const getBackend = api(sig('getBackend'), function getBackend(): BackendName | 'webgpu' {
  return getDefaultDevice() === 'webgpu' ? 'webgpu' : active.name;
});

/** The backends this runtime can run, the default first. */
export const availableBackends = api(sig('availableBackends'), function availableBackends(): BackendName[] {
  return [wasmBackend, jsBackend].filter((b) => b.unavailable() === null).map((b) => b.name);
});

/**
 * A zero-filled typed array of `n` values of `dtype`, from the allocator every tensor buffer comes
 * from; for layers, optimizers and loaders that build values by hand.
 * @example const mask = new Tensor(allocate('float32', x.numel()), x.shape);
 */
export const allocate = api(sig('allocate', ['dtype', K.dtype], ['n', K.int({ min: 0 })]), function allocate(dtype: DType, n: number): TypedArray {
  return active.allocate(dtype, n);
});

/**
 * @internal Activates the starting backend: `fromEnv` (the DL_BACKEND environment variable) when set, else
 * wasm where it runs, else js. An unknown or unavailable name throws, naming the variable.
 */
export function startBackend(fromEnv: string | undefined): BackendName {
  if (fromEnv !== undefined && fromEnv !== '') activate('DL_BACKEND', fromEnv, ' (from the DL_BACKEND environment variable)');
  else activate('setBackend', wasmBackend.unavailable() === null ? 'wasm' : 'js', '');
  return active.name;
}

startBackend((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.DL_BACKEND);

/**
 * `y += alpha·x` in place over two float arrays of one length (either dtype), on the active backend's
 * kernel (WebAssembly SIMD when both are float32 on 'wasm'); each value is computed in float64 and
 * rounded once to y's dtype. It is the optimizers' plain step, outside the tape: it does not bump a tensor's version.
 * @example addScaledInto(w.data as Float32Array, w.grad!.data as Float32Array, -lr) // an SGD step
 */
export const addScaledInto = api(sig('addScaledInto', ['y', K.floatArray], ['x', K.floatArray], ['alpha', K.number]), function addScaledInto(y: FloatArray, x: FloatArray, alpha: number): void {
  if (y.length !== x.length) throw new DlError('addScaledInto', `y has ${y.length} values and x ${x.length}: they must have one length`);
  k.addScaledInPlace(y, x, alpha);
});
