// What the op families' WebGPU forwards share (issue 13): their inputs' GPU storage, and the check that a
// kernel written for float32 values gets them.
import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
import { fmt } from '../shape.js';
import type { GpuArray } from '../kernels/webgpu/context.js';

/** The GPU storage of `t` (an input of a webgpu forward: defineOp has put every input on the GPU). */
export function onGpu(t: Tensor): GpuArray {
  return t.storage as GpuArray;
}

/** The GPU storage of float32 inputs; another dtype is an error naming `op`, since the kernel computes in f32. */
export function floatsOnGpu(op: string, ...ts: Tensor[]): GpuArray[] {
  for (const t of ts) {
    if (t.dtype !== 'float32') {
      throw new DlError(op, `on 'webgpu' computes float32 values, got ${t.dtype === 'int32' ? 'an' : 'a'} ${t.dtype} tensor of shape ${fmt(t.shape)}`, {
        hint: "convert it with .float() first, or run this op on the CPU",
      });
    }
  }
  return ts.map(onGpu);
}
