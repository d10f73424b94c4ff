// Loads the PyTorch golden values (fixtures/golden.json, made by fixtures/golden.py) and compares tensors.
import { readFileSync } from 'node:fs';
import { Tensor } from '@dl/autograd';
import { expect } from 'vitest';

/** A tensor as the fixture script writes it. */
export interface TensorJSON {
  shape: number[];
  data: number[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const golden: any = JSON.parse(readFileSync(new URL('../fixtures/golden.json', import.meta.url), 'utf8'));

/** The golden values of one fixture file, `fixtures/<name>.json` (made by `fixtures/<name>.py`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function goldenFile(name: string): any {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'));
}

/** A float64 tensor from a fixture entry. */
export function fromJSON(t: TensorJSON): Tensor {
  return new Tensor(Float64Array.from(t.data), t.shape);
}

/** A state dict of float64 tensors from a fixture entry. */
export function stateFromJSON(s: Record<string, TensorJSON>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, fromJSON(v)]));
}

/** Asserts same shape and values within atol + rtol·|expected|, naming the first element that differs. */
export function expectClose(actual: Tensor, expected: Tensor | TensorJSON, tol: { atol?: number; rtol?: number } = {}): void {
  const atol = tol.atol ?? 1e-10;
  const rtol = tol.rtol ?? 1e-9;
  const e = expected instanceof Tensor ? { shape: [...expected.shape], data: Array.from(expected.data) } : expected;
  expect([...actual.shape]).toEqual(e.shape);
  for (let i = 0; i < e.data.length; i++) {
    const a = actual.data[i]!;
    const b = e.data[i]!;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b)) && !(Number.isNaN(a) && Number.isNaN(b)) && a !== b) {
      throw new Error(`element ${i}: got ${a}, expected ${b} (atol ${atol}, rtol ${rtol})`);
    }
  }
}
