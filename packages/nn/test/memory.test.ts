// Memory stays flat over a long training run (issue 8): 5,000 steps of an MLP 784-128-10 at batch 64,
// float32, sampled every 500 steps after a full GC. A leak of one retained activation per step
// (64·128·4 bytes = 32 KiB) would add 160 MB over the run; the bounds below are far under that.
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { manualSeed, rand, randint } from '@dl/autograd';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@dl/nn';
import { SGD } from '@dl/optim';

const STEPS = 5000;
const EVERY = 500;

/** Node's `gc()`: the global one under --expose-gc, else switched on at run time and taken from a fresh context. */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/**
 * Records every WebAssembly memory made in this thread from now on (an instance's exported memory, or
 * one built with `new WebAssembly.Memory`), so that the wasm GEMM's memory, which @dl/autograd does not
 * expose, can be read. Call before the first matmul: the GEMM instantiates its module on first use.
 * Returns the total size now, in bytes, and a function that puts the originals back.
 */
function watchWasmMemory(): { bytes: () => number; restore: () => void } {
  const memories = new Set<WebAssembly.Memory>();
  const { Instance, Memory } = WebAssembly;
  const W = WebAssembly as { Instance: typeof Instance; Memory: typeof Memory };
  W.Instance = new Proxy(Instance, {
    construct(target, args: [WebAssembly.Module, WebAssembly.Imports?]) {
      const instance = new target(...args);
      for (const e of Object.values(instance.exports)) if (e instanceof Memory) memories.add(e);
      return instance;
    },
  });
  W.Memory = new Proxy(Memory, {
    construct(target, args: [WebAssembly.MemoryDescriptor]) {
      const memory = new target(...args);
      memories.add(memory);
      return memory;
    },
  });
  return {
    bytes: () => [...memories].reduce((s, m) => s + m.buffer.byteLength, 0),
    restore: () => {
      W.Instance = Instance;
      W.Memory = Memory;
    },
  };
}

/** Least-squares slope of y over x. */
function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

interface Sample {
  step: number;
  /** V8 heap in use (`heapUsed`). */
  heap: number;
  /** Memory outside the V8 heap that V8 accounts for (`external`): array buffers and wasm memory. */
  external: number;
  /** ArrayBuffer backing stores (`arrayBuffers`): tensor storage. */
  arrayBuffers: number;
  /** WebAssembly memories made since the watch began (the GEMM's). */
  wasm: number;
}

describe('memory over a long training run', () => {
  it('heap, array buffers and wasm memory stay flat over 5,000 steps of an MLP 784-128-10, batch 64, SGD', () => {
    const gc = collector();
    const wasm = watchWasmMemory();
    const samples: Sample[] = [];
    try {
      manualSeed(0);
      const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
      const lossFn = new CrossEntropyLoss();
      const opt = new SGD(model.parameters(), { lr: 0.1 });
      const x = rand([64, 784]);
      const y = randint(0, 10, [64]);
      let first = NaN;
      let last = NaN;
      for (let step = 1; step <= STEPS; step++) {
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        opt.step();
        if (step === 1) first = loss.item();
        if (step % EVERY === 0) {
          last = loss.item();
          // Twice: the first full GC can leave objects that only the second finds unreachable (weak refs, finalizers).
          gc();
          gc();
          const m = process.memoryUsage();
          samples.push({ step, heap: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm: wasm.bytes() });
        }
      }
      // It really trained (on one fixed batch the loss falls towards 0).
      expect(last).toBeLessThan(first / 10);
    } finally {
      wasm.restore();
    }

    console.log(`memory samples (bytes), after a full GC:\n${samples
      .map((s) => `  step ${s.step}: heapUsed ${s.heap}, external ${s.external}, arrayBuffers ${s.arrayBuffers}, wasm ${s.wasm}`)
      .join('\n')}`);
    expect(samples.length).toBe(STEPS / EVERY);
    // The first sample (step 500) is the baseline: by then the JIT has compiled the step and every
    // buffer that lives across steps (weights, gradients, the GEMM's memory) exists.
    const base = samples[0]!;
    const tail = samples.slice(-3);
    const steps = samples.map((s) => s.step);
    const fields = ['heap', 'external', 'arrayBuffers'] as const;
    // Bytes per step: a retained 64×128 activation adds 32 KiB per step to the array buffers (and to
    // external) and a few hundred bytes of objects to the heap; the JIT's feedback and code still grow
    // the heap by some tens of bytes per step over the first thousands of steps.
    const maxSlope = { heap: 512, external: 1024, arrayBuffers: 1024 };
    // And the last three samples within 1 MiB of the baseline (a 32 KiB-per-step leak adds 144 MiB).
    const margin = 2 ** 20;
    // Soft: a failure reports every figure that grew, not only the first.
    for (const f of fields) {
      const perStep = slope(steps, samples.map((s) => s[f]));
      expect.soft(perStep, `${f}: grows ${perStep.toFixed(1)} bytes per step`).toBeLessThan(maxSlope[f]);
      for (const s of tail) expect.soft(s[f] - base[f], `${f} at step ${s.step} vs step ${base.step}`).toBeLessThan(margin);
    }
    // Wasm memory grows in 64 KiB pages and only for a larger product than before: with the same
    // shapes every step it must not grow at all after the first.
    expect(base.wasm, 'the wasm GEMM ran (its memory was seen)').toBeGreaterThan(0);
    for (const s of samples) expect.soft(s.wasm, `wasm memory at step ${s.step}`).toBe(base.wasm);
  }, 180_000);
});
