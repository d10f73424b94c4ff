// The 'webgpu' device from Node (issue 13). Node has no WebGPU of its own; with the npm package `webgpu`
// (Dawn) installed and a GPU with a Vulkan driver, initWebGpu starts it and the GPU tests below run. Here
// (no package, no GPU) every GPU entry point must fail with a message that says why and what to do; the
// GPU kernels themselves are tested in Chromium (test/browser), whose SwiftShader adapter needs no GPU.
import { afterAll, describe, expect, it } from 'vitest';
import {
  DlError, getBackend, initWebGpu, matmul, randn, setBackend, setDevice_, tensor, webgpuReady, zeros, zerosLike, synchronize,
} from '@dl/autograd';

const started = await initWebGpu().then(() => null, (e: unknown) => (e instanceof Error ? e.message : String(e)));
if (started !== null) console.warn(`Node WebGPU tests skipped: ${started}`);

describe('without a GPU', () => {
  it.runIf(started !== null)('initWebGpu rejects with a DlError naming itself and saying why', async () => {
    await expect(initWebGpu()).rejects.toThrow(DlError);
    await expect(initWebGpu()).rejects.toThrow(/^initWebGpu: (Node has no WebGPU of its own; install the npm package 'webgpu'|WebGPU found no adapter)/);
    expect(webgpuReady()).toBe(false);
  });

  it.runIf(started !== null)("placing a tensor on 'webgpu' throws, naming the call and why the device is missing", () => {
    expect(() => tensor([1, 2], { device: 'webgpu' })).toThrow(/^tensor: the 'webgpu' device is not available: /);
    expect(() => zeros([2], { device: 'webgpu' })).toThrow(/^zeros: the 'webgpu' device is not available/);
    expect(() => randn([2]).to('webgpu')).toThrow(/^to: the 'webgpu' device is not available/);
    expect(() => setDevice_(randn([2]), 'webgpu')).toThrow(/^setDevice_: the 'webgpu' device is not available/);
  });

  it.runIf(started !== null)("setBackend('webgpu') throws and leaves the backend as it was", () => {
    const before = getBackend();
    expect(() => setBackend('webgpu')).toThrow(/^setBackend: the 'webgpu' device is not available: .*(webgpu|adapter)/);
    expect(getBackend()).toBe(before);
    expect(randn([2]).device).toBe('cpu');
  });

  it('synchronize resolves at once when no GPU was started', async () => {
    await expect(synchronize()).resolves.toBeUndefined();
  });
});

describe('CPU tensors and the device API', () => {
  it("are on 'cpu', and the async reads give their values", async () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(x.device).toBe('cpu');
    expect(Array.from(await x.dataAsync())).toEqual([1, 2, 3, 4]);
    expect(await x.toArrayAsync()).toEqual([[1, 2], [3, 4]]);
    expect(await x.sum().itemAsync()).toBe(10);
    expect(await x.cpuAsync()).toBe(x);
    expect(x.to('cpu')).toBe(x);
    expect(zerosLike(x).device).toBe('cpu');
  });

  it('itemAsync of a tensor with several values names the shape', async () => {
    await expect(tensor([1, 2]).itemAsync()).rejects.toThrow(/itemAsync: a tensor of shape \[2\] has 2 elements, not 1/);
  });

  it('an unknown device is refused, naming the choices', () => {
    expect(() => tensor([1], { device: 'cuda' as 'cpu' })).toThrow(/^tensor: device must be 'cpu' or 'webgpu', got 'cuda'/);
    expect(() => randn([1]).to('cuda' as 'cpu')).toThrow(/^to: unknown device 'cuda' \(expected 'cpu' or 'webgpu'\) \(dl's GPU device is 'webgpu'/);
    expect(() => randn([1]).to('float16' as 'cpu')).toThrow(/^to: unsupported dtype 'float16'/);
  });
});

describe.runIf(started === null)('on the GPU from Node (the npm package webgpu and a GPU)', () => {
  afterAll(() => setBackend('wasm'));
  it('a product and its gradient equal the CPU ones', async () => {
    const a = randn([33, 17]);
    const b = randn([17, 9]);
    const ga = a.to('webgpu').requiresGrad_();
    const y = matmul(ga, b.to('webgpu'));
    y.sum().backward();
    const want = matmul(a, b);
    const got = await y.dataAsync();
    want.data.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-4 * (1 + Math.abs(v))));
    const g = await ga.grad!.dataAsync();
    const gWant = matmul(tensor(new Float32Array(33 * 9).fill(1), { shape: [33, 9] }), b.t());
    gWant.data.forEach((v, i) => expect(Math.abs(g[i]! - v)).toBeLessThan(1e-4 * (1 + Math.abs(v))));
  });
});
