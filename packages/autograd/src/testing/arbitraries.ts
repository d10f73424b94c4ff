import fc from 'fast-check';
import { Tensor } from '../tensor.js';
import { allocate, type DType } from '../dtype.js';
import { numel } from '../shape.js';

/** Bounds of a random shape. */
export interface ShapeConstraints {
  minDims?: number;
  maxDims?: number;
  minSize?: number;
  maxSize?: number;
}

/** Random shapes: 0 to 3 dims of size 1 to 4 unless constrained. @example fc.sample(arbShape({ minDims: 2 })) */
export function arbShape(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: c.minSize ?? 1, max: c.maxSize ?? 4 }), {
    minLength: c.minDims ?? 0,
    maxLength: c.maxDims ?? 3,
  });
}

/**
 * `count` shapes that broadcast together: each is a random full shape with some leading dims dropped
 * and some sizes turned into 1.
 */
export function arbBroadcastShapes(count = 2, c: ShapeConstraints = {}): fc.Arbitrary<number[][]> {
  return arbShape(c).chain((full) =>
    fc.tuple(
      ...Array.from({ length: count }, () =>
        fc.tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length })).map(
          ([drop, ones]) => full.map((s, i) => (ones[i] ? 1 : s)).slice(drop),
        ),
      ),
    ),
  );
}

/** Options of random tensors. */
export interface TensorConstraints {
  /** float64 by default, as gradient checks need. */
  dtype?: DType;
  min?: number;
  max?: number;
  /** Rejects values that fail this test (to keep away from kinks such as 0 for abs or relu). */
  filter?: (v: number) => boolean;
}

/** A random tensor of `shape` with finite values in [min, max] (−3 to 3 by default). */
export function arbTensor(shape: readonly number[], c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  let value = fc.double({ min: c.min ?? -3, max: c.max ?? 3, noNaN: true, noDefaultInfinity: true });
  if (c.filter) value = value.filter(c.filter);
  const n = numel(shape);
  return fc.array(value, { minLength: n, maxLength: n }).map((values) => {
    const data = allocate(c.dtype ?? 'float64', n);
    data.set(values);
    return new Tensor(data, shape);
  });
}

/** Random tensors of random shapes. */
export function arbTensorOfShape(shape: ShapeConstraints = {}, c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  return arbShape(shape).chain((s) => arbTensor(s, c));
}

/** `count` random tensors whose shapes broadcast together. @example arbBroadcastTensors(2) // for add */
export function arbBroadcastTensors(count = 2, shape: ShapeConstraints = {}, c: TensorConstraints = {}): fc.Arbitrary<Tensor[]> {
  return arbBroadcastShapes(count, shape).chain((shapes) => fc.tuple(...shapes.map((s) => arbTensor(s, c))));
}
