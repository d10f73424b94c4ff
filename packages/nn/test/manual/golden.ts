// The PyTorch golden cases of the hand-written layers (fixtures/manual.py, float64) and their checks.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { tensor } from '@dl/autograd';
import type { manual } from '@dl/nn';
import { allClose } from './arbitraries.js';

/** One golden case from fixtures/manual.py (PyTorch, float64): flat values and shapes. */
export interface GoldenCase {
  x: number[];
  xShape: number[];
  y: number[];
  yShape: number[];
  dy: number[];
  dx: number[];
  W?: number[];
  b?: number[];
  dW?: number[];
  db?: number[];
  stride?: number;
  padding?: number;
  kernelSize?: number;
}

/** The golden cases, by layer name. */
export const golden = JSON.parse(readFileSync(new URL('./fixtures/manual.json', import.meta.url), 'utf8')) as Record<string, GoldenCase>;

const f64 = { dtype: 'float64' } as const;

/** `m` with the case's W and b. */
export function withGoldenParams<L extends manual.ManualParamLayer>(m: L, c: GoldenCase): L {
  m.W.data.set(c.W!);
  m.b.data.set(c.b!);
  return m;
}

/** Runs `layer.forward` on the case's x: expects PyTorch's output shape and values (1e-12). */
export function expectGoldenForward(layer: manual.ManualLayer, c: GoldenCase): void {
  const y = layer.forward(tensor(c.x, { ...f64, shape: c.xShape }));
  expect(y.shape).toEqual(c.yShape);
  expect(allClose(y.data, c.y)).toBe(true);
}

/** Runs `layer.backward` on the case's dy, after its forward: expects PyTorch's dx, shape and values (1e-12). */
export function expectGoldenBackward(layer: manual.ManualLayer, c: GoldenCase): void {
  const dx = layer.backward(tensor(c.dy, { ...f64, shape: c.yShape }));
  expect(dx.shape).toEqual(c.xShape);
  expect(allClose(dx.data, c.dx)).toBe(true);
}

/** After a golden backward: expects PyTorch's dW (in the manual layout `wShape`) and db. */
export function expectGoldenParamGrads(m: manual.ManualParamLayer, c: GoldenCase, wShape: number[]): void {
  expect(m.dW!.shape).toEqual(wShape);
  expect(allClose(m.dW!.data, c.dW!)).toBe(true);
  expect(allClose(m.db!.data, c.db!)).toBe(true);
}
