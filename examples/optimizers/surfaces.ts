// The 2-D loss surfaces the optimizers race on, written with autograd ops so backward() gives the gradient.
import { mul, pow, sub, sum, type Tensor } from '@dl/autograd';

/** A loss of a point p = [x, y], the view to draw it in, a start, and where its minimum is. */
export interface Surface {
  name: string;
  title: string;
  /** The loss as a tensor op on p of shape [2] (for training). */
  loss: (p: Tensor) => Tensor;
  /** The same loss on plain numbers (for the contour grid). */
  value: (x: number, y: number) => number;
  view: { x: [number, number]; y: [number, number] };
  start: [number, number];
  minimum: [number, number];
  /** Learning rates that suit each optimizer on this surface. */
  lr: { sgd: number; momentum: number; rmsprop: number; adam: number };
}

const xy = (p: Tensor): [Tensor, Tensor] => [p.slice(0, 0, 1), p.slice(0, 1, 2)];

/** Rosenbrock's banana valley, f = (1 − x)² + 100·(y − x²)², minimum at (1, 1). */
export const rosenbrock: Surface = {
  name: 'rosenbrock',
  title: 'Rosenbrock  (1 − x)² + 100 (y − x²)²',
  loss: (p) => {
    const [x, y] = xy(p);
    return sum(pow(sub(1, x), 2)).add(sum(pow(sub(y, mul(x, x)), 2)).mul(100));
  },
  value: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  view: { x: [-2, 2], y: [-1, 3] },
  start: [-1.5, 2.5],
  minimum: [1, 1],
  lr: { sgd: 7e-4, momentum: 1e-2, rmsprop: 1e-2, adam: 5e-2 },
};

/** An elongated bowl, f = ½·(x² + 25·y²): steep across, shallow along, minimum at (0, 0). */
export const elongated: Surface = {
  name: 'quadratic',
  title: 'Elongated quadratic  ½ (x² + 25 y²)',
  loss: (p) => {
    const [x, y] = xy(p);
    return sum(mul(x, x)).add(sum(mul(y, y)).mul(25)).mul(0.5);
  },
  value: (x, y) => 0.5 * (x * x + 25 * y * y),
  view: { x: [-5, 1.5], y: [-1.6, 1.6] },
  start: [-4.5, 1.2],
  minimum: [0, 0],
  lr: { sgd: 0.075, momentum: 0.1, rmsprop: 0.05, adam: 0.15 },
};

/** Samples `value` on a cols × rows grid spanning the view (row-major, y up the rows). */
export function sampleGrid(s: Surface, cols: number, rows: number): Float64Array {
  const out = new Float64Array(cols * rows);
  for (let j = 0; j < rows; j++) {
    const y = s.view.y[0] + ((s.view.y[1] - s.view.y[0]) * j) / (rows - 1);
    for (let i = 0; i < cols; i++) out[j * cols + i] = s.value(s.view.x[0] + ((s.view.x[1] - s.view.x[0]) * i) / (cols - 1), y);
  }
  return out;
}
