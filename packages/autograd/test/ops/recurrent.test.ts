import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cat, gradcheck, gradgradcheck, gradients, gruCell, gruCellReference, lstmCell, lstmCellReference, recurrentLayer,
  recurrentLayerReference, reshape, setBackend, tensor, zeros, type BackendName, type RecurrentMode, type Tensor,
} from '@dl/autograd';
import { arbTensor } from '@dl/autograd/testing';

const modes: RecurrentMode[] = ['lstm', 'gru', 'rnnTanh', 'rnnRelu'];
const gates = (m: RecurrentMode) => (m === 'lstm' ? 4 : m === 'gru' ? 3 : 1);

function expectNear(a: Tensor, b: Tensor, tol = 1e-12): void {
  expect([...a.shape]).toEqual([...b.shape]);
  a.data.forEach((v, i) => expect(Math.abs(v - b.data[i]!), `element ${i}: ${v} vs ${b.data[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b.data[i]!))));
}

/** A random layer problem: mode, sizes, lengths (or none), direction, and float64 inputs. */
const arbLayer = fc
  .record({
    mode: fc.constantFrom(...modes),
    T: fc.integer({ min: 1, max: 4 }),
    N: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 3 }),
    reverse: fc.boolean(),
    ragged: fc.boolean(),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      lengths: s.ragged ? fc.array(fc.integer({ min: 1, max: s.T }), { minLength: s.N, maxLength: s.N }) : fc.constant(null),
      xProj: arbTensor([s.T, s.N, gates(s.mode) * s.H], { min: -2, max: 2 }),
      wHh: arbTensor([gates(s.mode) * s.H, s.H], { min: -1, max: 1 }),
      bHh: arbTensor([gates(s.mode) * s.H], { min: -1, max: 1 }),
      h0: arbTensor([s.N, s.H], { min: -1, max: 1 }),
      c0: arbTensor([s.N, s.H], { min: -1, max: 1 }),
    }),
  );
interface LayerCase {
  s: { mode: RecurrentMode; T: number; N: number; H: number; reverse: boolean };
  lengths: number[] | null;
  xProj: Tensor;
  wHh: Tensor;
  bHh: Tensor;
  h0: Tensor;
  c0: Tensor;
}

/** For rnnRelu: every pre-activation the layer computes is at least 1e-3 from relu's kink at 0. */
function offKink(p: LayerCase): boolean {
  if (p.s.mode !== 'rnnRelu') return true;
  const { T, N, H, reverse } = p.s;
  for (let b = 0; b < N; b++) {
    let h = Array.from(p.h0.data.subarray(b * H, (b + 1) * H));
    const len = p.lengths?.[b] ?? T;
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      const pre = h.map((_, j) => p.xProj.data[(t * N + b) * H + j]! + p.bHh.data[j]! + h.reduce((a, v, i) => a + v * p.wHh.data[j * H + i]!, 0));
      if (pre.some((v) => Math.abs(v) < 1e-3)) return false;
      h = pre.map((v) => Math.max(v, 0));
    }
  }
  return true;
}

/** The layer as one tensor (outputs, hN, cN concatenated) of its inputs, fused or composed. */
function layerFn(p: LayerCase, fused: boolean) {
  const lstm = p.s.mode === 'lstm';
  return (xProj: Tensor, wHh: Tensor, bHh: Tensor, h0: Tensor, c0?: Tensor): Tensor => {
    const run = fused ? recurrentLayer : recurrentLayerReference;
    const r = run(xProj, wHh, bHh, h0, lstm ? c0! : null, { mode: p.s.mode, reverse: p.s.reverse, lengths: p.lengths });
    const parts = [r.output, r.hN, ...(r.cN === null ? [] : [r.cN])].map((t) => reshape(t, [-1]));
    return cat(parts, 0);
  };
}
const layerInputs = (p: LayerCase) => [p.xProj, p.wHh, p.bHh, p.h0, ...(p.s.mode === 'lstm' ? [p.c0] : [])];

describe('recurrentLayer (fused)', () => {
  it('equals the step-by-step composition of basic ops: values and every input gradient (property)', () => {
    fc.assert(
      fc.property(arbLayer, (p) => {
        const ins = () => layerInputs(p).map((t) => t.detach().clone().requiresGrad_(true));
        const a = ins();
        const b = ins();
        const ya = layerFn(p, true)(...(a as [Tensor, Tensor, Tensor, Tensor]));
        const yb = layerFn(p, false)(...(b as [Tensor, Tensor, Tensor, Tensor]));
        expectNear(ya, yb);
        const v = ya.detach().clone();
        v.data.forEach((_, i) => (v.data[i] = Math.sin(i + 1)));
        ya.mul(v).sum().backward();
        yb.mul(v).sum().backward();
        a.forEach((t, i) => expectNear(t.grad!, b[i]!.grad!));
      }),
      { numRuns: 60 },
    );
  });

  it('gradcheck in float64 over modes, sizes, directions and lengths (property)', () => {
    fc.assert(fc.property(arbLayer.filter(offKink), (p) => gradcheck(layerFn(p, true), layerInputs(p))), { numRuns: 25 });
  });

  it('gradgradcheck: second-order gradients through the fused op (property)', () => {
    const small = arbLayer.filter((p) => p.s.T <= 3 && p.s.mode !== 'rnnRelu');
    fc.assert(fc.property(small, (p) => gradgradcheck(layerFn(p, true), layerInputs(p))), { numRuns: 6 });
  });

  it('a sequence past its length outputs zeros and keeps its state; the reverse direction starts at its own end', () => {
    const xProj = tensor([[[1], [1]], [[2], [2]], [[3], [3]]], { dtype: 'float64' });
    const w = zeros([1, 1], { dtype: 'float64' });
    const h0 = zeros([2, 1], { dtype: 'float64' });
    const f = recurrentLayer(xProj, w, null, h0, null, { mode: 'rnnRelu', lengths: [3, 1] });
    expect(Array.from(f.output.data)).toEqual([1, 1, 2, 0, 3, 0]);
    expect(Array.from(f.hN.data)).toEqual([3, 1]);
    const r = recurrentLayer(xProj, w, null, h0, null, { mode: 'rnnRelu', lengths: [3, 1], reverse: true });
    expect(Array.from(r.output.data)).toEqual([1, 1, 2, 0, 3, 0]);
    expect(Array.from(r.hN.data)).toEqual([1, 1]);
  });

  it.each(['lstm', 'gru'] as const)("float32 %s with a hidden size the wasm step takes (8): wasm gives js's outputs and gradients up to float32 rounding, both directions, ragged lengths; a row's values do not depend on the other rows' lengths", (mode) => {
    const [T, N, H, G] = [6, 3, 8, gates(mode)];
    const lstm = mode === 'lstm';
    const wave = (n: number, seed: number, scale: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.7) * scale);
    const make = () => [
      reshape(tensor(wave(T * N * G * H, 1, 1.5)), [T, N, G * H]), reshape(tensor(wave(G * H * H, 2, 0.4)), [G * H, H]),
      tensor(wave(G * H, 3, 0.3)), reshape(tensor(wave(N * H, 4, 0.5)), [N, H]), reshape(tensor(wave(N * H, 5, 0.5)), [N, H]),
    ].map((t) => t.requiresGrad_());
    // outputs, hN, (cN), then the gradients of xProj, wHh, bHh, h0 (and c0)
    const run = (backend: BackendName, reverse: boolean, lengths: number[] | undefined) => {
      setBackend(backend);
      try {
        const [xProj, w, b, h0, c0] = make() as [Tensor, Tensor, Tensor, Tensor, Tensor];
        const r = recurrentLayer(xProj, w, b, h0, lstm ? c0 : null, { mode, reverse, ...(lengths ? { lengths } : {}) });
        let loss = r.output.mul(r.output).sum().add(r.hN.sum());
        if (lstm) loss = loss.add(r.cN!.mul(0.5).sum());
        const leaves = lstm ? [xProj, w, b, h0, c0] : [xProj, w, b, h0];
        return [r.output, r.hN, ...(lstm ? [r.cN!] : []), ...gradients([loss], leaves)];
      } finally {
        setBackend('wasm');
      }
    };
    const states = lstm ? [1, 2] : [1];
    const dx = states.length + 1;
    const dStates = lstm ? [dx + 3, dx + 4] : [dx + 3];
    for (const reverse of [false, true]) {
      for (const lengths of [undefined, [6, 2, 4]]) {
        const [wasm, js] = [run('wasm', reverse, lengths), run('js', reverse, lengths)];
        wasm.forEach((t, i) => expectNear(t, js[i]!, 1e-5));
      }
      // Row 0 runs all six steps either way: its outputs, final state and gradients are the same bits.
      const [full, ragged] = [run('wasm', reverse, [6, 6, 6]), run('wasm', reverse, [6, 2, 4])];
      const row0 = (t: Tensor, width: number) => Array.from(t.data).filter((_, i) => Math.floor(i / width) % N === 0);
      expect(row0(ragged[0]!, H)).toEqual(row0(full[0]!, H));
      expect(row0(ragged[dx]!, G * H)).toEqual(row0(full[dx]!, G * H));
      for (const k of [...states, ...dStates]) expect(Array.from(ragged[k]!.data).slice(0, H)).toEqual(Array.from(full[k]!.data).slice(0, H));
    }
  });

  it('errors name the op and the shapes', () => {
    const x = zeros([2, 3, 8]);
    expect(() => recurrentLayer(x, zeros([8, 2]), null, zeros([3, 2]), null, { mode: 'lstm' })).toThrow(/recurrentLayer: c0 is required for mode 'lstm'/);
    expect(() => recurrentLayer(x, zeros([8, 2]), null, zeros([2, 2]), zeros([2, 2]), { mode: 'lstm' })).toThrow(/recurrentLayer: h0 must have shape \[3,2\], got \[2,2\]/);
    expect(() => recurrentLayer(x, zeros([8, 3]), null, zeros([3, 2]), zeros([3, 2]), { mode: 'lstm' })).toThrow(/wHh must have shape \[8,2\], got \[8,3\]/);
    expect(() => recurrentLayer(x, zeros([6, 2]), null, zeros([3, 2]), null, { mode: 'gru' })).toThrow(/xProj must have shape \[2,3,6\] for hidden size 2, got \[2,3,8\]/);
    expect(() => recurrentLayer(zeros([2, 3, 2]), zeros([2, 2]), null, zeros([3, 2]), null, { mode: 'rnnTanh', lengths: [1, 3, 2] })).toThrow(/lengths\[1\] = 3 must be an integer in \[0, 2\]/);
  });
});

describe('lstmCell and gruCell (fused)', () => {
  const arbCell = (blocks: number, extra: number) =>
    fc.record({ N: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 4 }) }).chain(({ N, H }) =>
      fc.tuple(...Array.from({ length: extra }, () => arbTensor([N, blocks * H], { min: -3, max: 3 })), arbTensor([N, H], { min: -2, max: 2 })),
    );
  const lstmFused = (g: Tensor, c: Tensor) => cat(lstmCell(g, c), 1);
  const lstmRef = (g: Tensor, c: Tensor) => cat(lstmCellReference(g, c), 1);

  it('equal their compositions of basic ops, values and gradients (property)', () => {
    fc.assert(
      fc.property(arbCell(4, 1), ([g, c]) => {
        expectNear(lstmFused(g!, c!), lstmRef(g!, c!));
        const seed = lstmRef(g!, c!).detach();
        const a = [g!, c!].map((t) => t.clone().requiresGrad_(true));
        const b = [g!, c!].map((t) => t.clone().requiresGrad_(true));
        const ga = gradients([lstmFused(a[0]!, a[1]!)], a, { gradOutputs: [seed] });
        const gb = gradients([lstmRef(b[0]!, b[1]!)], b, { gradOutputs: [seed] });
        ga.forEach((t, i) => expectNear(t, gb[i]!));
      }),
      { numRuns: 40 },
    );
    fc.assert(
      fc.property(arbCell(3, 2), ([x, h, hp]) => {
        expectNear(gruCell(x!, h!, hp!), gruCellReference(x!, h!, hp!));
        const a = [x!, h!, hp!].map((t) => t.clone().requiresGrad_(true));
        const b = [x!, h!, hp!].map((t) => t.clone().requiresGrad_(true));
        const seed = hp!.detach().clone();
        const ga = gradients([gruCell(a[0]!, a[1]!, a[2]!)], a, { gradOutputs: [seed] });
        const gb = gradients([gruCellReference(b[0]!, b[1]!, b[2]!)], b, { gradOutputs: [seed] });
        ga.forEach((t, i) => expectNear(t, gb[i]!));
      }),
      { numRuns: 40 },
    );
  });

  it('gradcheck and gradgradcheck in float64 (property)', () => {
    fc.assert(fc.property(arbCell(4, 1), (xs) => gradcheck(lstmFused, xs) && gradgradcheck(lstmFused, xs)), { numRuns: 15 });
    fc.assert(fc.property(arbCell(3, 2), (xs) => gradcheck(gruCell, xs) && gradgradcheck(gruCell, xs)), { numRuns: 15 });
  });

  it('errors name the op and the shapes', () => {
    expect(() => lstmCell(zeros([2, 7]), zeros([2, 2]))).toThrow(/lstmCell: gates must have shape \[2,8\] for cPrev of shape \[2,2\], got \[2,7\]/);
    expect(() => gruCell(zeros([2, 6]), zeros([2, 6]), zeros([2]))).toThrow(/gruCell: hPrev must be 2-D \[N, H\], got shape \[2\]/);
  });
});
