// Gather along a dim, and its adjoint, at positions that a GPU kernel produced and that stay on the GPU
// (issue 13): what max and min over a dim, sort and topk use there. `gather` itself reads its index on the
// CPU, where each position is checked; these positions come from a kernel and are in range by construction.
import { DlError } from '../checks/error.js';
import { defineOp, type Op } from '../op.js';
import { numel } from '../shape.js';
import { gather as gpuGather, scatterAdd as gpuScatterAdd } from '../kernels/webgpu/indexing.js';
import type { GpuArray } from '../kernels/webgpu/context.js';
import { floatsOnGpu, onGpu } from './webgpu.js';

/** Positions along `dim` (int32, of `indexShape`) into a tensor of `inputShape`, held on the GPU. */
export interface GpuPositions {
  dim: number;
  index: GpuArray;
  indexShape: readonly number[];
  inputShape: readonly number[];
}

/** [outer, m, inner] of `shape` around `dim`. */
const around = (shape: readonly number[], dim: number) => [numel(shape.slice(0, dim)), shape[dim]!, numel(shape.slice(dim + 1))] as const;

const onlyOnGpu = (name: string) => (): never => {
  throw new DlError(name, 'runs on the GPU only (its positions come from a kernel there)');
};

/**
 * The pair of ops, named as their callers want them on the tape: `pick` reads x [inputShape] at the
 * positions → [indexShape]; `place` sums src [indexShape] into zeros [inputShape] at them. Each is the
 * other's gradient.
 */
export function positionOps(pickName: string, placeName: string): { pick: Op<GpuPositions>; place: Op<GpuPositions> } {
  const pick: Op<GpuPositions> = defineOp<GpuPositions>({
    name: pickName,
    saves: 'none',
    dtypes: 'any',
    forward: onlyOnGpu(pickName),
    webgpu: ([x], p, gpu) => {
      const [outer, m, inner] = around(p.indexShape, p.dim);
      return { data: gpuGather(gpu, onGpu(x!), p.index, outer, p.inputShape[p.dim]!, m, inner), shape: p.indexShape };
    },
    backward: ({ grad, attrs }) => [place([grad], attrs)],
  });
  const place: Op<GpuPositions> = defineOp<GpuPositions>({
    name: placeName,
    saves: 'none',
    forward: onlyOnGpu(placeName),
    webgpu: ([src], p, gpu) => {
      const [outer, m, inner] = around(p.indexShape, p.dim);
      return { data: gpuScatterAdd(gpu, floatsOnGpu(placeName, src!)[0]!, p.index, outer, p.inputShape[p.dim]!, m, inner), shape: p.inputShape };
    },
    backward: ({ grad, attrs }) => [pick([grad], attrs)],
  });
  return { pick, place };
}
