import { DlError } from './checks/error.js';
import { Tensor } from './tensor.js';
import { runBackward, type BackwardOptions } from './engine.js';
import { allocate } from './dtype.js';
import { withGradMode } from './tape.js';
import { fmt } from './shape.js';
import { zerosLike } from './creation.js';
import { stack } from './ops/movement.js';
import { mul } from './ops/elementwise.js';
import { sum } from './ops/reduce.js';
import { api, sig, userCall } from './checks/guard.js';
import { describe } from './checks/describe.js';
import * as K from './checks/kinds.js';
import { options as opts } from './checks/options.js';

/** Options of `gradients`, PyTorch's `torch.autograd.grad`. */
export interface GradientsOptions extends BackwardOptions {
  /** The gradients of the loss with respect to each output (ones for scalar outputs when omitted). */
  gradOutputs?: readonly Tensor[];
  /** Return zeros, instead of throwing, for inputs the outputs do not depend on. */
  allowUnused?: boolean;
}

/**
 * The gradients of `outputs` with respect to `inputs`, without touching any `.grad`
 * (PyTorch's `torch.autograd.grad`). With `createGraph` the result can be differentiated again.
 * @example const [dx] = gradients([y], [x], { createGraph: true });
 */
export const gradients = api(sig('gradients', ['outputs', K.list(K.tensor)], ['inputs', K.list(K.tensor)], ['options', opts({ gradOutputs: K.list(K.tensor), retainGraph: K.bool, createGraph: K.bool, allowUnused: K.bool })]), function gradients(outputs: readonly Tensor[], inputs: readonly Tensor[], options: GradientsOptions = {}): Tensor[] {
  const seeds = outputs.map((y, i) => {
    const g = options.gradOutputs?.[i];
    if (g !== undefined) {
      if (g.shape.join() !== y.shape.join()) {
        throw new DlError(`gradients: gradOutputs[${i}] has shape ${fmt(g.shape)} but output ${i} has shape ${fmt(y.shape)}`);
      }
      if (g.dtype !== y.dtype) throw new DlError(`gradients: gradOutputs[${i}] is ${g.dtype} but output ${i} is ${y.dtype}`);
      return g;
    }
    if (y.numel() !== 1) throw new DlError(`gradients: output ${i} of shape ${fmt(y.shape)} is not a scalar; pass gradOutputs`);
    return new Tensor(allocate(y.dtype, 1).fill(1), y.shape);
  });
  outputs.forEach((y, i) => {
    if (!y.requiresGrad) throw new DlError(`gradients: output ${i} does not require grad`);
  });
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) throw new DlError(`gradients: input ${i} does not require grad`);
  });
  const result = runBackward(outputs, seeds, { ...options, inputs });
  return result.map((g, i) => {
    if (g !== null) return g;
    if (options.allowUnused) return zerosLike(inputs[i]!);
    throw new DlError(`gradients: input ${i} is not used by the outputs (pass allowUnused: true to get zeros)`);
  });
});

/** Which arguments of `f` to differentiate: one index, or several. */
export interface ArgnumsOptions<N extends number | readonly number[]> {
  argnums?: N;
}

type GradResult<N> = N extends number ? Tensor : Tensor[];

function checkArgnums(fnName: string, argnums: readonly number[], count: number): void {
  argnums.forEach((a) => {
    if (!Number.isInteger(a) || a < 0 || a >= count) throw new DlError(`${fnName}: argnums ${a} is out of range for ${count} argument(s)`);
  });
}

function valueAndGradNamed<N extends number | readonly number[]>(
  fnName: string,
  f: (...args: Tensor[]) => Tensor,
  options: ArgnumsOptions<N>,
): (...args: Tensor[]) => [Tensor, GradResult<N>] {
  const argnums = options.argnums ?? 0;
  const list = typeof argnums === 'number' ? [argnums] : [...(argnums as readonly number[])];
  return (...args) =>
    withGradMode(true, () => {
      checkArgnums(fnName, list, args.length);
      // Keep the caller's graph: an argument that already requires grad is used as it is, so an outer
      // transform can differentiate through this one (grad(grad(f))).
      const inputs = args.map((x, i) => (list.includes(i) && !x.requiresGrad ? x.detach().requiresGrad_(true) : x));
      const value = f(...inputs);
      if (value.numel() !== 1) throw new DlError(`${fnName}: f must return a scalar, got shape ${fmt(value.shape)}`);
      const higher = args.some((x) => x.requiresGrad);
      const wrt = list.map((i) => inputs[i]!);
      const gs = value.requiresGrad
        ? gradients([value], wrt, { createGraph: higher, allowUnused: true })
        : wrt.map((x) => zerosLike(x));
      return [higher ? value : value.detach(), (typeof argnums === 'number' ? gs[0]! : gs) as GradResult<N>];
    });
}

/**
 * `f`'s value and its gradient with respect to the arguments in `argnums` (0 by default); `f` must
 * return a scalar. Records a graph of the gradient when called under `enableGrad` with inputs that
 * require grad, so transforms compose.
 * @example const [loss, dw] = valueAndGrad(lossFn)(w);
 */
export const valueAndGrad = api(sig('valueAndGrad', ['f', K.func], ['options', opts({ argnums: K.union(K.number, K.list(K.number)) })]), function valueAndGrad<N extends number | readonly number[] = number>(
  f: (...args: Tensor[]) => Tensor,
  options: ArgnumsOptions<N> = {},
): (...args: Tensor[]) => [Tensor, GradResult<N>] {
  return valueAndGradNamed('valueAndGrad', f, options);
});

/**
 * The gradient of scalar-valued `f` with respect to the arguments in `argnums` (JAX/functorch `grad`).
 * Nest it for higher derivatives: `grad(grad(f))`.
 * @example grad((x) => sum(mul(x, x)))(tensor([1, 2])) // [2, 4]
 */
export const grad = api(sig('grad', ['f', K.func], ['options', opts({ argnums: K.union(K.number, K.list(K.number)) })]), function grad<N extends number | readonly number[] = number>(
  f: (...args: Tensor[]) => Tensor,
  options: ArgnumsOptions<N> = {},
): (...args: Tensor[]) => GradResult<N> {
  const vg = valueAndGradNamed('grad', f, options);
  return (...args) => vg(...args)[1];
});

/**
 * `f(...primals)` and a function that maps a cotangent `v` (shaped like the output) to vᵀJ for each
 * primal (functorch's `vjp`).
 * @example const [y, vjpFn] = vjp(f, x); const [vx] = vjpFn(onesLike(y));
 */
export const vjp = api(sig('vjp', ['f', K.func], ['...primals', K.tensor]), function vjp(f: (...args: Tensor[]) => Tensor, ...primals: Tensor[]): [Tensor, (v: Tensor) => Tensor[]] {
  return withGradMode(true, () => {
    const inputs = primals.map((x) => (x.requiresGrad ? x : x.detach().requiresGrad_(true)));
    const out: unknown = userCall(() => f(...inputs));
    if (!(out instanceof Tensor)) throw new DlError('vjp', `f must return a Tensor, got ${describe(out)}`, { arg: 'f' });
    const higher = primals.some((x) => x.requiresGrad);
    const fn = (v: Tensor): Tensor[] =>
      withGradMode(true, () => {
        if (!out.requiresGrad) return inputs.map((x) => zerosLike(x));
        return gradients([out], inputs, {
          gradOutputs: [v],
          retainGraph: true,
          createGraph: higher || v.requiresGrad,
          allowUnused: true,
        });
      });
    return [higher ? out : out.detach(), fn];
  });
});

/**
 * `f(...primals)` and the Jacobian-vector product J·tangents (functorch's `jvp`), computed with two
 * vjps: the vjp is linear in its cotangent u, so differentiating uᵀJ·t with respect to u gives J·t.
 * @example const [y, dy] = jvp(f, [x], [dx]);
 */
export const jvp = api(sig('jvp', ['f', K.func], ['primals', K.list(K.tensor)], ['tangents', K.list(K.tensor)]), function jvp(f: (...args: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): [Tensor, Tensor] {
  if (primals.length !== tangents.length) {
    throw new DlError(`jvp: ${primals.length} primal(s) but ${tangents.length} tangent(s)`);
  }
  primals.forEach((p, i) => {
    if (p.shape.join() !== tangents[i]!.shape.join()) {
      throw new DlError(`jvp: primal ${i} has shape ${fmt(p.shape)} but its tangent has shape ${fmt(tangents[i]!.shape)}`);
    }
  });
  return withGradMode(true, () => {
    const [out, vjpFn] = vjp(f, ...primals.map((p) => p.detach()));
    const u = zerosLike(out).requiresGrad_(true);
    const cot = vjpFn(u);
    let dot: Tensor | null = null;
    cot.forEach((c, i) => {
      if (!c.requiresGrad) return;
      const term = sum(mul(c, tangents[i]!));
      dot = dot === null ? term : dot.add(term);
    });
    if (dot === null) return [out.detach(), zerosLike(out)];
    const [jt] = gradients([dot], [u], { allowUnused: true });
    return [out.detach(), jt!];
  });
});

/**
 * The Hessian of scalar-valued `f` at `x`, shaped [...x.shape, ...x.shape]; one backward per
 * element of x, so meant for small inputs.
 * @example hessian((x) => sum(pow(x, 3)))(x) // diag(6x)
 */
export const hessian = api(sig('hessian', ['f', K.func]), function hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x) =>
    withGradMode(true, () => {
      const leaf = x.detach().requiresGrad_(true);
      const y = f(leaf);
      if (y.numel() !== 1) throw new DlError(`hessian: f must return a scalar, got shape ${fmt(y.shape)}`);
      const [g] = gradients([y], [leaf], { createGraph: true, allowUnused: true });
      const n = leaf.numel();
      const rows: Tensor[] = [];
      for (let i = 0; i < n; i++) {
        const seed = allocate(x.dtype, n);
        seed[i] = 1;
        const gi = sum(mul(g!, new Tensor(seed, x.shape)));
        rows.push(gi.requiresGrad ? gradients([gi], [leaf], { retainGraph: true, allowUnused: true })[0]!.detach() : zerosLike(x));
      }
      return stack(rows).reshape(...x.shape, ...x.shape);
    });
});

