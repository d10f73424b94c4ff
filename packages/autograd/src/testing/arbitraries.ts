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

/**
 * A random tensor of `shape` with finite values in [min, max] (−3 to 3 by default), float64 unless
 * `dtype` says otherwise; bounds and `filter` hold for the stored (for float32, rounded) values.
 * @example fc.assert(fc.property(arbTensor([2, 3], { min: 0.1 }), (x) => log(x).shape.length === 2))
 */
export function arbTensor(shape: readonly number[], c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  const min = c.min ?? -3;
  const max = c.max ?? 3;
  const dtype = c.dtype ?? 'float64';
  const stored = dtype === 'float32' ? Math.fround : (v: number) => v;
  const filter = c.filter;
  const value = fc
    .double({ min, max, noNaN: true, noDefaultInfinity: true })
    .map(stored)
    // float32 rounding may step just past a bound that is not a float32 value
    .filter((v) => v >= min && v <= max && (filter === undefined || filter(v)));
  const n = numel(shape);
  return fc.array(value, { minLength: n, maxLength: n }).map((values) => {
    const data = allocate(dtype, n);
    data.set(values);
    return new Tensor(data, shape);
  });
}

/** Random tensors of random shapes. @example arbTensorOfShape({ maxDims: 2 }, { min: 0.1 }) */
export function arbTensorOfShape(shape: ShapeConstraints = {}, c: TensorConstraints = {}): fc.Arbitrary<Tensor> {
  return arbShape(shape).chain((s) => arbTensor(s, c));
}

/** `count` random tensors whose shapes broadcast together. @example arbBroadcastTensors(2) // for add */
export function arbBroadcastTensors(count = 2, shape: ShapeConstraints = {}, c: TensorConstraints = {}): fc.Arbitrary<Tensor[]> {
  return arbBroadcastShapes(count, shape).chain((shapes) => fc.tuple(...shapes.map((s) => arbTensor(s, c))));
}
