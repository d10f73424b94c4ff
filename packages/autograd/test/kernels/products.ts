// Shared by the matmul kernel tests: random operands, their stored layouts, and a naive reference.
import fc from 'fast-check';

export type Arr = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';
export const ctor = { float32: Float32Array, float64: Float64Array } as const;

/**
 * The reference: a naive triple loop over logical (row-major, untransposed) operands, summed in
 * float64. Also returns Σ|a·b| per entry, which scales the rounding-error bounds.
 */
export function naive(a: Arr, b: Arr, M: number, K: number, N: number): { value: Float64Array; absSum: Float64Array } {
  const value = new Float64Array(M * N);
  const absSum = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let t = 0;
      for (let k = 0; k < K; k++) {
        s += a[i * K + k]! * b[k * N + j]!;
        t += Math.abs(a[i * K + k]! * b[k * N + j]!);
      }
      value[i * N + j] = s;
      absSum[i * N + j] = t;
    }
  }
  return { value, absSum };
}

/** The rows×cols row-major `x` stored cols×rows. */
export function transposed(x: Arr, rows: number, cols: number): Arr {
  const t = new (x.constructor as typeof Float64Array)(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c]!;
  return t;
}

/** n seeded values in [-1, 1), or with `ints` small integers in [-4, 3] (whose products sum exactly). */
export function filled(dtype: DType, n: number, seed: number, ints = false): Arr {
  const x = new ctor[dtype](n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = ints ? (s >>> 29) - 4 : s / 2 ** 31 - 1;
  }
  return x;
}

/** One product to compute: sizes, layouts, leading offsets of the stored arrays, and a seed. */
export interface ProductCase {
  dims: [number, number, number];
  transA: boolean;
  transB: boolean;
  offsets: [number, number, number];
  seed: number;
}

/** Cases over the given M, K, N arbitrary, with both layouts of each operand and offsets up to 5. */
export function productCases(dims: fc.Arbitrary<[number, number, number]>): fc.Arbitrary<ProductCase> {
  return fc.record({
    dims,
    transA: fc.boolean(),
    transB: fc.boolean(),
    offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
    seed: fc.integer(),
  });
}

/** The operands of a case, stored as the kernel reads them, an out holding `prior`, and the reference. */
export interface Stored {
  a: Arr;
  b: Arr;
  prior: Arr;
  aStore: Arr;
  bStore: Arr;
  /** [offset zeros][M×N prior][3 guard sevens] */
  out: Arr;
  expected: { value: Float64Array; absSum: Float64Array };
}

/** Builds a case's operands (random values, or small integers with `ints`). */
export function stored(c: ProductCase, dtype: DType, ints = false): Stored {
  const { dims: [M, K, N], transA, transB, offsets: [ao, bo, oo], seed } = c;
  const C = ctor[dtype];
  const a = filled(dtype, M * K, seed, ints);
  const b = filled(dtype, K * N, seed + 1, ints);
  const prior = filled(dtype, M * N, seed + 2, ints);
  const aStore = new C(ao + M * K);
  aStore.set(transA ? transposed(a, M, K) : a, ao);
  const bStore = new C(bo + K * N);
  bStore.set(transB ? transposed(b, K, N) : b, bo);
  const out = new C(oo + M * N + 3);
  out.set(prior, oo);
  out.fill(7, oo + M * N);
  return { a, b, prior, aStore, bStore, out, expected: naive(a, b, M, K, N) };
}

/** Throws unless out's prefix is still 0 and its 3 trailing guards still 7. */
export function checkUntouchedAround(out: Arr, oo: number, size: number): void {
  for (let i = 0; i < oo; i++) if (out[i] !== 0) throw new Error(`out[${i}] before the product was written: ${out[i]}`);
  for (let i = oo + size; i < out.length; i++) if (out[i] !== 7) throw new Error(`out[${i}] past the product was written: ${out[i]}`);
}

/** γ(n) = n·u / (1 − n·u), the classic bound on n roundings of unit roundoff u (Higham, §3.1). */
export function gamma(n: number, u: number): number {
  return (n * u) / (1 - n * u);
}
