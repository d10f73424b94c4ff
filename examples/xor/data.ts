// The two toy data sets of the example, drawn from a seeded Generator: XOR blobs and two moons.
import { tensor, type DType, type Generator, type Tensor } from '@dl/autograd';

/** The data sets the example can draw. */
export const DATASETS = ['xor', 'moons'] as const;
/** The name of a toy data set. */
export type DatasetName = (typeof DATASETS)[number];

/** A toy classification set: points x [N, 2] and class labels y [N] (float, 0 or 1), plus the labels as ints. */
export interface ToyData {
  x: Tensor;
  y: Tensor;
  labels: Int32Array;
}

/**
 * Draws `n` points of a two-class toy problem, half of each class.
 * - `xor`: four Gaussian blobs (std 0.35) around (±1, ±1); the class is 1 where the signs of the
 *   centre differ, so no straight line separates the classes.
 * - `moons`: scikit-learn's two interleaving half circles, with Gaussian noise of std 0.15.
 * @example const { x, y } = toyData('moons', 200, new Generator(0)); // x [200, 2], y [200]
 */
export function toyData(name: DatasetName, n: number, gen: Generator, dtype: DType = 'float32'): ToyData {
  const xs = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    let px: number;
    let py: number;
    if (name === 'xor') {
      // class 0 sits at (1, 1) or (-1, -1), class 1 at (1, -1) or (-1, 1)
      const sx = gen.uniform() < 0.5 ? -1 : 1;
      const sy = c === 0 ? sx : -sx;
      px = sx + 0.35 * gen.normal();
      py = sy + 0.35 * gen.normal();
    } else {
      const t = Math.PI * gen.uniform();
      px = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
      py = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      px += 0.15 * gen.normal();
      py += 0.15 * gen.normal();
    }
    xs[2 * i] = px;
    xs[2 * i + 1] = py;
    labels[i] = c;
  }
  return {
    x: tensor(xs, { shape: [n, 2], dtype }),
    y: tensor(labels, { shape: [n], dtype }),
    labels,
  };
}
