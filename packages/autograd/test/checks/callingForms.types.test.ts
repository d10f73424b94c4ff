// Issue 9: the positional calling forms type-check (checked by `pnpm typecheck`, which covers the tests),
// with the options object still accepted last; wrong forms are type errors.
import { describe, expectTypeOf, it } from 'vitest';
import { Tensor, arange, clamp, max, sum, zeros, type ValuesIndices } from '@dl/autograd';
import * as nn from '@dl/nn';
import * as optim from '@dl/optim';
import * as data from '@dl/data';

const x = zeros([3, 4]);

describe('positional forms are typed', () => {
  it('tensor methods', () => {
    expectTypeOf(x.sum(1)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.sum([0, 1], { keepdim: true })).toEqualTypeOf<Tensor>();
    expectTypeOf(x.sum(1, true)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.sum({ dim: 1 })).toEqualTypeOf<Tensor>();
    expectTypeOf(x.mean(0)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.std(1)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.var(1, { correction: 0 })).toEqualTypeOf<Tensor>();
    expectTypeOf(x.logsumexp(1)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.flatten(1)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.argmax(1)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.max()).toEqualTypeOf<Tensor>();
    expectTypeOf(x.max(1)).toEqualTypeOf<ValuesIndices>();
    expectTypeOf(x.max(1, true)).toEqualTypeOf<ValuesIndices>();
    expectTypeOf(x.view(-1, 4)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.view([-1, 4])).toEqualTypeOf<Tensor>();
    expectTypeOf(x.permute(1, 0)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.clamp(0)).toEqualTypeOf<Tensor>();
    expectTypeOf(x.clamp(null, 1)).toEqualTypeOf<Tensor>();
    const [values, indices] = x.max(1);
    expectTypeOf(values).toEqualTypeOf<Tensor>();
    expectTypeOf(indices).toEqualTypeOf<Tensor>();
    expectTypeOf(x.max(1)[1]).toEqualTypeOf<Tensor>();
    const typeOnly = () => {
      // @ts-expect-error keepdim is a boolean
      x.sum(1, 'yes');
      // @ts-expect-error max(dim) takes one dim
      x.max([0, 1]);
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
  it('functions', () => {
    // Type-level only (the shapes here are not meant to run).
    const typed = () => {
      expectTypeOf(sum(x, 1)).toEqualTypeOf<Tensor>();
      expectTypeOf(max(x, 1).values).toEqualTypeOf<Tensor>();
      expectTypeOf(clamp(x, 0, 1)).toEqualTypeOf<Tensor>();
      expectTypeOf(arange(0, 1, 0.25)).toEqualTypeOf<Tensor>();
      expectTypeOf(arange(0, 1, { step: 0.25 })).toEqualTypeOf<Tensor>();
      expectTypeOf(zeros(2, 3)).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.F.conv2d(x, x, null, 1, 1)).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.F.dropout(x, 0.2, false)).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.F.maxPool2d(x, 3, 1)).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.init.uniform_(x, -0.1, 0.1)).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.init.normal_(x, 0, 0.02)).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.init.kaimingUniform_(x, 0, 'fan_out', 'relu')).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.init.kaimingNormal_(x, { mode: 'fan_out' })).toEqualTypeOf<Tensor>();
      expectTypeOf(nn.init.xavierUniform_(x, 2)).toEqualTypeOf<Tensor>();
      const typeOnly = () => {
        // @ts-expect-error the mode is 'fan_in' or 'fan_out'
        nn.init.kaimingUniform_(x, 0, 'fan_both');
      };
      expectTypeOf(typeOnly).toBeFunction();
    };
    expectTypeOf(typed).toBeFunction();
  });
  it('constructors', () => {
    // Type-level only (the shapes here are not meant to run).
    const typed = () => {
      expectTypeOf(new nn.Conv2d(1, 8, 3, 1, 1)).toEqualTypeOf<nn.Conv2d>();
      expectTypeOf(new nn.Conv2d(1, 8, 3, { stride: 1 })).toEqualTypeOf<nn.Conv2d>();
      expectTypeOf(new nn.MaxPool2d(3, 1)).toEqualTypeOf<nn.MaxPool2d>();
      expectTypeOf(new nn.LeakyReLU(0.2)).toEqualTypeOf<nn.LeakyReLU>();
      expectTypeOf(new nn.Linear(3, 1, false)).toEqualTypeOf<nn.Linear>();
      expectTypeOf(new nn.CrossEntropyLoss(x)).toEqualTypeOf<nn.CrossEntropyLoss>();
      const params = [x];
      const adam = new optim.Adam(params, 0.1);
      expectTypeOf(adam).toEqualTypeOf<optim.Adam>();
      expectTypeOf(new optim.SGD(params, 0.1, 0.9)).toEqualTypeOf<optim.SGD>();
      expectTypeOf(new optim.MultiStepLR(adam, [30, 80])).toEqualTypeOf<optim.MultiStepLR>();
      expectTypeOf(new optim.StepLR(adam, 30, 0.1)).toEqualTypeOf<optim.StepLR>();
      const ds = new data.TensorDataset(x);
      expectTypeOf(new data.DataLoader(ds, 64, true).batchSize).toEqualTypeOf<number>();
      const typeOnly = () => {
        // @ts-expect-error Linear's third positional argument is bias, a boolean
        new nn.Linear(3, 1, 'no');
      };
      expectTypeOf(typeOnly).toBeFunction();
    };
    expectTypeOf(typed).toBeFunction();
  });
});
