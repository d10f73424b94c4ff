import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor, tensor, zeros } from '@dl/autograd';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, F, L1Loss, MSELoss, NLLLoss, type Loss, type Reduction,
} from '@dl/nn';
import { arbT, moduleGradcheck } from '../support/moduleGradcheck.js';
import { expectClose, fromJSON, golden } from '../support/golden.js';

const reduction = fc.constantFrom<Reduction>('mean', 'sum', 'none');
const dims = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 });

/** Class indices for an input of `inputShape` (class dim 1, or 0 when 1-D), some set to `ignore`. */
function arbClasses(inputShape: number[], ignore?: number): fc.Arbitrary<Tensor> {
  const classDim = inputShape.length === 1 ? 0 : 1;
  const c = inputShape[classDim]!;
  const shape = inputShape.filter((_, i) => i !== classDim);
  const n = shape.reduce((a, b) => a * b, 1);
  const value = ignore === undefined ? fc.integer({ min: 0, max: c - 1 }) : fc.oneof(fc.integer({ min: 0, max: c - 1 }), fc.constant(ignore));
  return fc.array(value, { minLength: n, maxLength: n }).map((v) => new Tensor(Float64Array.from(v), shape));
}

/** Input shapes with a class dim of at least 2: [C], [N, C] or [N, C, d...]. */
const classShapes = fc.oneof(
  fc.integer({ min: 2, max: 4 }).map((c) => [c]),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 }), fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }))
    .map(([n, c, rest]) => [n, c, ...rest]),
);

function classWeight(c: number): fc.Arbitrary<Tensor | undefined> {
  return fc.option(arbT([c], { min: 0.2, max: 2 }), { nil: undefined });
}

describe('loss gradchecks over random shapes and every reduction', () => {
  it('MSELoss: input and target', () => {
    const arb = fc.tuple(reduction, dims).chain(([r, s]) => fc.tuple(fc.constant(r), arbT(s), arbT(s)));
    fc.assert(fc.property(arb, ([r, a, b]) => moduleGradcheck(new MSELoss({ reduction: r }), [a, b])), { numRuns: 25 });
  });

  it('L1Loss: input and target (kept apart: |x - y| has a kink at 0)', () => {
    const arb = fc.tuple(reduction, dims).chain(([r, s]) => fc.tuple(fc.constant(r), arbT(s), arbT(s, { avoid: 0, gap: 1e-2 })));
    fc.assert(fc.property(arb, ([r, a, d]) => moduleGradcheck(new L1Loss({ reduction: r }), [a, a.add(d)])), { numRuns: 25 });
  });

  it('CrossEntropyLoss with class indices: weight, ignoreIndex and label smoothing', () => {
    const arb = classShapes.chain((s) => {
      const c = s.length === 1 ? s[0]! : s[1]!;
      return fc.record({
        x: arbT(s, { min: -4, max: 4 }),
        y: arbClasses(s, 1),
        weight: classWeight(c),
        ignore: fc.boolean(),
        labelSmoothing: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
        reduction,
      });
    });
    fc.assert(
      fc.property(arb, (o) => {
        // A mean over only ignored targets is 0/0, as in PyTorch; skip those draws.
        fc.pre(!(o.ignore && o.reduction === 'mean' && Array.from(o.y.data).every((v) => v === 1)));
        const m = new CrossEntropyLoss({ weight: o.weight, ignoreIndex: o.ignore ? 1 : -100, labelSmoothing: o.labelSmoothing, reduction: o.reduction });
        return moduleGradcheck(m, [o.x], { constants: [o.y] });
      }),
      { numRuns: 40 },
    );
  });

  it('CrossEntropyLoss with probability targets: input and target', () => {
    const arb = classShapes.chain((s) => {
      const c = s.length === 1 ? s[0]! : s[1]!;
      return fc.record({ x: arbT(s), p: arbT(s, { min: 0, max: 1 }), weight: classWeight(c), ls: fc.double({ min: 0, max: 1, noNaN: true }), reduction });
    });
    fc.assert(
      fc.property(arb, (o) => moduleGradcheck(new CrossEntropyLoss({ weight: o.weight, labelSmoothing: o.ls, reduction: o.reduction }), [o.x, o.p])),
      { numRuns: 25 },
    );
  });

  it('NLLLoss: weight and ignoreIndex', () => {
    const arb = classShapes.chain((s) =>
      fc.record({ x: arbT(s), y: arbClasses(s), weight: classWeight(s.length === 1 ? s[0]! : s[1]!), reduction }),
    );
    fc.assert(fc.property(arb, (o) => moduleGradcheck(new NLLLoss({ weight: o.weight, reduction: o.reduction }), [o.x], { constants: [o.y] })), {
      numRuns: 25,
    });
  });

  it('BCELoss: input and target, with an element weight', () => {
    const arb = dims.chain((s) =>
      fc.record({ x: arbT(s, { min: 0.05, max: 0.95 }), t: arbT(s, { min: 0, max: 1 }), w: fc.option(arbT(s.slice(-1), { min: 0, max: 2 }), { nil: undefined }), reduction }),
    );
    fc.assert(fc.property(arb, (o) => moduleGradcheck(new BCELoss({ weight: o.w, reduction: o.reduction }), [o.x, o.t])), { numRuns: 25 });
  });

  it('BCEWithLogitsLoss: input and target, with weight and posWeight', () => {
    const arb = dims.chain((s) =>
      fc.record({
        x: arbT(s, { min: -8, max: 8 }),
        t: arbT(s, { min: 0, max: 1 }),
        w: fc.option(arbT(s.slice(-1), { min: 0, max: 2 }), { nil: undefined }),
        pw: fc.option(arbT(s.slice(-1), { min: 0.1, max: 4 }), { nil: undefined }),
        reduction,
      }),
    );
    fc.assert(
      fc.property(arb, (o) => moduleGradcheck(new BCEWithLogitsLoss({ weight: o.w, posWeight: o.pw, reduction: o.reduction }), [o.x, o.t])),
      { numRuns: 25 },
    );
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function fromOptions(o: any): Record<string, unknown> {
  return {
    reduction: o.reduction,
    weight: o.weight ? fromJSON(o.weight) : undefined,
    posWeight: o.pos_weight ? fromJSON(o.pos_weight) : undefined,
    ignoreIndex: o.ignore_index,
    labelSmoothing: o.label_smoothing,
  };
}

const modules: Record<string, new (o: never) => Loss> = { MSELoss, L1Loss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss };
const functions: Record<string, (i: Tensor, t: Tensor, o: never) => Tensor> = {
  MSELoss: F.mseLoss, L1Loss: F.l1Loss, CrossEntropyLoss: F.crossEntropy, NLLLoss: F.nllLoss,
  BCELoss: F.binaryCrossEntropy, BCEWithLogitsLoss: F.binaryCrossEntropyWithLogits,
};

describe('losses match PyTorch', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const cases: [string, any][] = golden.losses.map((c: { name: string; options: { reduction: string } }) => [`${c.name} (${c.options.reduction})`, c]);
  it.each(cases)('%s', (_, c) => {
    const options = fromOptions(c.options) as never;
    const input = fromJSON(c.input);
    const target = fromJSON(c.target);
    expectClose(new modules[c.loss]!(options).forward(input, target), c.output);
    expectClose(functions[c.loss]!(input, target, options), c.output);
  });

  it('cross-entropy stays finite with huge logits, and so does its gradient', () => {
    const x = tensor([[1000, -1000, 0], [-800, 800, 5]], { dtype: 'float64', requiresGrad: true });
    const loss = F.crossEntropy(x, tensor([1, 1], { dtype: 'float64' }));
    expect(loss.item()).toBeCloseTo(1000, 9);
    loss.backward();
    expect(Array.from(x.grad!.data).every(Number.isFinite)).toBe(true);
  });
});

describe('loss errors name the loss and the shapes', () => {
  it('shape mismatches', () => {
    expect(() => new MSELoss().forward(zeros([2, 3]), zeros([3, 2]))).toThrow(/^MSELoss: input shape \[2,3\] and target shape \[3,2\] must match$/);
    expect(() => F.l1Loss(zeros([2, 3]), zeros([3]))).toThrow(/l1Loss: input shape \[2,3\] and target shape \[3\] must match/);
    expect(() => new BCELoss().forward(zeros([4]), zeros([4, 1]))).toThrow(/BCELoss: input shape \[4\] and target shape \[4,1\] must match/);
    expect(() => new CrossEntropyLoss().forward(zeros([4, 10]), zeros([5]))).toThrow(
      /CrossEntropyLoss: for input of shape \[4,10\], target must hold class indices of shape \[4\] or probabilities of shape \[4,10\], got \[5\]/,
    );
    expect(() => F.mseLoss(zeros([2]), zeros([2], { dtype: 'float64' }))).toThrow(/mseLoss: input dtype float32 and target dtype float64 differ/);
    expect(() => F.crossEntropy(zeros([]), zeros([]))).toThrow(/crossEntropy: input must have a class dim/);
  });

  it('class indices out of range or not integers', () => {
    expect(() => new CrossEntropyLoss().forward(zeros([3, 10]), tensor([1, 10, 2]))).toThrow(
      /^CrossEntropyLoss: target 10 at flat index 1 is out of range for 10 classes \(expected an integer in \[0, 9\]\)$/,
    );
    expect(() => F.nllLoss(zeros([2, 3]), tensor([-1, 0]))).toThrow(/nllLoss: target -1 at flat index 0 is out of range for 3 classes/);
    expect(() => F.crossEntropy(zeros([2, 3]), tensor([0.5, 1]))).toThrow(/crossEntropy: target 0.5 at flat index 0 is out of range/);
    expect(() => F.crossEntropy(zeros([2, 3]), tensor([0, 3]), { ignoreIndex: 3 })).not.toThrow();
  });

  it('bad weights, probabilities and options', () => {
    expect(() => new CrossEntropyLoss({ weight: zeros([4]) }).forward(zeros([2, 3]), tensor([0, 1]))).toThrow(
      /CrossEntropyLoss: weight must have shape \[3\] \(one per class\), got \[4\]/,
    );
    expect(() => new BCELoss().forward(tensor([0.5, 1.5]), tensor([1, 0]))).toThrow(/BCELoss: input values must be probabilities in \[0, 1\], got 1.5 at flat index 1/);
    expect(() => new BCEWithLogitsLoss({ posWeight: zeros([3]) }).forward(zeros([2, 4]), zeros([2, 4]))).toThrow(
      /BCEWithLogitsLoss: posWeight of shape \[3\] does not broadcast to the input shape \[2,4\]/,
    );
    expect(() => new MSELoss({ reduction: 'avg' as Reduction })).toThrow(/MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'/);
    expect(() => F.mseLoss(zeros([1]), zeros([1]), { reduction: 'all' as Reduction })).toThrow(/mseLoss: reduction must be/);
    expect(() => new CrossEntropyLoss({ labelSmoothing: 1.2 })).toThrow(/CrossEntropyLoss: labelSmoothing must be in \[0, 1\], got 1.2/);
  });
});

describe('loss modules', () => {
  it('keep class weights as a state-dict buffer, as PyTorch', () => {
    const ce = new CrossEntropyLoss({ weight: tensor([1, 2, 3]) });
    expect(Object.keys(ce.stateDict())).toEqual(golden.stateDictKeys.CrossEntropyLossWeight);
    expect(ce.weight!.shape).toEqual([3]);
    expect(Object.keys(new CrossEntropyLoss().stateDict())).toEqual([]);
    expect(new MSELoss().parameters()).toEqual([]);
  });
});
