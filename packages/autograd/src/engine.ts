import { DlError } from './checks/error.js';
import { Tensor } from './tensor.js';
import { userCall } from './checks/guard.js';
import { checkHookResult } from './checks/tensor.js';
import { add } from './ops/elementwise.js';
import { sumToShape } from './ops/reduce.js';
import { clone } from './ops/movement.js';
import { fmt, sameShape } from './shape.js';
import { storageVersion } from './version.js';
import { k } from './kernels/index.js';
import { checkAnomaly, isAnomalyEnabled, runRule, withGradMode, type Node } from './tape.js';
import { collectFreshStorage } from './op.js';
import type { TypedArray } from './dtype.js';
import type { GpuArray } from './kernels/webgpu/context.js';

/** Options of a backward pass. */
export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. Defaults to `createGraph`. */
  retainGraph?: boolean;
  /** Record the backward itself, so gradients of gradients can be taken. */
  createGraph?: boolean;
}

/** Options of `runBackward`: which tensors to return gradients for, instead of accumulating `.grad`. */
export interface EngineOptions extends BackwardOptions {
  inputs?: readonly Tensor[];
}

/** Throws when an input or the output that `node`'s backward reads was changed in place after its forward ran. */
function checkVersions(node: Node, output: Tensor): void {
  const n = node.inputs.length;
  for (let i = 0; i <= n; i++) {
    if (node.versions[i] === -1) continue;
    const x = i < n ? node.inputs[i]! : output;
    const now = storageVersion(x);
    if (now !== node.versions[i]) {
      const which = i < n ? `input ${i}` : 'the output';
      throw new DlError(
        `backward: ${which} of '${node.op}' (shape ${fmt(x.shape)}) was modified in place after the forward ` +
          `(version ${node.versions[i]}, now ${now}), so the values its gradient needs are gone; ` +
          'run the forward again after in-place updates such as optimizer.step()',
      );
    }
  }
}

// Each walk stamps the nodes it reaches with its own number (cheaper than a Set of every tensor).
let walks = 0;

/** The nodes reachable from `roots`, outputs before inputs (reverse topological order), without recursion. */
function reverseTopo(roots: readonly Tensor[]): Tensor[] {
  const walk = ++walks;
  const order: Tensor[] = [];
  // A depth-first walk with two parallel stacks: the tensor, and how many of its inputs were visited.
  const stack: Tensor[] = [];
  const visited: number[] = [];
  for (const r of roots) {
    if (r.gradFn === null || r.gradFn.walk === walk) continue;
    r.gradFn.walk = walk;
    stack.push(r);
    visited.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const inputs = stack[top]!.gradFn!.inputs;
      if (visited[top]! < inputs.length) {
        const next = inputs[visited[top]!++]!;
        const node = next.gradFn;
        if (node !== null && node.walk !== walk) {
          node.walk = walk;
          stack.push(next);
          visited.push(0);
        }
      } else {
        order.push(stack.pop()!);
        visited.pop();
      }
    }
  }
  return order.reverse();
}

/** Whether `from` broadcasts to `to` (a gradient of shape `to` can be summed back to `from`). */
function expandsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  return from.every((s, i) => s === 1 || s === to[lead + i]);
}

function applyHooks(t: Tensor, g: Tensor): Tensor {
  if (t.hooks === null) return g;
  for (const hook of t.hooks) {
    const replaced: unknown = userCall(() => hook(g));
    checkHookResult(t, g, replaced);
    if (replaced instanceof Tensor) {
      if (!sameShape(replaced.shape, g.shape)) {
        throw new DlError(`registerHook: a hook returned shape ${fmt(replaced.shape)} for a gradient of shape ${fmt(g.shape)}`);
      }
      g = replaced;
    }
  }
  return g;
}

/**
 * The engine behind `Tensor.backward` and `gradients`: propagates `rootGrads` from `roots` back through
 * the tape. Without `inputs` it accumulates into the `.grad` of leaves that require grad (and of
 * tensors that `retainGrad`); with `inputs` it returns their gradients (null where unreached) and
 * leaves every `.grad` alone.
 */
export function runBackward(roots: readonly Tensor[], rootGrads: readonly Tensor[], opts: EngineOptions = {}): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const grads = new Map<Tensor, Tensor>();
  // A rule may hand the same tensor to several inputs (add gives [grad, grad]) or pass the caller's
  // gradient through, so a fresh .grad gets its own copy: updating one grad in place (optimizers do)
  // must not change another, as PyTorch's AccumulateGrad clones a gradient it does not own.
  const store = (prev: Tensor | null, g: Tensor): Tensor => {
    const own = createGraph ? g : g.detach();
    return prev === null ? clone(own) : add(prev, own);
  };
  // How often each gradient's storage was handed to a tensor: a leaf may keep a gradient as its .grad
  // without the copy only when an op allocated that storage during this backward (so it is no forward
  // value and no root gradient, which existed before) and it went to this leaf alone (PyTorch's
  // AccumulateGrad steals a gradient nobody else holds).
  const handed = new Map<TypedArray | GpuArray, number>();
  const fresh = new Set<TypedArray | GpuArray>();
  // The sums this pass made and nobody else has seen: further gradients are added into them in place
  // (PyTorch's InputBuffer), instead of allocating a sum per gradient. Not when the backward is recorded.
  const sums = new Set<Tensor>();
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = grads.get(t);
    // Only storage allocated during this pass can become a leaf's own gradient (see storeLeaf).
    if (fresh.has(g.storage)) handed.set(g.storage, (handed.get(g.storage) ?? 0) + 1);
    if (prev === undefined) {
      grads.set(t, g);
    } else if (sums.has(prev) && g.device === 'cpu' && g.dtype === prev.dtype && sameShape(g.shape, prev.shape)) {
      k.addInto(prev.data, g.data);
    } else {
      const sum = add(prev, g);
      grads.set(t, sum);
      if (!createGraph && sum.device === 'cpu') sums.add(sum);
    }
  };
  const storeLeaf = (t: Tensor, g0: Tensor): Tensor => {
    const g = applyHooks(t, g0);
    const b = g.storage;
    const owned = t.grad === null && !createGraph && g === g0 && g.gradFn === null && fresh.has(b) && (handed.get(b) ?? 0) <= 1;
    return owned ? g : store(t.grad, g);
  };
  const outer = collectFreshStorage(fresh);
  try {
    return backwardPass();
  } finally {
    collectFreshStorage(outer);
  }
  function backwardPass(): (Tensor | null)[] {
  return withGradMode(createGraph, () => {
    roots.forEach((r, i) => accumulate(r, rootGrads[i]!));
    const order = reverseTopo(roots);
    const wanted = opts.inputs ? new Set(opts.inputs) : null;
    for (const t of order) {
      const node = t.gradFn!;
      let g = grads.get(t);
      if (g === undefined) continue;
      g = applyHooks(t, g);
      if (wanted === null && t.retainsGrad) t.grad = store(t.grad, g);
      if (wanted?.has(t)) grads.set(t, g);
      else grads.delete(t);
      // The rule may hand this gradient on as it is, so it is no longer the engine's alone.
      sums.delete(g);
      if (node.freed) {
        throw new DlError(
          `backward: trying to backward through the graph a second time (through '${node.op}'); ` +
            'its saved values were freed by the first backward. Pass { retainGraph: true } to the first backward.',
        );
      }
      checkVersions(node, t);
      const inputGrads = isAnomalyEnabled() ? runRule(() => node.backward(g!)) : node.backward(g);
      const inputs = node.inputs;
      if (!retainGraph) node.free();
      for (let i = 0; i < inputs.length; i++) {
        const x = inputs[i]!;
        const gi = inputGrads[i];
        if (!node.needsInputGrad[i] || gi === null || gi === undefined) continue;
        if (gi.dtype !== x.dtype || (!sameShape(gi.shape, x.shape) && !expandsTo(x.shape, gi.shape))) {
          throw new DlError(
            `backward: the rule of '${node.op}' returned a ${gi.dtype} gradient of shape ${fmt(gi.shape)} ` +
              `for input ${i}, a ${x.dtype} tensor of shape ${fmt(x.shape)}` +
              (gi.dtype !== x.dtype && x.isLeaf ? ' (was it converted in place, e.g. by model.double(), after the forward? run the forward again)' : ''),
          );
        }
        const reduced = sameShape(gi.shape, x.shape) ? gi : sumToShape(gi, x.shape);
        if (isAnomalyEnabled()) checkAnomaly(node.op, reduced, node.stack, i);
        accumulate(x, reduced);
      }
    }
    if (wanted !== null) return opts.inputs!.map((x) => (x.gradFn === null && grads.has(x) ? applyHooks(x, grads.get(x)!) : grads.get(x) ?? null));
    for (const [t, g0] of grads) {
      if (t.gradFn !== null || !t.requiresGrad) continue;
      t.grad = storeLeaf(t, g0);
    }
    return [];
  });
  }
}
