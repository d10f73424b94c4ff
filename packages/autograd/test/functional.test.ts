import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  add, cos, exp, gradients, grad, hessian, jvp, log, matmul, mul, ones, pow, sin, sum, tanh, tensor, valueAndGrad, vjp, zeros,
  type Tensor,
} from '@dl/autograd';

const f64 = { dtype: 'float64' as const };
const t64 = (v: number[] | number[][], requiresGrad = false) => tensor(v, { ...f64, requiresGrad });
const values = (t: Tensor) => Array.from(t.data);
const expectClose = (t: Tensor, expected: { shape: number[]; values: number[] } | number[], tol = 1e-12) => {
  const want = Array.isArray(expected) ? expected : expected.values;
  if (!Array.isArray(expected)) expect(t.shape).toEqual(expected.shape);
  expect(t.numel()).toBe(want.length);
  values(t).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));
};

// PyTorch's results on the same functions (fixtures/functional.py).
interface Flat { shape: number[]; values: number[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/functional.json', import.meta.url), 'utf8')).cases as Record<string, Record<string, Flat & number>>;
// A fixture field the test names; a missing one is a broken fixture, so it throws.
const load = (f: Flat | undefined) => {
  if (f === undefined) throw new Error('functional.json: a field this test reads is missing');
  return tensor(f.values, { ...f64, shape: f.shape });
};

const poly = (x: Tensor) => sum(mul(sin(x), pow(x, 2)));
const mlp = (x: Tensor, w: Tensor) => sum(pow(tanh(matmul(x, w)), 2));
const expx = (x: Tensor) => mul(exp(x), x);
const bilinear = (x: Tensor, y: Tensor) => sum(add(mul(x, y), mul(sin(x), cos(y))));
const softplusSum = (x: Tensor) => sum(log(add(exp(x), 1)));

describe('gradients (torch.autograd.grad)', () => {
  it('matches PyTorch on an MLP-like function, for both inputs, leaving .grad alone', () => {
    const c = fx.mlp!;
    const x = load(c.x).requiresGrad_();
    const w = load(c.w).requiresGrad_();
    const y = mlp(x, w);
    expect(y.item()).toBeCloseTo(c.value as number, 12);
    const [gx, gw] = gradients([y], [x, w]);
    expectClose(gx!, c.gradX!);
    expectClose(gw!, c.gradW!);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(gx!.requiresGrad).toBe(false);
  });

  it('takes the gradient with respect to an intermediate tensor', () => {
    const x = t64([1, 2], true);
    const h = mul(x, 3);
    const [gh] = gradients([sum(mul(h, h))], [h]);
    expect(values(gh!)).toEqual([6, 12]);
  });

  it('uses gradOutputs for non-scalar outputs and sums over several outputs', () => {
    const x = t64([1, 2], true);
    const [g] = gradients([mul(x, x), sum(mul(x, 10))], [x], { gradOutputs: [t64([1, -1]), tensor(1, f64)] });
    expect(values(g!)).toEqual([2 + 10, -4 + 10]);
    const [g2] = gradients([mul(x, x)], [x], { gradOutputs: [t64([0.5, 2])] });
    expect(values(g2!)).toEqual([1, 8]);
  });

  it('createGraph gives a differentiable gradient', () => {
    const x = t64([0.5, -1], true);
    const [g] = gradients([sum(pow(x, 3))], [x], { createGraph: true });
    expect(g!.requiresGrad).toBe(true);
    const [gg] = gradients([sum(g!)], [x]);
    expect(values(gg!)).toEqual([3, -6]);
  });

  it('errors: non-scalar output without gradOutputs, wrong gradOutputs shape, unused input, no grad', () => {
    const x = t64([1, 2], true);
    const unused = t64([3], true);
    expect(() => gradients([mul(x, 2)], [x])).toThrow(/gradients: output 0 of shape \[2\] is not a scalar; pass gradOutputs/);
    expect(() => gradients([mul(x, 2)], [x], { gradOutputs: [t64([1, 2, 3])] })).toThrow(/gradients: gradOutputs\[0\] has shape \[3\] but output 0 has shape \[2\]/);
    expect(() => gradients([sum(x)], [x, unused])).toThrow(/gradients: input 1 is not used by the outputs \(pass allowUnused: true/);
    const [, z] = gradients([sum(x)], [x, unused], { allowUnused: true });
    expect(values(z!)).toEqual([0]);
    expect(() => gradients([sum(t64([1]))], [x])).toThrow(/gradients: output 0 does not require grad/);
    expect(() => gradients([sum(x)], [t64([1])])).toThrow(/gradients: input 0 does not require grad/);
  });
});

describe('grad and valueAndGrad', () => {
  it('grad(f) of sum(x²) is 2x, without marking or filling the caller’s tensor', () => {
    const x = t64([1, -2, 3]);
    const g = grad((a) => sum(mul(a, a)))(x);
    expect(values(g)).toEqual([2, -4, 6]);
    expect(g.requiresGrad).toBe(false);
    expect(x.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });

  it('matches PyTorch on sum(sin(x)·x²)', () => {
    const c = fx.poly!;
    const [value, g] = valueAndGrad(poly)(load(c.x));
    expect(value.item()).toBeCloseTo(c.value as number, 12);
    expect(value.requiresGrad).toBe(false);
    expectClose(g, c.grad!);
  });

  it('argnums as a number picks one argument, as an array several, in that order', () => {
    const f = (x: Tensor, y: Tensor, z: Tensor) => sum(mul(mul(x, y), z));
    const [x, y, z] = [t64([2]), t64([3]), t64([5])];
    expect(values(grad(f)(x, y, z))).toEqual([15]);
    expect(values(grad(f, { argnums: 1 })(x, y, z))).toEqual([10]);
    const [gz, gx] = grad(f, { argnums: [2, 0] })(x, y, z);
    expect(values(gz!)).toEqual([6]);
    expect(values(gx!)).toEqual([15]);
    const [value, [gy]] = valueAndGrad(f, { argnums: [1] })(x, y, z);
    expect(value.item()).toBe(30);
    expect(values(gy!)).toEqual([10]);
  });

  it('matches PyTorch for both arguments of an MLP-like function', () => {
    const c = fx.mlp!;
    const [gx, gw] = grad(mlp, { argnums: [0, 1] })(load(c.x), load(c.w));
    expectClose(gx!, c.gradX!);
    expectClose(gw!, c.gradW!);
  });

  it('gives zeros for an argument f ignores', () => {
    expect(values(grad((_x: Tensor, y: Tensor) => sum(y), { argnums: 0 })(t64([1, 2]), t64([3])))).toEqual([0, 0]);
  });

  it('nests: grad(grad(f)) for f = x³ is 6x, and three levels give 6', () => {
    const f = (x: Tensor) => sum(pow(x, 3));
    const d1 = grad(f);
    const d2 = grad((x: Tensor) => sum(d1(x)));
    const d3 = grad((x: Tensor) => sum(d2(x)));
    const x = t64([0.5, -2, 3]);
    expect(values(d1(x))).toEqual([0.75, 12, 27]);
    expect(values(d2(x))).toEqual([3, -12, 18]);
    expect(values(d3(x))).toEqual([6, 6, 6]);
  });

  it('called on a tensor that requires grad, the gradient stays on the tape for backward', () => {
    const w = t64([2, -1], true);
    const g = grad((a: Tensor) => sum(pow(a, 3)))(w);
    expect(g.requiresGrad).toBe(true);
    sum(g).backward();
    expect(values(w.grad!)).toEqual([12, -6]);
  });

  it('nested grad matches PyTorch’s gradient of the gradient sum of softplus', () => {
    const c = fx.softplus!;
    const x = load(c.x);
    expectClose(grad(softplusSum)(x), c.grad!);
    expectClose(grad((a: Tensor) => sum(grad(softplusSum)(a)))(x), c.gradOfGradSum!);
  });

  it('errors: bad argnums and a non-scalar f, naming the transform', () => {
    const f = (x: Tensor, y: Tensor) => sum(mul(x, y));
    const [x, y] = [t64([1]), t64([2])];
    expect(() => grad(f, { argnums: 2 })(x, y)).toThrow(/grad: argnums 2 is out of range for 2 argument\(s\)/);
    expect(() => grad(f, { argnums: -1 })(x, y)).toThrow(/grad: argnums -1 is out of range/);
    expect(() => grad(f, { argnums: [0, 1.5] })(x, y)).toThrow(/grad: argnums 1.5 is out of range/);
    expect(() => valueAndGrad(f, { argnums: [3] })(x, y)).toThrow(/valueAndGrad: argnums 3 is out of range/);
    expect(() => grad((a: Tensor) => mul(a, 2))(t64([1, 2]))).toThrow(/grad: f must return a scalar, got shape \[2\]/);
    expect(() => valueAndGrad((a: Tensor) => mul(a, 2))(t64([1, 2]))).toThrow(/valueAndGrad: f must return a scalar, got shape \[2\]/);
  });
});

describe('vjp and jvp', () => {
  it('vjp of x·x is 2x·v, and the function can be called again', () => {
    const [y, vjpFn] = vjp((x: Tensor) => mul(x, x), t64([1, 2, 3]));
    expect(values(y)).toEqual([1, 4, 9]);
    expect(values(vjpFn(t64([1, 1, 1]))[0]!)).toEqual([2, 4, 6]);
    expect(values(vjpFn(t64([0, 0.5, -1]))[0]!)).toEqual([0, 2, -6]);
  });

  it('jvp of x·x is 2x·t', () => {
    const [y, jt] = jvp((x: Tensor) => mul(x, x), [t64([1, 2, 3])], [t64([1, 0, -1])]);
    expect(values(y)).toEqual([1, 4, 9]);
    expect(values(jt)).toEqual([2, 0, -6]);
  });

  it('vjp and jvp match PyTorch on exp(x)·x', () => {
    const c = fx.expx!;
    const x = load(c.x);
    const [out, vjpFn] = vjp(expx, x);
    expectClose(out, c.out!);
    expectClose(vjpFn(load(c.v))[0]!, c.vjp!);
    const [out2, jt] = jvp(expx, [x], [load(c.t)]);
    expectClose(out2, c.out!);
    expectClose(jt, c.jvp!);
  });

  it('vjp and jvp match PyTorch for a function of two arguments', () => {
    const c = fx.bilinear!;
    const [x, y] = [load(c.x), load(c.y)];
    const [, vjpFn] = vjp(bilinear, x, y);
    const [vx, vy] = vjpFn(tensor(1.5, f64));
    expectClose(vx!, c.vjpX!);
    expectClose(vy!, c.vjpY!);
    const [, jt] = jvp(bilinear, [x, y], [ones([3], f64), tensor([-0.5, -0.5, -0.5], f64)]);
    expect(jt.item()).toBeCloseTo(c.jvp as number, 12);
  });

  it('jvp of an output that ignores its input is zero', () => {
    const [, jt] = jvp((_x: Tensor) => ones([2], f64), [t64([1, 2])], [t64([1, 1])]);
    expect(values(jt)).toEqual([0, 0]);
  });

  it('jvp errors name the mismatch', () => {
    const f = (x: Tensor) => mul(x, 2);
    expect(() => jvp(f, [t64([1, 2])], [])).toThrow(/jvp: 1 primal\(s\) but 0 tangent\(s\)/);
    expect(() => jvp(f, [t64([1, 2])], [t64([1, 2, 3])])).toThrow(/jvp: primal 0 has shape \[2\] but its tangent has shape \[3\]/);
  });
});

describe('hessian', () => {
  it('of sum(x³) is diag(6x), shaped [n, n]', () => {
    const h = hessian((x) => sum(pow(x, 3)))(t64([1, -2, 0.5]));
    expect(h.shape).toEqual([3, 3]);
    expect(values(h).map((v) => v + 0)).toEqual([6, 0, 0, 0, -12, 0, 0, 0, 3]); // + 0 turns -0 into 0
  });

  it('of (Σx)² is 2 everywhere, and keeps the input shape twice', () => {
    const h = hessian((x) => pow(sum(x), 2))(zeros([2, 2], f64));
    expect(h.shape).toEqual([2, 2, 2, 2]);
    expect(values(h).every((v) => v === 2)).toBe(true);
  });

  it('of a linear function is zero', () => {
    expect(values(hessian((x) => sum(mul(x, 3)))(t64([1, 2])))).toEqual([0, 0, 0, 0]);
  });

  it('matches PyTorch on three functions', () => {
    expectClose(hessian(poly)(load(fx.poly!.x!)), fx.poly!.hessian!);
    const y = load(fx.bilinear!.y!);
    expectClose(hessian((x) => bilinear(x, y))(load(fx.bilinear!.x!)), fx.bilinear!.hessianX!);
    expectClose(hessian(softplusSum)(load(fx.softplus!.x!)), fx.softplus!.hessian!);
  });

  it('refuses a non-scalar f', () => {
    expect(() => hessian((x) => mul(x, x))(t64([1, 2]))).toThrow(/hessian: f must return a scalar, got shape \[2\]/);
  });
});
