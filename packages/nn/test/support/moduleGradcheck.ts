// gradcheck for a whole module: the gradients of its inputs AND its parameters against central differences.
import fc from 'fast-check';
import { Generator, noGrad, Tensor } from '@dl/autograd';
import type { Module } from '@dl/nn';

/** Options of `moduleGradcheck`, PyTorch's gradcheck defaults. */
export interface ModuleGradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Extra forward arguments that get no gradient (class indices, ...). */
  constants?: Tensor[];
  seed?: number;
}

/**
 * Runs `m.forward(...inputs, ...constants)` in float64, backpropagates a random projection of the
 * output, and compares every input and parameter gradient with central differences. Throws naming
 * the tensor, the element and both values on disagreement.
 */
export function moduleGradcheck(m: Module, inputs: readonly Tensor[], options: ModuleGradcheckOptions = {}): true {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const constants = options.constants ?? [];
  const leaves = inputs.map((x) => {
    if (x.dtype !== 'float64') throw new Error('moduleGradcheck: inputs must be float64');
    return new Tensor(x.data.slice(), x.shape, { requiresGrad: true });
  });
  const params = m.namedParameters();
  for (const [name, p] of params) if (p.dtype !== 'float64') throw new Error(`moduleGradcheck: parameter ${name} is ${p.dtype}`);
  m.zeroGrad();
  const out: Tensor = m.forward(...leaves, ...constants);
  const g = new Generator(options.seed ?? 0);
  const v = new Tensor(Float64Array.from({ length: out.numel() }, () => g.normal()), out.shape);
  out.mul(v).sum().backward();
  const project = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < y.numel(); i++) s += y.data[i]! * v.data[i]!;
    return s;
  };
  const targets: [string, Tensor][] = [...leaves.map((l, i): [string, Tensor] => [`input ${i}`, l]), ...params];
  for (const [name, t] of targets) {
    for (let j = 0; j < t.numel(); j++) {
      const orig = t.data[j]!;
      t.data[j] = orig + eps;
      const plus = noGrad(() => project(m.forward(...leaves, ...constants)));
      t.data[j] = orig - eps;
      const minus = noGrad(() => project(m.forward(...leaves, ...constants)));
      t.data[j] = orig;
      const numerical = (plus - minus) / (2 * eps);
      const analytical = t.grad === null ? 0 : t.grad.data[j]!;
      if (!(Math.abs(analytical - numerical) <= atol + rtol * Math.abs(numerical))) {
        throw new Error(`moduleGradcheck: ${name} [${t.shape.join(',')}] element ${j}: analytical ${analytical} vs numerical ${numerical}`);
      }
    }
  }
  return true;
}

/** Float64 values in [min, max], away from `avoid ± gap` (kinks such as 0 for relu). */
export function arbValues(n: number, c: { min?: number; max?: number; avoid?: number; gap?: number } = {}): fc.Arbitrary<Float64Array> {
  let value = fc.double({ min: c.min ?? -3, max: c.max ?? 3, noNaN: true, noDefaultInfinity: true });
  if (c.avoid !== undefined) value = value.filter((x) => Math.abs(x - c.avoid!) > (c.gap ?? 1e-3));
  return fc.array(value, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));
}

/** A float64 tensor of `shape` with random values (see `arbValues`). */
export function arbT(shape: readonly number[], c: Parameters<typeof arbValues>[1] = {}): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  return arbValues(n, c).map((d) => new Tensor(d, shape));
}

/** A float64 tensor of `shape` whose values are all distinct, at least 0.05 apart (no ties for max pooling). */
export function arbDistinct(shape: readonly number[]): fc.Arbitrary<Tensor> {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  return fc
    .tuple(fc.shuffledSubarray(order, { minLength: n, maxLength: n }), fc.double({ min: -1, max: 1, noNaN: true }))
    .map(([perm, shift]) => new Tensor(Float64Array.from(perm, (p) => (p - n / 2) * 0.05 + shift), shape));
}
