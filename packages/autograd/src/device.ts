// Devices (issue 13): where a tensor's values live. 'cpu' values are typed arrays on the JS heap, run by
// the active CPU backend (wasm or js); 'webgpu' values are GPU buffers, run by WGSL kernels on the one
// GPU device that `initWebGpu` starts. Reads from the GPU are asynchronous.
import { DlError } from './checks/error.js';
import { api, sig } from './checks/guard.js';
import * as K from './checks/kinds.js';
import { GpuContext, type GpuArray } from './kernels/webgpu/context.js';
import type { TypedArray } from './dtype.js';

/** Where a tensor's values live: `'cpu'` (typed arrays) or `'webgpu'` (GPU buffers, float32, int32 and bool). */
export type Device = 'cpu' | 'webgpu';

/** Every device name. */
export const devices: readonly Device[] = ['cpu', 'webgpu'];

let context: GpuContext | null = null;
// Why the last start failed, for the message of anything that needs the GPU afterwards.
let failure: string | null = null;

/** The adapter's requestDevice options: the largest buffers and bindings the adapter allows. */
function limitsOf(adapter: GPUAdapter): Record<string, number> {
  const l = adapter.limits;
  return { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize };
}

/** navigator.gpu in a browser; in Node, the npm package `webgpu` (Dawn) when it is installed; else why neither. */
async function findGpu(): Promise<GPU | string> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu !== undefined) return gpu;
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (node === undefined) return 'this runtime has no WebGPU (navigator.gpu is undefined; Chromium needs a secure context, https or localhost)';
  // A computed specifier: bundlers leave the optional Node binding alone.
  const name = 'webgpu';
  let binding: { create(flags: string[]): GPU; globals?: object };
  try {
    binding = (await import(/* @vite-ignore */ name)) as typeof binding;
  } catch {
    return "Node has no WebGPU of its own; install the npm package 'webgpu' (Dawn) next to @dl/autograd to use a GPU from Node";
  }
  if (binding.globals !== undefined) Object.assign(globalThis, binding.globals);
  return binding.create([]);
}

/**
 * Starts the WebGPU device: in a browser through `navigator.gpu`, in Node through the npm package
 * `webgpu` (Dawn) when installed. Resolves once tensors can be placed on `'webgpu'`; rejects with a
 * DlError saying why not (no WebGPU in this runtime, no adapter: no GPU and no software adapter, no
 * Vulkan driver). Calling it again after a success does nothing.
 * @example await initWebGpu(); const x = tensor([1, 2, 3], { device: 'webgpu' });
 */
export const initWebGpu = api(sig('initWebGpu'), async function initWebGpu(): Promise<void> {
  if (context !== null) return;
  const gpu = await findGpu();
  if (typeof gpu === 'string') {
    failure = gpu;
    throw new DlError('initWebGpu', gpu);
  }
  const adapter = await gpu.requestAdapter();
  if (adapter === null) {
    failure = 'WebGPU found no adapter (no GPU, or no Vulkan/Metal/D3D driver for it, and no software adapter enabled)';
    throw new DlError('initWebGpu', failure);
  }
  const device = await adapter.requestDevice({ requiredLimits: limitsOf(adapter) });
  context = new GpuContext(device);
  failure = null;
  void device.lost.then((info) => {
    if (context?.device === device) context = null;
    failure = `the WebGPU device was lost (${info.message || info.reason})`;
  });
});

/** Whether `initWebGpu` succeeded, so that tensors can be placed on `'webgpu'`. */
export const webgpuReady = api(sig('webgpuReady'), function webgpuReady(): boolean {
  return context !== null;
});

/**
 * Resolves once every GPU kernel queued so far has run (PyTorch's `torch.cuda.synchronize()`): for
 * timing, and before reading a clock around GPU work.
 */
export const synchronize = api(sig('synchronize'), async function synchronize(): Promise<void> {
  if (context === null) return;
  context.flush();
  await context.device.queue.onSubmittedWorkDone();
});

/** @internal The GPU context, or a DlError naming `op` that says how to start it. */
export function gpuContext(op: string): GpuContext {
  if (context !== null) return context;
  throw new DlError(op, failure === null ? "the 'webgpu' device is not started" : `the 'webgpu' device is not available: ${failure}`, {
    hint: failure === null ? 'await initWebGpu() first (it needs a browser with WebGPU, or Node with the npm package webgpu and a GPU)' : undefined,
  });
}

let defaultDevice: Device = 'cpu';

/** @internal The device factories put new tensors on when no `device` option is given. */
export function getDefaultDevice(): Device {
  return defaultDevice;
}

/**
 * @internal Sets the default device of the factories (setBackend('webgpu') does, after initWebGpu); 'webgpu'
 * needs the GPU started, else a DlError naming `op` says how.
 */
export function setDefaultDevice(op: string, device: Device): void {
  if (device === 'webgpu') gpuContext(op);
  defaultDevice = device;
}

/** @internal The values of GPU storage, read back once the queued work has run. */
export async function readGpu(storage: GpuArray): Promise<TypedArray> {
  return gpuContext('dataAsync').read(storage);
}

/** @internal The kind check for a device name. */
export const deviceKind = K.oneOf(...devices);
