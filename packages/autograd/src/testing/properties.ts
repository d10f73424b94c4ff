import fc from 'fast-check';
import type { Tensor } from '../tensor.js';
import { allocate } from '../dtype.js';
import { gradcheck, gradgradcheck, type GradcheckOptions } from '../gradcheck.js';
import { gradients } from '../functional.js';
import { Generator } from '../random.js';
import { Tensor as T } from '../tensor.js';
import { add, exp, mul } from '../ops/elementwise.js';
import { sum, sumToShape } from '../ops/reduce.js';
import { expand } from '../ops/movement.js';

type Fn = (...inputs: Tensor[]) => Tensor;

/**
 * A property: `gradcheck(fn, inputs)` holds for every input drawn from `inputs`.
 * @example fc.assert(gradcheckProperty((a, b) => mul(a, b), arbBroadcastTensors(2)), { numRuns: 30 })
 */
export function gradcheckProperty(fn: Fn, inputs: fc.Arbitrary<Tensor[]>, options: GradcheckOptions = {}): fc.IPropertyWithHooks<[Tensor[]]> {
  return fc.property(inputs, (xs) => gradcheck(fn, xs, options));
}

/**
 * A property: the second-order `gradgradcheck(fn, inputs)` holds for every input drawn.
 * @example fc.assert(gradgradcheckProperty((x) => tanh(x), arbTensorOfShape().map((t) => [t])))
 */
export function gradgradcheckProperty(fn: Fn, inputs: fc.Arbitrary<Tensor[]>, options: GradcheckOptions = {}): fc.IPropertyWithHooks<[Tensor[]]> {
  return fc.property(inputs, (xs) => gradgradcheck(fn, xs, options));
}

/**
 * Asserts `gradcheckProperty` over `numRuns` samples (50 by default), shrinking a failure to the smallest
 * input and reporting it with the gradcheck message.
 * @example assertGradcheck((x) => exp(x), arbTensorOfShape().map((t) => [t]), { numRuns: 25 })
 */
export function assertGradcheck(fn: Fn, inputs: fc.Arbitrary<Tensor[]>, options: GradcheckOptions & { numRuns?: number } = {}): void {
  // The report then carries the GradcheckError's text: which input, which element, both values.
  fc.assert(gradcheckProperty(fn, inputs, options), { numRuns: options.numRuns ?? 50, includeErrorInReport: true });
}

function randomLike(t: Tensor, g: Generator): T {
  return new T(allocate(t.dtype, t.numel()).map(() => g.normal()), t.shape);
}

function leavesOf(xs: readonly Tensor[]): Tensor[] {
  return xs.map((x) => x.detach().clone().requiresGrad_(true));
}

function close(a: Tensor, b: Tensor, tol = 1e-9): boolean {
  for (let i = 0; i < a.numel(); i++) {
    if (Math.abs(a.data[i]! - b.data[i]!) > tol * (1 + Math.abs(b.data[i]!))) return false;
  }
  return a.shape.join() === b.shape.join();
}

/**
 * A property: backward is linear in the upstream gradient, vjp(αu + βv) = α·vjp(u) + β·vjp(v).
 * @example fc.assert(backwardIsLinear((a, b) => mul(a, b), arbBroadcastTensors(2)))
 */
export function backwardIsLinear(fn: Fn, inputs: fc.Arbitrary<Tensor[]>): fc.IPropertyWithHooks<[Tensor[], number, number, number]> {
  return fc.property(inputs, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.nat(), (xs, alpha, beta, seed) => {
    const leaves = leavesOf(xs);
    const out = fn(...leaves);
    const g = new Generator(seed);
    const u = randomLike(out, g);
    const v = randomLike(out, g);
    const vjp = (w: Tensor) => gradients([out], leaves, { gradOutputs: [w], retainGraph: true, allowUnused: true });
    const combined = vjp(u.mul(alpha).add(v.mul(beta)));
    const gu = vjp(u);
    const gv = vjp(v);
    return combined.every((c, i) => close(c, gu[i]!.mul(alpha).add(gv[i]!.mul(beta))));
  });
}

/**
 * A property: a second backward with `retainGraph` doubles every accumulated gradient (a rule that
 * consumes or changes what it saved fails it).
 * @example fc.assert(retainGraphDoubles((x) => sin(x), arbTensorOfShape().map((t) => [t])))
 */
export function retainGraphDoubles(fn: Fn, inputs: fc.Arbitrary<Tensor[]>): fc.IPropertyWithHooks<[Tensor[]]> {
  return fc.property(inputs, (xs) => {
    const leaves = leavesOf(xs);
    const loss = sum(mul(fn(...leaves), randomLike(fn(...xs), new Generator(1))));
    loss.backward(undefined, { retainGraph: true });
    const once = leaves.map((x) => x.grad?.clone() ?? null);
    loss.backward();
    return leaves.every((x, i) => (once[i] === null ? x.grad === null : close(x.grad!, once[i]!.mul(2))));
  });
}

/**
 * A property: a branch that never reaches the loss changes no gradient. The branch reuses the output
 * and calls `fn` a second time on other values, so an op that keeps state between calls (a saved input
 * in a shared variable) is caught too.
 */
export function unusedBranchIsInert(fn: Fn, inputs: fc.Arbitrary<Tensor[]>): fc.IPropertyWithHooks<[Tensor[]]> {
  return fc.property(inputs, (xs) => {
    const v = randomLike(fn(...xs), new Generator(2));
    const run = (withBranch: boolean) => {
      const leaves = leavesOf(xs);
      const out = fn(...leaves);
      if (withBranch) {
        const other = fn(...leaves.map((x) => add(mul(x, 0.5), 0.25)));
        leaves.forEach((x) => sum(exp(x)).add(sum(out)).add(sum(other)));
      }
      sum(mul(out, v)).backward();
      return leaves.map((x) => x.grad);
    };
    const plain = run(false);
    const branched = run(true);
    return plain.every((g, i) => (g === null ? branched[i] === null : close(branched[i]!, g)));
  });
}

/**
 * A property for a broadcasting op: the gradient of each input has that input's shape and equals the
 * gradient of the input expanded by hand to the output's shape, summed back.
 * @example fc.assert(broadcastGradSumsBack((a, b) => add(a, b), arbBroadcastTensors(2)))
 */
export function broadcastGradSumsBack(fn: Fn, inputs: fc.Arbitrary<Tensor[]>): fc.IPropertyWithHooks<[Tensor[]]> {
  return fc.property(inputs, (xs) => {
    const out = fn(...xs);
    const v = randomLike(out, new Generator(3));
    const leaves = leavesOf(xs);
    const g = gradients([sum(mul(fn(...leaves), v))], leaves, { allowUnused: true });
    const expanded = leavesOf(xs.map((x) => expand(x, out.shape)));
    const gExpanded = gradients([sum(mul(fn(...expanded), v))], expanded, { allowUnused: true });
    return g.every((gi, i) => gi.shape.join() === xs[i]!.shape.join() && close(gi, sumToShape(gExpanded[i]!, xs[i]!.shape)));
  });
}
