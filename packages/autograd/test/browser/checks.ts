// The names of the checks the Chromium suite (suite.ts) runs, shared with the Node test that reports
// them one by one (chromium.test.ts). Plain data: the Node side imports it without the browser code.

/** Each check's name, in the order the suite runs them. */
export const BROWSER_CHECKS = [
  'both CPU backends are available (WebAssembly SIMD compiles in Chromium)',
  'with the wasm backend selected: gradients of matmul, broadcasting ops, softmax and a convolution match central differences (float64 property; float64 products run in TypeScript on both backends)',
  'with the js backend selected: gradients of matmul, broadcasting ops, softmax and a convolution match central differences (float64 property)',
  'wasm and js give the same products and convolutions (the fused conv2d kernels), forward and backward (float32 property at wasm sizes)',
  'wasm: an nn MLP trained with Adam for 300 steps fits its data',
  'js: an nn MLP trained with Adam for 300 steps fits its data, with the losses of wasm',
  'threads: the cross-origin isolated page defaults to navigator.hardwareConcurrency threads, and matmul, conv2d (forward and backward), tanh, erf and logSoftmax large enough to split run on Blob-URL Workers over shared memory, with the bits of one thread',
  'WebGPU: an adapter and a device are available (SwiftShader)',
  'WebGPU: the tiled WGSL matmul equals the CPU product for random sizes and transposes (float32 property)',
  'WebGPU: every unary and broadcasting binary kernel equals the CPU op over random shapes (float32 property)',
  'WebGPU: sum and max over any dimension, and row log-softmax, equal the CPU ops (float32 property)',
  'WebGPU: a chain of kernels is encoded into one command buffer and submitted once, when its result is read',
  "webgpu device: initWebGpu starts it; tensors move there and back; synchronous reads and mixed devices throw, naming what to do",
  "webgpu device: every op with a WGSL kernel gives the CPU op's values and gradients over random shapes (float32 property)",
  "webgpu device: an MLP trained on the GPU with Adam, and with SGD (Nesterov momentum, weight decay), follows the CPU losses for 300 steps",
  'webgpu device: TorchCNN (conv, ReLU, max-pool, linear) trained on the GPU with Adam follows the CPU losses for 200 steps',
  'webgpu device: Momentum, RMSProp (centered, with momentum), Adagrad (lr decay) and AdamW (amsgrad) step GPU parameters as on the CPU for 80 steps',
  'webgpu device: a training step (forward, backward, optimizer step) encodes its kernels and submits them once, when the loss is read',
  "webgpu device: GPU buffers of tensors that were garbage-collected are destroyed, so 300 training steps hold no more buffers than 30 do",
] as const;

/** One check's outcome, as the page returns it. */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was measured, or the failure. */
  detail: string;
  ms: number;
}
