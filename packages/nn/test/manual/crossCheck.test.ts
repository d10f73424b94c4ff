import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor, mul, noGrad, randn, zeros } from '@dl/autograd';
import { Conv2d, Linear, Module, ReLU, Sequential, Sigmoid, manual } from '@dl/nn';
import { CrossCheckError, checkAgainstTwin, crossCheck } from '@dl/nn/testing';

const f64 = { dtype: 'float64' } as const;

/** Averages db over the batch instead of summing: right for batch 1 only. */
class MeanBiasLinear extends manual.Linear {
  override backward(dupstream: Tensor): Tensor {
    const dx = super.backward(dupstream);
    const rows = dupstream.numel() / this.outFeatures;
    this.db = new Tensor(this.db!.data.map((v) => v / rows), this.db!.shape);
    return dx;
  }
}

/** Forgets the (1 − σ) factor: dx = dupstream · σ. */
class SlopeSigmoid extends manual.Sigmoid {
  private out: Tensor | null = null;
  override forward(x: Tensor): Tensor {
    this.out = super.forward(x);
    return this.out;
  }
  override backward(dupstream: Tensor): Tensor {
    super.backward(dupstream);
    return noGrad(() => mul(dupstream, this.out!));
  }
}

/** Averages dW over the batch instead of summing it: right for a batch of 1. */
class MeanWeightConv extends manual.Conv2d {
  override backward(dupstream: Tensor): Tensor {
    const dx = super.backward(dupstream);
    const n = dupstream.shape[0]!;
    this.dW = new Tensor(this.dW!.data.map((v) => v / n), this.dW!.shape);
    return dx;
  }
}

/** A student's own layer: nothing inherited, only the documented interface (W [in, out], dW, db). */
class StudentLinear {
  W: Tensor;
  b: Tensor;
  dW: Tensor | null = null;
  db: Tensor | null = null;
  private x: Tensor | null = null;
  constructor(readonly nIn: number, readonly nOut: number) {
    this.W = randn([nIn, nOut], f64);
    this.b = randn([nOut], f64);
  }
  forward(x: Tensor): Tensor {
    this.x = x;
    const B = x.shape[0]!;
    const y = new Float64Array(B * this.nOut);
    for (let r = 0; r < B; r++) {
      for (let o = 0; o < this.nOut; o++) {
        let s = this.b.data[o]!;
        for (let i = 0; i < this.nIn; i++) s += x.data[r * this.nIn + i]! * this.W.data[i * this.nOut + o]!;
        y[r * this.nOut + o] = s;
      }
    }
    return new Tensor(y, [B, this.nOut]);
  }
  backward(d: Tensor): Tensor {
    const x = this.x!;
    const B = x.shape[0]!;
    const dW = new Float64Array(this.nIn * this.nOut);
    const db = new Float64Array(this.nOut);
    const dx = new Float64Array(B * this.nIn);
    for (let r = 0; r < B; r++) {
      for (let o = 0; o < this.nOut; o++) {
        const g = d.data[r * this.nOut + o]!;
        db[o] = db[o]! + g;
        for (let i = 0; i < this.nIn; i++) {
          dW[i * this.nOut + o] = dW[i * this.nOut + o]! + x.data[r * this.nIn + i]! * g;
          dx[r * this.nIn + i] = dx[r * this.nIn + i]! + this.W.data[i * this.nOut + o]! * g;
        }
      }
    }
    this.dW = new Tensor(dW, [this.nIn, this.nOut]);
    this.db = new Tensor(db, [this.nOut]);
    return new Tensor(dx, x.shape);
  }
}

function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('crossCheck catches broken backwards', () => {
  it('a db averaged over the batch fails, shrunk to the smallest failing input (batch 2)', () => {
    const msg = failure(() => crossCheck(new MeanBiasLinear(3, 2, f64), new Linear(3, 2, f64), { numRuns: 50, seed: 1 }));
    expect(msg).toMatch(/db of layer MeanBiasLinear 0 differs at element \d+ of shape \[2\]: manual .*, autograd .* \(input shape \[2,3\]\)/);
  });

  it('a sigmoid derivative without its (1 − σ) factor fails on dx', () => {
    expect(() => crossCheck(new SlopeSigmoid(), new Sigmoid(), { inputShape: [2, 2], numRuns: 20 })).toThrow(/dx differs at element/);
  });

  it('a conv dW averaged over the batch fails, shrunk to a batch of 2', () => {
    const bad = new MeanWeightConv(1, 2, 3, 1, 1, f64);
    const shapes = fc.integer({ min: 1, max: 3 }).map((n) => [n, 1, 4, 4]);
    const msg = failure(() => crossCheck(bad, new Conv2d(1, 2, 3, { padding: 1, ...f64 }), { inputShape: shapes, numRuns: 30, seed: 2 }));
    expect(msg).toMatch(/dW of layer MeanWeightConv 0 differs .*\(input shape \[2,1,4,4\]\)/);
  });

  it('a wrong forward fails on the output before any gradient is compared', () => {
    const relu = new manual.ReLU();
    const twin = new Sigmoid();
    expect(() => checkAgainstTwin(relu, twin, zeros([2], f64))).toThrow(CrossCheckError);
    expect(() => checkAgainstTwin(relu, twin, zeros([2], f64))).toThrow(/y \(forward output\) differs at element 0 of shape \[2\]: manual 0, autograd 0\.5/);
  });

  it('the error carries the quantity, element and both values', () => {
    const m = new MeanBiasLinear(1, 1, f64);
    const x = new Tensor(new Float64Array([1, 2]), [2, 1]);
    const err = (() => {
      try {
        checkAgainstTwin(m, new Linear(1, 1, f64), x, { dupstream: new Tensor(new Float64Array([1, 3]), [2, 1]) });
      } catch (e) {
        return e as CrossCheckError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CrossCheckError);
    expect(err!.quantity).toBe('db of layer MeanBiasLinear 0');
    expect(err!.index).toBe(0);
    expect(err!.manual).toBe(2);
    expect(err!.autograd).toBe(4);
  });
});

describe('crossCheck accepts a student layer that only has the documented interface', () => {
  it('a loop-by-loop Linear passes against nn.Linear', () => {
    crossCheck(new StudentLinear(4, 3), new Linear(4, 3, f64), { numRuns: 25 });
  });

  it('and a Net of student layers passes against a twin of plain modules', () => {
    const net = new manual.Net([new StudentLinear(3, 4), new manual.ReLU(), new StudentLinear(4, 2)]);
    crossCheck(net, new TorchNetLike(), { numRuns: 25, filter: (v) => Math.abs(v) > 1e-3 });
  });
});

// A twin built from plain modules, to show crossCheck needs only `forward` and `modules()`.
class TorchNetLike extends Module {
  layers = new Sequential(new Linear(3, 4, f64), new ReLU(), new Linear(4, 2, f64));
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

describe('crossCheck errors', () => {
  it('refuses float32 parameters, naming the side and the layer', () => {
    expect(() => crossCheck(new manual.Linear(2, 2), new Linear(2, 2, f64))).toThrow(/crossCheck: the manual W of layer 0 is float32; build both sides in float64/);
    expect(() => crossCheck(new manual.Linear(2, 2, f64), new Linear(2, 2))).toThrow(/crossCheck: the twin weight of layer 0 is float32/);
  });

  it('asks for an input shape when it cannot infer one', () => {
    expect(() => crossCheck(new manual.ReLU(), new ReLU())).toThrow(/crossCheck: cannot infer an input shape for ReLU; pass options.inputShape or options.input/);
  });

  it('names mismatched twins', () => {
    expect(() => crossCheck(new manual.Linear(2, 3, f64), new Linear(3, 2, f64))).toThrow(/crossCheck: layer 0 \(Linear\) has W \[2,3\], so the twin's weight should be \[3,2\], but it is \[2,3\]/);
    expect(() => crossCheck(new manual.Linear(2, 3, f64), new ReLU())).toThrow(/crossCheck: the manual model has 1 layer\(s\) with parameters but the twin has 0 module\(s\) with a weight/);
    expect(() => crossCheck(new manual.Linear(2, 3, f64), new Linear(2, 3, { bias: false, ...f64 }))).toThrow(/crossCheck: the twin's layer 0 has no bias/);
    expect(() => checkAgainstTwin(new manual.ReLU(), new ReLU(), zeros([2]))).toThrow(/crossCheck: the input is float32; cross-checks run in float64/);
  });
});
