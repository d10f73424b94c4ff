// What the op families' WebGPU forwards share (issue 13): their inputs' GPU storage, the check that a
// kernel written for float32 values gets them, and the forward of a unary op with a WGSL expression.
import { DlError } from '../checks/error.js';
import type { Tensor } from '../tensor.js';
import { withArticle } from '../dtype.js';
import { fmt, stridesOf } from '../shape.js';
import type { GpuArray, GpuContext } from '../kernels/webgpu/context.js';
import { map, UNARY, type UnaryOp } from '../kernels/webgpu/elementwise.js';

/** The GPU storage of `t` (an input of a webgpu forward: defineOp has put every input on the GPU). */
export function onGpu(t: Tensor): GpuArray {
  return t.storage as GpuArray;
}

/** The GPU storage of float32 inputs; another dtype is an error naming `op`, since the kernel computes in f32. */
export function floatsOnGpu(op: string, ...ts: Tensor[]): GpuArray[] {
  for (const t of ts) {
    if (t.dtype !== 'float32') {
      throw new DlError(op, `on 'webgpu' computes float32 values, got ${withArticle(t.dtype)} tensor of shape ${fmt(t.shape)}`, {
        hint: "convert it with .float() first, or run this op on the CPU",
      });
    }
  }
  return ts.map(onGpu);
}

/**
 * The webgpu forward of a unary op whose WGSL expression is UNARY[op]: float32 in and out, or, with
 * `keepInts`, int32 kept as it is (neg and abs, whose WGSL works on i32).
 */
export function unaryOnGpu(op: UnaryOp, keepInts = false): (inputs: Tensor[], attrs: unknown, gpu: GpuContext) => { data: GpuArray; shape: readonly number[] } {
  return ([x], _attrs, gpu) => {
    const [a] = keepInts && x!.dtype === 'int32' ? [onGpu(x!)] : floatsOnGpu(op, x!);
    return { data: map(gpu, UNARY[op], [{ a: a!, strides: stridesOf(x!.shape) }], x!.shape, a!.dtype), shape: x!.shape };
  };
}
