/** What the demo page has done so far, as `window.dlDemo` exposes it (read by the end-to-end test). */
export interface DemoState {
  /** What the page trains on: 'webgpu', or the CPU backend ('wasm', or 'js' where WebAssembly SIMD does not compile). */
  backend: string;
  /** The device the model lives on. */
  device: 'cpu' | 'webgpu';
  /** Whether WebGPU found an adapter, in words. */
  webgpu: string;
  steps: number;
  losses: number[];
  /** Test accuracy after every EVAL_EVERY steps. */
  accuracy: { step: number; value: number }[];
  /** The last prediction for the drawn digit, or null when nothing is drawn. */
  prediction: { digit: number; probabilities: number[] } | null;
  error: string | null;
}
