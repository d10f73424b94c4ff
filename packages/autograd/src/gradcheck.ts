import { DlError } from './checks/error.js';
import { Tensor } from './tensor.js';
import { allocate } from './dtype.js';
import { gradients } from './functional.js';
import { fmt, stridesOf } from './shape.js';
import { Generator } from './random.js';
import { mul } from './ops/elementwise.js';
import { sum } from './ops/reduce.js';

/** Options of `gradcheck`, with PyTorch's defaults. */
export interface GradcheckOptions {
  /** The finite-difference step (1e-6). */
  eps?: number;
  /** Absolute tolerance (1e-5). */
  atol?: number;
  /** Relative tolerance (1e-3). */
  rtol?: number;
  /** Seed of the random projection of the output (0). */
  seed?: number;
}

/** The first disagreement `gradcheck` found, with everything needed to reproduce it. */
export class GradcheckError extends DlError {
  constructor(
    message: string,
    /** Which input (position in `inputs`). */
    readonly input: number,
    /** Which element of that input, as a multi-index. */
    readonly index: number[],
    /** The gradient from the tape. */
    readonly analytical: number,
    /** The gradient from central differences. */
    readonly numerical: number,
  ) {
    super(message);
    this.name = 'GradcheckError';
  }
}

function unravel(i: number, shape: readonly number[]): number[] {
  return stridesOf(shape).map((s, d) => Math.floor(i / s) % shape[d]!);
}

/**
 * Checks the tape's gradient of `f` against central differences in float64. The output is projected
 * on a random vector v, so one backward gives vᵀJ, and each input element is perturbed by ±eps.
 * Returns true, or throws a `GradcheckError` naming the input, the element and both values.
 * @example gradcheck((a, b) => mul(a, b), [randn([2, 3], { dtype: 'float64' }), randn([3], { dtype: 'float64' })]);
 */
export function gradcheck(f: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64') throw new DlError(`gradcheck: input ${i} is ${x.dtype}; gradient checks need float64 inputs`);
  });
  const leaves = inputs.map((x) => x.detach().clone().requiresGrad_(true));
  const out = f(...leaves);
  if (out.dtype !== 'float64') throw new DlError(`gradcheck: f returned ${out.dtype}; it must return float64`);
  const g = new Generator(options.seed ?? 0);
  const v = new Tensor(allocate('float64', out.numel()).map(() => g.normal()), out.shape);
  const analytical = out.requiresGrad
    ? gradients([out], leaves, { gradOutputs: [v], allowUnused: true })
    : leaves.map((x) => new Tensor(allocate('float64', x.numel()), x.shape));
  const project = (y: Tensor): number => {
    if (y.shape.join() !== out.shape.join()) throw new DlError(`gradcheck: f's output shape changed from ${fmt(out.shape)} to ${fmt(y.shape)}`);
    let s = 0;
    for (let i = 0; i < y.numel(); i++) s += y.data[i]! * v.data[i]!;
    return s;
  };
  // Perturbed runs record too: f may itself take gradients (gradgradcheck).
  {
    leaves.forEach((x, i) => {
      for (let j = 0; j < x.numel(); j++) {
        const orig = x.data[j]!;
        x.data[j] = orig + eps;
        const plus = project(f(...leaves));
        x.data[j] = orig - eps;
        const minus = project(f(...leaves));
        x.data[j] = orig;
        const numerical = (plus - minus) / (2 * eps);
        const a = analytical[i]!.data[j]!;
        if (!(Math.abs(a - numerical) <= atol + rtol * Math.abs(numerical))) {
          const index = unravel(j, x.shape);
          throw new GradcheckError(
            `gradcheck: input ${i} (shape ${fmt(x.shape)}), element [${index.join(',')}]: ` +
              `analytical ${a} vs numerical ${numerical} (atol ${atol}, rtol ${rtol})`,
            i, index, a, numerical,
          );
        }
      }
    });
  }
  return true;
}

/**
 * Second-order check: gradchecks the map x ↦ vᵀJ(x) built with `createGraph`, so the backward of
 * every backward rule is tested too.
 */
export function gradgradcheck(f: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const probe = f(...inputs.map((x) => x.detach()));
  const g = new Generator((options.seed ?? 0) + 1);
  const v = new Tensor(allocate('float64', probe.numel()).map(() => g.normal()), probe.shape);
  const ws = inputs.map((x) => new Tensor(allocate('float64', x.numel()).map(() => g.normal()), x.shape));
  const firstOrder = (...xs: Tensor[]): Tensor => {
    const out = f(...xs);
    if (!out.requiresGrad) return sum(mul(xs[0]!, 0));
    const gs = gradients([out], xs, { gradOutputs: [v], createGraph: true, allowUnused: true });
    return gs.map((gi, i) => sum(mul(gi, ws[i]!))).reduce((a, b) => a.add(b));
  };
  return gradcheck(firstOrder, inputs, options);
}
