// Norms, bmm and einsum. norm's forward is one kernel; einsum is composed from diagonals, sums,
// permutes and batched matmuls, so it is differentiable to any order.
import { DlError } from '../checks/error.js';
import { Tensor } from '../tensor.js';
import { zerosLike } from '../creation.js';
import { defineOp } from '../op.js';
import { k } from '../kernels/index.js';
import { fmt, normalizeDims, numel, stridesOf, type Shape } from '../shape.js';
import { abs, div, mul, pow, sign, sqrt, where } from './elementwise.js';
import { eq, ne } from './compare.js';
import { max, min, sum } from './reduce.js';
import { matmul } from './linalg.js';
import { permute, reshape } from './movement.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

/** Options of `norm`. */
export interface NormOptions {
  /** The order: a number (2 by default; ±Infinity for the largest or smallest |x|, 0 for the count of non-zeros), or 'fro' (the 2-norm). */
  p?: number | 'fro';
  /** The dims to reduce (all when omitted). */
  dim?: number | readonly number[];
  keepdim?: boolean;
}

const keptShape = (shape: Shape, dims: readonly number[]) => shape.map((s, i) => (dims.includes(i) ? 1 : s));

/**
 * The p-norm over `dim` (all dims when omitted): (Σ|x|ᵖ)^(1/p), as PyTorch's `norm` /
 * `linalg.vector_norm`; its gradient is 0 where the norm is 0, as PyTorch's.
 * @example norm(x, { dim: 1, keepdim: true }) // row lengths
 */
export const norm = defineOp({
  name: 'norm',
  params: [['x', K.tensor], ['options', opts({ p: K.union(K.number, K.oneOf('fro')), dim: K.dims, keepdim: K.bool }, { positional: ['p', 'dim', 'keepdim'] })]],
  call: (x: Tensor, options: NormOptions = {}) => {
    const p = options.p === undefined || options.p === 'fro' ? 2 : options.p;
    if (typeof p !== 'number' || Number.isNaN(p)) {
      throw new DlError(`norm: p must be a number, ±Infinity or 'fro', got ${JSON.stringify(options.p)} ('nuc' and matrix norms are not supported)`);
    }
    const dims = x.ndim === 0 ? [] : normalizeDims('norm', options.dim, x.ndim);
    return [[x], { p, dims, keepdim: options.keepdim ?? false }];
  },
  forward: ([x], { p, dims, keepdim }) => {
    const shape = x.shape;
    const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
    const order = [...kept, ...dims];
    const strides = stridesOf(shape);
    const moved = k.stridedCopy(x.data, 0, order.map((d) => shape[d]!), order.map((d) => strides[d]!));
    const n = numel(dims.map((d) => shape[d]!));
    const data = k.pnormRows(moved, numel(kept.map((d) => shape[d]!)), n, p);
    return { data, shape: keepdim ? keptShape(shape, dims) : kept.map((d) => shape[d]!) };
  },
  // On the GPU, composed of ops over the reduced dims moved last and flattened (without the CPU kernel's
  // scaling against overflow: a 2-norm of values beyond ~1e19 overflows f32 there).
  webgpu: ([x], { p, dims, keepdim }) => {
    const shape = x.shape;
    const kept = shape.map((_, i) => i).filter((i) => !dims.includes(i));
    const a = reshape(permute(abs(x), [...kept, ...dims]), [...kept.map((d) => shape[d]!), numel(dims.map((d) => shape[d]!))]);
    let r: Tensor;
    if (p === 2) r = sqrt(sum(mul(a, a), { dim: -1 }));
    else if (p === 1) r = sum(a, { dim: -1 });
    else if (p === Infinity) r = max(a, { dim: -1 }).values;
    else if (p === -Infinity) r = min(a, { dim: -1 }).values;
    else if (p === 0) r = sum(ne(a, 0).to(x.dtype), { dim: -1 });
    else r = pow(sum(pow(a, p), { dim: -1 }), 1 / p);
    return reshape(r, keepdim ? keptShape(shape, dims) : kept.map((d) => shape[d]!));
  },
  // PyTorch's rules, with a gradient of 0 where the norm is 0; denominators are made safe before
  // masking, so no NaN reaches the second-order graph either.
  backward: ({ grad, inputs: [x], output, attrs: { p, dims } }) => {
    const kept = keptShape(x.shape, dims);
    const g = reshape(grad, kept);
    const nrm = reshape(output, kept);
    if (p === 0) return [zerosLike(x)];
    if (p === 1) return [mul(g, sign(x))];
    if (p === Infinity || p === -Infinity) {
      const hit = eq(abs(x), nrm).to(x.dtype);
      return [mul(mul(g, sign(x)), div(hit, sum(hit, { dim: dims, keepdim: true })))];
    }
    const zero = eq(nrm, 0);
    const scale = where(zero, 0, div(g, p === 2 ? where(zero, 1, nrm) : pow(where(zero, 1, nrm), p - 1)));
    if (p === 2) return [mul(x, scale)];
    const xZero = eq(x, 0);
    const scaled = where(xZero, 0, mul(sign(x), pow(where(xZero, 1, abs(x)), p - 1)));
    return [mul(scaled, scale)];
  },
});

/** Batched matrix product of two 3-D tensors with the same batch size: [b, n, m] · [b, m, p] → [b, n, p]. */
export const bmm = api(sig('bmm', ['a', K.tensor], ['b', K.tensor]), function bmm(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new DlError('bmm: expects two tensors');
  if (a.ndim !== 3 || b.ndim !== 3) throw new DlError(`bmm: expects two 3-D tensors, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new DlError(`bmm: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (batch sizes must match, and a's last dim must equal b's middle one)`);
  }
  return matmul(a, b);
});

/** One operand of einsum and its letters, one per dim. */
interface Term {
  x: Tensor;
  letters: string[];
}

function parseEinsum(equation: string, count: number): { inputs: string[][]; output: string[] } {
  const eqn = equation.replace(/\s+/g, '');
  if (eqn.includes('.')) throw new DlError(`einsum: ellipsis '...' is not supported (equation '${equation}'); name every dim with a letter`);
  const [lhs, rhs, extra] = eqn.split('->');
  if (extra !== undefined || !/^[a-zA-Z,]*$/.test(lhs!) || (rhs !== undefined && !/^[a-zA-Z]*$/.test(rhs))) {
    throw new DlError(`einsum: invalid equation '${equation}' (expected letters, commas and at most one '->', e.g. 'ij,jk->ik')`);
  }
  const inputs = lhs!.split(',').map((s) => [...s]);
  if (inputs.length !== count) throw new DlError(`einsum: equation '${equation}' has ${inputs.length} operand(s) but ${count} tensor(s) were given`);
  let output: string[];
  if (rhs === undefined) {
    // Implicit output: the letters that appear once, in alphabetical order, as PyTorch and NumPy.
    const counts = new Map<string, number>();
    for (const l of inputs.flat()) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...counts].filter(([, c]) => c === 1).map(([l]) => l).sort();
  } else {
    output = [...rhs];
    const all = new Set(inputs.flat());
    for (const l of output) if (!all.has(l)) throw new DlError(`einsum: output letter '${l}' of '${equation}' does not appear in any operand`);
    if (new Set(output).size !== output.length) throw new DlError(`einsum: output letters of '${equation}' repeat`);
  }
  return { inputs, output };
}

/** Takes the diagonal of each letter repeated within a term (x_ii → d_i), keeping the first dim. */
function diagonals(t: Term): Term {
  let { x, letters } = t;
  for (;;) {
    const q = letters.findIndex((l, i) => letters.indexOf(l) !== i);
    if (q < 0) return { x, letters };
    const p = letters.indexOf(letters[q]!);
    const n = x.shape[p]!;
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    const maskShape = x.shape.map((s, i) => (i === p || i === q ? n : 1));
    const mask = new Tensor(x.dtype === 'float64' ? eye : Float32Array.from(eye), maskShape);
    x = sum(where(mask, x, 0), { dim: q });
    letters = letters.filter((_, i) => i !== q);
  }
}

/** Sums out the letters of a term that `keep` does not hold. */
function sumOut(t: Term, keep: Set<string>): Term {
  const dims = t.letters.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (dims.length === 0) return t;
  return { x: sum(t.x, { dim: dims }), letters: t.letters.filter((l) => keep.has(l)) };
}

/** Permutes a term so its letters come in `order`. */
function arrange(t: Term, order: readonly string[]): Tensor {
  const dims = order.map((l) => t.letters.indexOf(l));
  return dims.every((d, i) => d === i) ? t.x : permute(t.x, dims);
}

/** Contracts two terms with one batched matmul: [batch, left, contracted] · [batch, contracted, right]. */
function contract(a: Term, b: Term, later: Set<string>): Term {
  const inB = new Set(b.letters);
  const batch = a.letters.filter((l) => inB.has(l) && later.has(l));
  const summed = a.letters.filter((l) => inB.has(l) && !later.has(l));
  const left = a.letters.filter((l) => !inB.has(l));
  const right = b.letters.filter((l) => !a.letters.includes(l));
  const size = (t: Term, ls: readonly string[]) => ls.map((l) => t.x.shape[t.letters.indexOf(l)]!);
  const [sb, sl, sc, sr] = [size(a, batch), size(a, left), size(a, summed), size(b, right)];
  const am = reshape(arrange(a, [...batch, ...left, ...summed]), [numel(sb), numel(sl), numel(sc)]);
  const bm = reshape(arrange(b, [...batch, ...summed, ...right]), [numel(sb), numel(sc), numel(sr)]);
  return { x: reshape(matmul(am, bm), [...sb, ...sl, ...sr]), letters: [...batch, ...left, ...right] };
}

/**
 * Einstein summation over letters, as PyTorch's `einsum`: an explicit (`'ij,jk->ik'`) or implicit
 * (`'ij,jk'`) output, letters repeated within an operand (`'ii->i'`, the diagonal), contracted letters
 * and batch letters, any number of operands (contracted left to right). Not supported: `...`, and
 * size-1 dims broadcasting against larger ones.
 * @example einsum('bij,bjk->bik', a, b) // bmm
 */
export const einsum = api(sig('einsum', ['equation', K.string], ['...operands', K.union(K.tensor, K.list(K.tensor))]), function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor {
  const xs: readonly Tensor[] = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : (operands as Tensor[]);
  if (typeof equation !== 'string') throw new DlError('einsum: the first argument must be the equation string');
  if (xs.length === 0) throw new DlError('einsum: expects at least one operand');
  const { inputs, output } = parseEinsum(equation, xs.length);
  const sizes = new Map<string, number>();
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new DlError(`einsum: operand ${i} is not a tensor`);
    if (x.dtype !== xs[0]!.dtype) throw new DlError(`einsum: dtypes ${xs[0]!.dtype} and ${x.dtype} differ`);
    if (inputs[i]!.length !== x.ndim) {
      throw new DlError(`einsum: operand ${i} has ${x.ndim} dim(s) (shape ${fmt(x.shape)}) but '${inputs[i]!.join('')}' names ${inputs[i]!.length}`);
    }
    inputs[i]!.forEach((l, d) => {
      const s = sizes.get(l);
      if (s !== undefined && s !== x.shape[d]) {
        throw new DlError(`einsum: letter '${l}' has sizes ${s} and ${x.shape[d]} in '${equation}' (broadcasting size-1 dims is not supported)`);
      }
      sizes.set(l, x.shape[d]!);
    });
  });
  const lettersAfter = (i: number) => new Set([...output, ...inputs.slice(i + 1).flat()]);
  const terms = xs.map((x, i) => diagonals({ x, letters: inputs[i]! }));
  // Letters that only one operand has and the output lacks are summed out at once.
  let cur = sumOut(terms[0]!, new Set([...lettersAfter(0)]));
  for (let i = 1; i < terms.length; i++) {
    const later = lettersAfter(i);
    const b = sumOut(terms[i]!, new Set([...later, ...cur.letters]));
    cur = contract(sumOut(cur, new Set([...later, ...b.letters])), b, later);
  }
  cur = sumOut(cur, new Set(output));
  return reshape(arrange(cur, output), output.map((l) => sizes.get(l)!));
});
