import { DlError } from '../checks/error.js';
// Fused recurrent ops: the LSTM and GRU cells, and a whole recurrent layer over a sequence (one op per
// layer and direction). Forward and first-order backward run in kernels/cpu/recurrent.ts; under
// `createGraph` the backward is the tape's derivative of the same function composed from basic ops
// (the `*Reference` functions), lifted onto the op's inputs so it can be differentiated again.
import { Tensor } from '../tensor.js';
import { allocate, type FloatArray } from '../dtype.js';
import { zeros } from '../creation.js';
import { defineOp, defineOpWithAux, type Op, type OpInputs, type OpWithAux } from '../op.js';
import { k, type CellMode, type RecurrentDims, type RecurrentSaved } from '../kernels/index.js';
import { withGradMode, isGradEnabled } from '../tape.js';
import { gradients } from '../functional.js';
import { fmt } from '../shape.js';
import { operands } from './broadcast.js';
import { add, mul, sub } from './elementwise.js';
import { relu, sigmoid, tanh } from './activation.js';
import { matmul } from './linalg.js';
import { cat, chunk, reshape, slice, stack, transpose, unsqueeze } from './movement.js';
import { api, sig } from '../checks/guard.js';
import * as K from '../checks/kinds.js';
import { options as opts } from '../checks/options.js';

export type { CellMode as RecurrentMode } from '../kernels/index.js';

interface Lifted {
  value: Tensor;
  local: Tensor[];
}

// `value` is a tensor of a private graph over `local` (detached copies of the op's inputs and upstream
// gradient); this op shows it on the main tape as a function of the real ones, to any order.
const liftOp: Op<Lifted> = defineOp<Lifted>({
  name: 'recurrentBackward',
  saves: 'inputs',
  forward: (_inputs, { value }) => ({ data: value.data, shape: value.shape }),
  webgpu: (_inputs, { value }) => ({ data: value.storage, shape: value.shape }),
  backward: ({ grad, inputs, attrs: { value, local }, needsInputGrad }) => {
    if (!value.requiresGrad) return inputs.map(() => null);
    const u = grad.detach().requiresGrad_(true);
    const gs = gradients([value], local, { gradOutputs: [u], createGraph: true, allowUnused: true });
    return gs.map((g, i) => (needsInputGrad[i] ? liftOp([...inputs, grad], { value: g, local: [...local, u] }) : null));
  },
});

/** The vector-Jacobian product of `f` at `inputs` for `grad`, recorded as ops on `inputs` and `grad`. */
function composedVjp(f: (xs: Tensor[]) => Tensor, inputs: Tensor[], grad: Tensor, needs: boolean[]): (Tensor | null)[] {
  return withGradMode(true, () => {
    const local = [...inputs, grad].map((t) => t.detach().requiresGrad_(true));
    const value = f(local.slice(0, -1));
    const wrt = local.slice(0, -1).filter((_, i) => needs[i]);
    const gs = gradients([value], wrt, { gradOutputs: [local[local.length - 1]!], createGraph: true, allowUnused: true });
    let j = 0;
    return needs.map((n) => (n ? liftOp([...inputs, grad], { value: gs[j++]!, local }) : null));
  });
}

/** A float tensor's values: defineOp has converted int32 and bool inputs to float before any forward runs. */
function floats(t: Tensor): FloatArray {
  const d = t.data;
  if (d instanceof Float32Array || d instanceof Float64Array) return d;
  throw new DlError('recurrent', `expected a float tensor, got dtype ${t.dtype}`);
}

/** A zero-filled float array of `n` elements with `t`'s dtype. */
function floatLike(t: Tensor, n: number): FloatArray {
  return allocate(t.data instanceof Float64Array ? 'float64' : 'float32', n) as FloatArray;
}

function raw(data: ArrayLike<number> & { length: number }, shape: number[], like: Tensor): Tensor {
  const out = allocate(like.dtype, data.length);
  out.set(data);
  return new Tensor(out, shape).to(like.device);
}

/** LSTM cell from basic ops: pre [N,4H] (gates i,f,g,o) and cPrev [N,H] → [h, c]. The fused `lstmCell`'s reference. */
export const lstmCellReference = api(sig('lstmCellReference', ['pre', K.tensor], ['cPrev', K.tensor]), function lstmCellReference(pre: Tensor, cPrev: Tensor): [Tensor, Tensor] {
  const [i, f, g, o] = chunk(pre, 4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const c = add(mul(sigmoid(f), cPrev), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(c)), c];
});

/** GRU cell from basic ops: xg, hg [N,3H] (blocks r,z,n) and hPrev [N,H] → h. The fused `gruCell`'s reference. */
export const gruCellReference = api(sig('gruCellReference', ['xg', K.tensor], ['hg', K.tensor], ['hPrev', K.tensor]), function gruCellReference(xg: Tensor, hg: Tensor, hPrev: Tensor): Tensor {
  const [xr, xz, xn] = chunk(xg, 3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = chunk(hg, 3, 1) as [Tensor, Tensor, Tensor];
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  return add(mul(sub(1, z), n), mul(z, hPrev));
});

function checkCell(op: string, x: Tensor, blocks: number, state: Tensor, name: string): [number, number] {
  if (state.ndim !== 2) throw new DlError(`${op}: ${name} must be 2-D [N, H], got shape ${fmt(state.shape)}`);
  const [N, H] = state.shape as [number, number];
  if (x.ndim !== 2 || x.shape[0] !== N || x.shape[1] !== blocks * H) {
    throw new DlError(`${op}: gates must have shape [${N},${blocks * H}] for ${name} of shape ${fmt(state.shape)}, got ${fmt(x.shape)}`);
  }
  return [N, H];
}

const lstmCellOp = defineOp<undefined, [pre: Tensor, cPrev: Tensor]>({
  name: 'lstmCell',
  saves: 'inputs',
  forward: ([pre, cPrev]) => {
    const [N, H] = cPrev.shape as [number, number];
    const out = floatLike(pre, 2 * N * H);
    const c = out.subarray(N * H);
    k.lstmCellInto(floats(pre), floats(cPrev), floatLike(pre, 4 * N * H), c, out.subarray(0, N * H), N, H);
    return { data: out, shape: [2, N, H] };
  },
  // Off the CPU the cell is its reference composition, forward and (through it) backward.
  webgpu: ([pre, cPrev]) => stack(lstmCellReference(pre, cPrev), 0),
  backward: ({ grad, inputs, needsInputGrad }) => {
    const f = ([p, cp]: Tensor[]) => stack(lstmCellReference(p!, cp!), 0);
    if (isGradEnabled() || grad.device !== 'cpu') return composedVjp(f, inputs, grad, needsInputGrad);
    const [pre, cPrev] = inputs as [Tensor, Tensor];
    const [N, H] = cPrev.shape as [number, number];
    // Recomputing the activations costs less than keeping them.
    const act = floatLike(pre, 4 * N * H);
    const tc = floatLike(pre, N * H);
    k.lstmCellInto(floats(pre), floats(cPrev), act, floatLike(pre, N * H), floatLike(pre, N * H), N, H, tc);
    const dPre = floatLike(pre, 4 * N * H);
    const dcPrev = floatLike(pre, N * H);
    const g = floats(grad);
    k.lstmCellBackwardInto(act, floats(cPrev), tc, g.subarray(0, N * H), g.subarray(N * H), dPre, dcPrev, N, H);
    return [new Tensor(dPre, pre.shape), new Tensor(dcPrev, cPrev.shape)];
  },
});

/**
 * The LSTM cell's gate math as one fused op: pre-activation gates [N,4H] (i,f,g,o, as PyTorch's
 * x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) and cPrev [N,H] → [h, c] with c = σ(f)·cPrev + σ(i)·tanh(g),
 * h = σ(o)·tanh(c).
 * @example const [h, c] = lstmCell(add(linear(x, wIh, bIh), linear(h0, wHh, bHh)), c0);
 */
export const lstmCell = api(sig('lstmCell', ['gates', K.tensor], ['cPrev', K.tensor]), function lstmCell(gates: Tensor, cPrev: Tensor): [Tensor, Tensor] {
  const [pre, cp] = operands('lstmCell', gates, cPrev) as [Tensor, Tensor];
  checkCell('lstmCell', pre, 4, cp, 'cPrev');
  const hc = lstmCellOp([pre, cp], undefined);
  const [N, H] = cp.shape as [number, number];
  return [reshape(slice(hc, 0, 0, 1), [N, H]), reshape(slice(hc, 0, 1, 2), [N, H])];
});

/**
 * The GRU cell's gate math as one fused op: xg = x·W_ihᵀ + b_ih and hg = hPrev·W_hhᵀ + b_hh, both
 * [N,3H] (r,z,n), and hPrev [N,H] → h = (1−z)·n + z·hPrev with n = tanh(x_n + r·h_n), as PyTorch.
 * @example const h = gruCell(linear(x, wIh, bIh), linear(h0, wHh, bHh), h0);
 */
export const gruCell = defineOp({
  name: 'gruCell',
  params: [['xGates', K.tensor], ['hGates', K.tensor], ['hPrev', K.tensor]],
  call: (xGates: Tensor, hGates: Tensor, hPrev: Tensor) => {
    const [xg, hg, hp] = operands('gruCell', xGates, hGates, hPrev) as [Tensor, Tensor, Tensor];
    checkCell('gruCell', xg, 3, hp, 'hPrev');
    checkCell('gruCell', hg, 3, hp, 'hPrev');
    return [[xg, hg, hp], undefined];
  },
  saves: 'inputs',
  forward: ([xg, hg, hPrev]) => {
    const [N, H] = hPrev.shape as [number, number];
    const h = floatLike(xg, N * H);
    k.gruCellInto(floats(xg), floats(hg), floats(hPrev), floatLike(xg, 3 * N * H), floatLike(xg, N * H), h, N, H);
    return { data: h, shape: [N, H] };
  },
  webgpu: ([xg, hg, hPrev]) => gruCellReference(xg, hg, hPrev),
  backward: ({ grad, inputs, needsInputGrad }) => {
    if (isGradEnabled() || grad.device !== 'cpu') return composedVjp(([a, b, c]) => gruCellReference(a!, b!, c!), inputs, grad, needsInputGrad);
    const [xg, hg, hPrev] = inputs as [Tensor, Tensor, Tensor];
    const [N, H] = hPrev.shape as [number, number];
    const act = floatLike(xg, 3 * N * H);
    const hn = floatLike(xg, N * H);
    k.gruCellInto(floats(xg), floats(hg), floats(hPrev), act, hn, floatLike(xg, N * H), N, H);
    const dXg = floatLike(xg, 3 * N * H);
    const dHg = floatLike(xg, 3 * N * H);
    const dh = floatLike(xg, N * H);
    k.gruCellBackwardInto(act, hn, floats(hPrev), floats(grad), dXg, dHg, dh, N, H);
    return [new Tensor(dXg, xg.shape), new Tensor(dHg, hg.shape), new Tensor(dh, hPrev.shape)];
  },
});

/** Options of `recurrentLayer`. */
export interface RecurrentLayerOptions {
  /** The cell: `'lstm'`, `'gru'`, `'rnnTanh'` or `'rnnRelu'`. */
  mode: CellMode;
  /** Run from the last step to the first (the reverse direction of a bidirectional layer). */
  reverse?: boolean;
  /** Each sequence's length (1 to T), for a padded batch; every sequence has T steps when omitted. */
  lengths?: readonly number[] | Int32Array | null;
}

/** A recurrent layer's results: outputs [T,N,H], final hidden state [N,H], final cell state (LSTM) [N,H]. */
export interface RecurrentLayerResult {
  output: Tensor;
  hN: Tensor;
  cN: Tensor | null;
}

interface LayerAttrs {
  mode: CellMode;
  dims: RecurrentDims;
}

/** The layer from basic ops, one step at a time: the fused `recurrentLayer`'s reference, packed as [T+1 or T+2, N, H]. */
function layerReference([xProj, wHh, bHh, h0, c0]: OpInputs, mode: CellMode, dims: RecurrentDims): Tensor {
  const { T, N, lengths } = dims;
  const G = xProj!.shape[2]!;
  const wT = transpose(wHh!, 0, 1);
  let h = h0!;
  let c: Tensor | null = c0 ?? null;
  const outs: Tensor[] = new Array<Tensor>(T);
  for (let s = 0; s < T; s++) {
    const t = dims.reverse ? T - 1 - s : s;
    const x = reshape(slice(xProj!, 0, t, t + 1), [N, G]);
    const hg = add(matmul(h, wT), bHh!);
    let hNew: Tensor;
    let cNew: Tensor | null = null;
    if (mode === 'lstm') {
      const hc: [Tensor, Tensor] = lstmCellReference(add(x, hg), c!);
      hNew = hc[0];
      cNew = hc[1];
    } else if (mode === 'gru') hNew = gruCellReference(x, hg, h);
    else hNew = mode === 'rnnRelu' ? relu(add(x, hg)) : tanh(add(x, hg));
    if (lengths === null) {
      h = hNew;
      c = cNew;
      outs[t] = hNew;
    } else {
      const m = raw(Array.from(lengths, (l) => (t < l ? 1 : 0)), [N, 1], xProj!);
      const keep = (a: Tensor, b: Tensor) => add(mul(a, m), mul(b, sub(1, m)));
      h = keep(hNew, h);
      if (cNew !== null) c = keep(cNew, c!);
      outs[t] = mul(hNew, m);
    }
  }
  return cat([stack(outs, 0), unsqueeze(h, 0), ...(c === null ? [] : [unsqueeze(c, 0)])], 0);
}

/** The same function as `recurrentLayer`, composed from basic ops step by step (slow; for tests and reference). */
export const recurrentLayerReference = api(sig('recurrentLayerReference', ['xProj', K.tensor], ['wHh', K.tensor], ['bHh', K.nullable(K.tensor)], ['h0', K.tensor], ['c0', K.nullable(K.tensor)], ['options', K.required(opts({ mode: K.oneOf('lstm', 'gru', 'rnnTanh', 'rnnRelu'), reverse: K.bool, lengths: K.any }))]), function recurrentLayerReference(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor | null, options: RecurrentLayerOptions,
): RecurrentLayerResult {
  const { inputs, attrs } = layerArgs(xProj, wHh, bHh, h0, c0, options);
  return unpack(layerReference(inputs, attrs.mode, attrs.dims), attrs.dims, options.mode === 'lstm');
});

/** The layer op's inputs: the input projection, the recurrent weight and bias, the first state (and cell, for an LSTM). */
type LayerInputs = [xProj: Tensor, wHh: Tensor, bHh: Tensor, h0: Tensor, c0?: Tensor];

// Its aux is the forward's per-step activations, which the CPU backward reads (null off the CPU, where the
// layer is its step-by-step composition, a few kernels per step, forward and backward).
const layerOp: OpWithAux<LayerAttrs, LayerInputs, RecurrentSaved | null> = defineOpWithAux<LayerAttrs, LayerInputs, RecurrentSaved | null>({
  name: 'recurrentLayer',
  saves: 'inputs',
  forward: ([xProj, wHh, bHh, h0, c0], attrs) => {
    const c = c0 === undefined ? null : floats(c0);
    const { out, saved } = k.recurrentForward(attrs.mode, floats(xProj), floats(wHh), floats(bHh), floats(h0), c, attrs.dims);
    const { T, N, H } = attrs.dims;
    return { data: out, shape: [T + (c0 === undefined ? 1 : 2), N, H], aux: saved };
  },
  webgpu: (inputs, attrs) => {
    const out = layerReference(inputs, attrs.mode, attrs.dims);
    return { data: out.storage, shape: out.shape, aux: null };
  },
  backward: ({ grad, inputs, attrs, needsInputGrad, aux: saved }) => {
    if (isGradEnabled() || grad.device !== 'cpu' || saved === null) return composedVjp((xs) => layerReference(xs, attrs.mode, attrs.dims), inputs.filter((t) => t !== undefined), grad, needsInputGrad);
    const { T, N } = attrs.dims;
    const [xProj, wHh, bHh, h0, c0] = inputs;
    const g = k.recurrentBackward(attrs.mode, floats(grad), floats(wHh), saved, attrs.dims);
    const G = xProj.shape[2]!;
    return [
      new Tensor(g.dxProj, [T, N, G]), new Tensor(g.dwHh, wHh.shape), new Tensor(g.dbHh, bHh.shape),
      new Tensor(g.dh0, h0.shape), ...(c0 === undefined ? [] : [new Tensor(g.dc0!, c0.shape)]),
    ];
  },
});

function layerArgs(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor | null, options: RecurrentLayerOptions,
): { inputs: LayerInputs; attrs: LayerAttrs } {
  const op = 'recurrentLayer';
  const mode = options.mode;
  if (!['lstm', 'gru', 'rnnTanh', 'rnnRelu'].includes(mode)) throw new DlError(`${op}: mode must be 'lstm', 'gru', 'rnnTanh' or 'rnnRelu', got '${String(mode)}'`);
  if (xProj.ndim !== 3) throw new DlError(`${op}: xProj must be 3-D [T, N, G·H], got shape ${fmt(xProj.shape)}`);
  if (h0.ndim !== 2) throw new DlError(`${op}: h0 must be 2-D [N, H], got shape ${fmt(h0.shape)}`);
  const [T, N] = xProj.shape as [number, number];
  const H = h0.shape[1]!;
  const G = k.gateCount(mode) * H;
  if (h0.shape[0] !== N) throw new DlError(`${op}: h0 must have shape [${N},${H}], got ${fmt(h0.shape)}`);
  if (xProj.shape[2] !== G) throw new DlError(`${op}: xProj must have shape [${T},${N},${G}] for hidden size ${H}, got ${fmt(xProj.shape)}`);
  if (wHh.ndim !== 2 || wHh.shape[0] !== G || wHh.shape[1] !== H) throw new DlError(`${op}: wHh must have shape [${G},${H}], got ${fmt(wHh.shape)}`);
  if (bHh !== null && (bHh.ndim !== 1 || bHh.shape[0] !== G)) throw new DlError(`${op}: bHh must have shape [${G}], got ${fmt(bHh.shape)}`);
  if ((mode === 'lstm') !== (c0 !== null)) throw new DlError(`${op}: c0 is ${mode === 'lstm' ? 'required for' : 'only for'} mode 'lstm'`);
  if (c0 !== null && (c0.ndim !== 2 || c0.shape[0] !== N || c0.shape[1] !== H)) throw new DlError(`${op}: c0 must have shape [${N},${H}], got ${fmt(c0.shape)}`);
  let lengths: Int32Array | null = null;
  if (options.lengths !== undefined && options.lengths !== null) {
    const ls = options.lengths;
    if (ls.length !== N) throw new DlError(`${op}: lengths has ${ls.length} entries for a batch of ${N}`);
    lengths = new Int32Array(N);
    for (let b = 0; b < N; b++) {
      const l = ls[b]!;
      if (!Number.isInteger(l) || l < 0 || l > T) throw new DlError(`${op}: lengths[${b}] = ${l} must be an integer in [0, ${T}]`);
      lengths[b] = l;
    }
  }
  const bias = bHh ?? zeros([G], { dtype: xProj.dtype, device: xProj.device });
  const tensors: LayerInputs = c0 === null ? operands(op, xProj, wHh, bias, h0) : operands(op, xProj, wHh, bias, h0, c0);
  return { inputs: tensors, attrs: { mode, dims: { T, N, H, reverse: options.reverse ?? false, lengths } } };
}

function unpack(packed: Tensor, { T, N, H }: RecurrentDims, lstm: boolean): RecurrentLayerResult {
  return {
    output: slice(packed, 0, 0, T),
    hN: reshape(slice(packed, 0, T, T + 1), [N, H]),
    cN: lstm ? reshape(slice(packed, 0, T + 1, T + 2), [N, H]) : null,
  };
}

/**
 * One recurrent layer and direction over a whole sequence as ONE fused op (per step: one product
 * h·W_hhᵀ and the cell's gate math, in a loop over typed arrays; the backward is backpropagation
 * through time in the same style). xProj [T,N,G·H] is the input projection x·W_ihᵀ + b_ih for all
 * steps at once (G = 4 for LSTM, 3 for GRU, 1 for RNN), wHh [G·H,H], bHh [G·H] or null, h0 and (LSTM)
 * c0 [N,H]. With `lengths`, a sequence past its length outputs zeros and keeps its state (PyTorch's
 * packed sequences), and the reverse direction starts at each sequence's own last step.
 * @example const { output, hN, cN } = recurrentLayer(xProj, wHh, bHh, h0, c0, { mode: 'lstm' });
 */
export const recurrentLayer = api(sig('recurrentLayer', ['xProj', K.tensor], ['wHh', K.tensor], ['bHh', K.nullable(K.tensor)], ['h0', K.tensor], ['c0', K.nullable(K.tensor)], ['options', K.required(opts({ mode: K.oneOf('lstm', 'gru', 'rnnTanh', 'rnnRelu'), reverse: K.bool, lengths: K.any }))]), function recurrentLayer(
  xProj: Tensor, wHh: Tensor, bHh: Tensor | null, h0: Tensor, c0: Tensor | null, options: RecurrentLayerOptions,
): RecurrentLayerResult {
  const { inputs, attrs } = layerArgs(xProj, wHh, bHh, h0, c0, options);
  return unpack(layerOp(inputs, attrs).output, attrs.dims, options.mode === 'lstm');
});
