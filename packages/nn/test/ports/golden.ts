// Shared by the ports: PyTorch's numbers from fixtures/ports.py, and a float64 model loaded with its weights.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Tensor } from '@dl/autograd';
import type { Module } from '@dl/nn';

export interface J { shape: number[]; data: number[] }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ports = JSON.parse(readFileSync(new URL('./fixtures/ports.json', import.meta.url), 'utf8')) as Record<string, any>;

/** A fixture tensor (float64). */
export const t64 = (j: J, requiresGrad = false): Tensor => new Tensor(Float64Array.from(j.data), j.shape, { requiresGrad });
/** Class labels as int32 index tensors (PyTorch's are int64). */
export const labels = (v: number[]): Tensor => new Tensor(Int32Array.from(v), [v.length]);

/** `model.double()` with PyTorch's initial weights loaded (the state dict keys match PyTorch's). */
export function withWeights<M extends Module>(model: M, state: Record<string, J>): M {
  model.double().loadStateDict(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, t64(v)])));
  return model;
}

export function close(actual: number, expected: number, tol = 1e-10): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected)));
}
export function closeAll(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-10): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) close(actual[i]!, expected[i]!, tol);
}
export function closeTensor(actual: Tensor | null, expected: J, tol = 1e-10): void {
  expect(actual).not.toBeNull();
  expect(actual!.shape).toEqual(expected.shape);
  closeAll(actual!.data, expected.data, tol);
}
