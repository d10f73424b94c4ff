import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, mul, sum, transpose, zeros, type Tensor } from '@dl/autograd';
import { LSTMCell, manual, RNN } from '@dl/nn';
import { arbT } from '../support/moduleGradcheck.js';
import { expectClose } from '../support/golden.js';

const close = (a: Tensor, b: Tensor) => expectClose(a, b, { atol: 1e-12, rtol: 1e-10 });

describe('manual.RNN (hand-written BPTT)', () => {
  it('equals nn.RNN with autograd: outputs, dx, every parameter gradient and dh0 (property)', () => {
    const arb = fc
      .record({ T: fc.integer({ min: 1, max: 6 }), N: fc.integer({ min: 1, max: 4 }), inF: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 5 }), seed: fc.nat() })
      .chain((s) => fc.record({ s: fc.constant(s), x: arbT([s.T, s.N, s.inF]), h0: arbT([s.N, s.H], { min: -1, max: 1 }), dout: arbT([s.T, s.N, s.H]), dhN: arbT([s.N, s.H]) }));
    fc.assert(
      fc.property(arb, ({ s, x, h0, dout, dhN }) => {
        const m = new manual.RNN(s.inF, s.H, { dtype: 'float64', generator: new Generator(s.seed) });
        const twin = new RNN(s.inF, s.H, { dtype: 'float64' });
        const p = Object.fromEntries(twin.namedParameters());
        p.weight_ih_l0!.data.set(transpose(m.Wxh, 0, 1).data);
        p.weight_hh_l0!.data.set(transpose(m.Whh, 0, 1).data);
        p.bias_ih_l0!.data.set(m.bh.data);
        p.bias_hh_l0!.data.fill(0);
        const xl = x.clone().requiresGrad_(true);
        const hl = h0.clone().requiresGrad_(true);
        const [out, hN] = twin.forward(xl, hl.reshape(1, s.N, s.H));
        sum(mul(out, dout)).add(sum(mul(hN.reshape(s.N, s.H), dhN))).backward();
        const hs = m.forward(x, h0);
        close(hs, out);
        const dx = m.backward(dout, { dhN });
        close(dx, xl.grad!);
        close(m.dWxh!, transpose(p.weight_ih_l0!.grad!, 0, 1));
        close(m.dWhh!, transpose(p.weight_hh_l0!.grad!, 0, 1));
        close(m.dbh!, p.bias_ih_l0!.grad!);
        close(m.dbh!, p.bias_hh_l0!.grad!);
        close(m.dh0!, hl.grad!);
      }),
      { numRuns: 40 },
    );
  });

  it('errors: shapes named, backward before forward', () => {
    const m = new manual.RNN(3, 4);
    expect(() => m.backward(zeros([1, 1, 4]))).toThrow(/RNN.backward: called before forward/);
    expect(() => m.forward(zeros([2, 1, 5]))).toThrow(/RNN: expected input \[T, N, 3\], got shape \[2,1,5\]/);
    m.forward(zeros([2, 1, 3]));
    expect(() => m.backward(zeros([2, 1, 3]))).toThrow(/RNN.backward: dhs must have shape \[2,1,4\], got \[2,1,3\]/);
  });
});

describe('manual.LSTMCell (hand-written backward)', () => {
  it('equals nn.LSTMCell with autograd: h, c, dx, dW, db, dhPrev, dcPrev (property)', () => {
    const arb = fc
      .record({ N: fc.integer({ min: 1, max: 4 }), inF: fc.integer({ min: 1, max: 4 }), H: fc.integer({ min: 1, max: 5 }), seed: fc.nat() })
      .chain((s) => fc.record({
        s: fc.constant(s), x: arbT([s.N, s.inF]), h: arbT([s.N, s.H], { min: -1, max: 1 }), c: arbT([s.N, s.H], { min: -1, max: 1 }),
        dh: arbT([s.N, s.H]), dc: arbT([s.N, s.H]),
      }));
    fc.assert(
      fc.property(arb, ({ s, x, h, c, dh, dc }) => {
        const m = new manual.LSTMCell(s.inF, s.H, { dtype: 'float64', generator: new Generator(s.seed) });
        const twin = new LSTMCell(s.inF, s.H, { dtype: 'float64' });
        twin.weight_ih.data.set(transpose(m.Wx, 0, 1).data);
        twin.weight_hh.data.set(transpose(m.Wh, 0, 1).data);
        twin.bias_ih!.data.set(m.b.data);
        twin.bias_hh!.data.fill(0);
        const [xl, hl, cl] = [x, h, c].map((t) => t.clone().requiresGrad_(true)) as [Tensor, Tensor, Tensor];
        const [h2, c2] = twin.forward(xl, [hl, cl]);
        sum(mul(h2, dh)).add(sum(mul(c2, dc))).backward();
        const [mh, mc] = m.forward(x, [h, c]);
        close(mh, h2);
        close(mc, c2);
        close(m.backward(dh, dc), xl.grad!);
        close(m.dWx!, transpose(twin.weight_ih.grad!, 0, 1));
        close(m.dWh!, transpose(twin.weight_hh.grad!, 0, 1));
        close(m.db!, twin.bias_ih!.grad!);
        close(m.db!, twin.bias_hh!.grad!);
        close(m.dhPrev!, hl.grad!);
        close(m.dcPrev!, cl.grad!);
      }),
      { numRuns: 40 },
    );
  });

  it('errors name the shapes', () => {
    const m = new manual.LSTMCell(3, 2);
    expect(() => m.backward(zeros([1, 2]))).toThrow(/LSTMCell.backward: called before forward/);
    expect(() => m.forward(zeros([1, 4]))).toThrow(/LSTMCell: expected input \[N, 3\], got shape \[1,4\]/);
    expect(() => m.forward(zeros([1, 3]), [zeros([1, 2]), zeros([2, 2])])).toThrow(/LSTMCell: state must be \[1,2\] each, got \[2,2\]/);
  });
});
