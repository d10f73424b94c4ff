// The bench's command line: the defaults of a plain run and of --browser, and the errors for names
// that do not belong to the chosen mode.
import { describe, expect, it } from 'vitest';
import { ALL_FRAMEWORKS, BROWSER_FRAMEWORKS, parseArgs } from '../src/cli.js';

describe('parseArgs', () => {
  it('a plain run times every Node framework and workload', () => {
    const o = parseArgs([]);
    expect(o.browser).toBe(false);
    expect(o.frameworks).toEqual([...ALL_FRAMEWORKS]);
    expect(o.sizes).toEqual([64, 128, 256, 512, 1024]);
  });

  it('--browser times dl and TensorFlow.js on WebGPU and wasm, matmul 256 and 1024, the MLP and conv steps', () => {
    const o = parseArgs(['--browser']);
    expect(o.browser).toBe(true);
    expect(o.frameworks).toEqual([...BROWSER_FRAMEWORKS]);
    expect(o.workloads).toEqual(['matmul', 'mlp', 'conv']);
    expect(o.sizes).toEqual([256, 1024]);
    expect(parseArgs(['--sizes=64', '--browser', '--only=dl-webgpu']).sizes).toEqual([64]);
  });

  it('refuses frameworks and workloads of the other mode, listing those of this one', () => {
    expect(() => parseArgs(['--browser', '--only=pytorch'])).toThrow(/unknown framework\(s\) pytorch \(known with --browser: dl-webgpu, tfjs-webgpu, dl-wasm, tfjs-wasm\)/);
    expect(() => parseArgs(['--browser', '--workloads=lstm'])).toThrow(/unknown workload\(s\) lstm \(known with --browser: matmul, mlp, conv\)/);
    expect(() => parseArgs(['--only=dl-webgpu'])).toThrow(/unknown framework\(s\) dl-webgpu/);
  });
});
