// The Optimizer base: groups and defaults, lazy state, zeroGrad, step on and off the tape, state dicts
// and every bad input the issue names.
import { describe, expect, it } from 'vitest';
import { add, mul, noGrad, sum, tensor, type Tensor } from '@dl/autograd';
import { Adam, AdamW, Adagrad, Momentum, RMSProp, SGD } from '@dl/optim';
import { kinds, makeOptimizer, param, setGrad } from './build.js';

describe('parameter groups', () => {
  it('builds one group from a list of tensors, filled from the defaults', () => {
    const w = param([1, 2]);
    const opt = new Adam([w], { lr: 0.01 });
    expect(opt.defaults).toEqual({ lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, decoupledWeightDecay: false });
    expect(opt.paramGroups).toHaveLength(1);
    expect(opt.paramGroups[0]!.params).toEqual([w]);
    expect(opt.paramGroups[0]!.lr).toBe(0.01);
    expect(opt.paramGroups[0]!.betas).not.toBe(opt.defaults.betas); // groups own their options
  });

  it('takes per-group options that override the defaults (PyTorch defaults when none given)', () => {
    const a = param([1]);
    const b = param([2]);
    const opt = new SGD([{ params: [a] }, { params: b, lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0], [0.5, 0.9]]);
    expect(new SGD([a]).defaults.lr).toBe(1e-3);
    expect(new AdamW([a]).defaults.weightDecay).toBe(1e-2);
    expect(new RMSProp([a]).defaults).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8 });
    expect(new Adagrad([a]).defaults).toMatchObject({ lr: 1e-2, eps: 1e-10 });
    expect(new Momentum([a]).defaults).toMatchObject({ lr: 1e-2, rho: 0.9 });
    setGrad(a, [1]);
    setGrad(b, [1]);
    opt.step();
    expect([a.data[0], b.data[0]]).toEqual([1 - 0.1, 2 - 0.5]);
  });

  it('addParamGroup adds a group that steps with its own options', () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.01 });
    setGrad(a, [1]);
    setGrad(b, [1]);
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.9, 15);
    expect(b.data[0]).toBeCloseTo(0.99, 15);
  });

  it('rejects duplicate parameters, within a group or across groups', () => {
    const a = param([1]);
    const b = param([2]);
    expect(() => new SGD([a, b, a])).toThrow(/SGD: group 0 lists the same parameter twice \(positions 0 and 2\)/);
    expect(() => new Adam([{ params: [a] }, { params: [b, a] }])).toThrow(
      /Adam: some parameters appear in more than one parameter group \(param 1 of group 1 is already in group 0\)/,
    );
    const opt = new RMSProp([a]);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/RMSProp: some parameters appear in more than one parameter group/);
    expect(opt.paramGroups).toHaveLength(1);
  });

  it('rejects empty lists, single tensors, mixes, non-tensors and non-leaves', () => {
    const a = param([1]);
    expect(() => new Adam([])).toThrow(/Adam: got an empty parameter list/);
    expect(() => new Adam(a as never)).toThrow(/Adam: params must be an iterable of tensors or of parameter groups, got a single Tensor/);
    expect(() => new SGD([a, { params: [param([2])] }] as never)).toThrow(/SGD: params mixes tensors and parameter groups/);
    expect(() => new SGD([{ params: [a, 3] }] as never)).toThrow(/SGD: can only optimize tensors, but param 1 of group 0 is number/);
    expect(() => new SGD([mul(a, 2)])).toThrow(/SGD: can't optimize a non-leaf tensor \(param 0 of group 0 was made by 'mul'\)/);
    expect(() => new SGD([a]).addParamGroup(3 as never)).toThrow(/SGD\.addParamGroup: a parameter group is an object with a 'params' field/);
    // an empty group is allowed, as in PyTorch, and does nothing
    const opt = new SGD([{ params: [] }], { lr: 0.1 });
    expect(() => opt.step()).not.toThrow();
  });
});

describe('toString', () => {
  it('lists each group and its sorted options, as PyTorch prints an optimizer (blank line between groups included)', () => {
    const opt = new Adam([{ params: [param([1])] }, { params: [param([2])], lr: 0.1 }]);
    expect(String(opt)).toBe(
      'Adam (\nParameter Group 0\n    amsgrad: false\n    betas: [0.9, 0.999]\n    decoupledWeightDecay: false\n    eps: 1e-8\n    lr: 0.001\n' +
        '    maximize: false\n    weightDecay: 0\n\nParameter Group 1\n    amsgrad: false\n    betas: [0.9, 0.999]\n    decoupledWeightDecay: false\n' +
        '    eps: 1e-8\n    lr: 0.1\n    maximize: false\n    weightDecay: 0\n)',
    );
  });
});

describe('bad hyper-parameters', () => {
  const p = () => [param([1])];
  it.each(kinds)('%s rejects a negative or NaN learning rate, also in a group', (kind) => {
    expect(() => makeOptimizer(kind, p(), { lr: -0.1 })).toThrow(new RegExp(`${kind}: invalid learning rate -0.1 \\(expected a finite number >= 0\\)`));
    expect(() => makeOptimizer(kind, p(), { lr: NaN })).toThrow(/invalid learning rate NaN/);
    expect(() => makeOptimizer(kind, [{ params: p(), lr: -1 }])).toThrow(new RegExp(`${kind}: invalid learning rate -1`));
  });

  it.each(['Adam', 'AdamW'] as const)('%s rejects betas outside [0, 1) and eps < 0', (kind) => {
    expect(() => makeOptimizer(kind, p(), { betas: [1, 0.999] })).toThrow(new RegExp(`${kind}: invalid betas\\[0\\] 1 \\(expected 0 <= betas\\[0\\] < 1\\)`));
    expect(() => makeOptimizer(kind, p(), { betas: [0.9, -0.1] })).toThrow(/invalid betas\[1\] -0.1/);
    expect(() => makeOptimizer(kind, p(), { betas: [0.9] })).toThrow(/betas must be a pair \[beta1, beta2\], got \[0.9\]/);
    expect(() => makeOptimizer(kind, p(), { eps: -1e-8 })).toThrow(new RegExp(`${kind}: invalid eps -1e-8`));
    expect(() => makeOptimizer(kind, p(), { weightDecay: -1 })).toThrow(/invalid weightDecay -1/);
  });

  it('rejects the other out-of-range options', () => {
    expect(() => new RMSProp(p(), { eps: -1 })).toThrow(/RMSProp: invalid eps -1/);
    expect(() => new RMSProp(p(), { alpha: 1.5 })).toThrow(/RMSProp: invalid alpha 1.5 \(expected 0 <= alpha <= 1\)/);
    expect(() => new RMSProp(p(), { momentum: -0.5 })).toThrow(/RMSProp: invalid momentum -0.5/);
    expect(() => new Adagrad(p(), { eps: -1 })).toThrow(/Adagrad: invalid eps -1/);
    expect(() => new Adagrad(p(), { lrDecay: -1 })).toThrow(/Adagrad: invalid lrDecay -1/);
    expect(() => new Adagrad(p(), { initialAccumulatorValue: -1 })).toThrow(/Adagrad: invalid initialAccumulatorValue -1/);
    expect(() => new Momentum(p(), { rho: 1 })).toThrow(/Momentum: invalid rho 1 \(expected 0 <= rho < 1\)/);
    expect(() => new SGD(p(), { momentum: -0.9 })).toThrow(/SGD: invalid momentum -0.9/);
    expect(() => new SGD(p(), { nesterov: true })).toThrow(/SGD: Nesterov momentum requires momentum > 0 and dampening 0 \(got momentum 0, dampening 0\)/);
    expect(() => new SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(/requires momentum > 0 and dampening 0/);
  });
});

describe('step', () => {
  it.each(kinds)('%s skips parameters without grad and creates their state only when they step', (kind) => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = makeOptimizer(kind, [a, b], { lr: 0.1 });
    expect(opt.state.size).toBe(0);
    setGrad(a, [0.5, -0.5]);
    opt.step();
    expect(Array.from(b.data)).toEqual([3]);
    expect(opt.state.has(a)).toBe(true);
    expect(opt.state.has(b)).toBe(false);
    expect(Array.from(a.data)).not.toEqual([1, 2]);
  });

  it.each(kinds)('%s updates in place, off the tape, and keeps the dtype', (kind) => {
    const w = tensor([1, -2, 3], { requiresGrad: true }); // float32
    const data = w.data;
    const opt = makeOptimizer(kind, [w], { lr: 0.1 });
    sum(mul(w, w)).backward();
    opt.step();
    expect(w.data).toBe(data);
    expect(w.data).toBeInstanceOf(Float32Array);
    expect(w.isLeaf).toBe(true);
    expect(w.gradFn).toBeNull();
    for (const v of Object.values(opt.state.get(w)!)) if (typeof v === 'object') expect(v).toBeInstanceOf(Float32Array);
    // the next forward still works from the updated leaf
    const loss = sum(mul(w, w));
    expect(loss.requiresGrad).toBe(true);
  });

  it('never writes into the gradient', () => {
    const w = param([1, 2]);
    const opt = new Adam([w], { lr: 0.1, weightDecay: 0.5, maximize: true });
    setGrad(w, [1, 1]);
    const g = w.grad!;
    opt.step();
    expect(Array.from(g.data)).toEqual([1, 1]);
  });

  it('with a closure, calls it with grad enabled (even inside noGrad) and returns its loss', () => {
    const w = param([3]);
    const opt = new SGD([w], { lr: 0.25 });
    const loss = noGrad(() =>
      opt.step(() => {
        opt.zeroGrad();
        const l = sum(mul(w, w));
        l.backward();
        return l;
      }),
    );
    expect(loss.item()).toBe(9);
    expect(w.data[0]).toBe(3 - 0.25 * 6);
  });

  it('rejects a gradient of the wrong shape', () => {
    const w = param([1, 2, 3, 4], [2, 2]);
    // The assignment itself is refused now, as PyTorch's `assigned grad has data of a different size`.
    expect(() => (w.grad = tensor([1, 2, 3, 4], { dtype: 'float64' }))).toThrow(/^grad: a gradient of shape \[4\] cannot be assigned to a tensor of shape \[2,2\]/);
    // A gradient that bypasses the setter (a subclass, a stale object) is still caught by step.
    Object.defineProperty(w, 'grad', { value: tensor([1, 2, 3, 4], { dtype: 'float64' }), configurable: true });
    expect(() => new SGD([w]).step()).toThrow(/SGD\.step: a parameter of shape \[2,2\] has a gradient of shape \[4\]/);
  });
});

describe('zeroGrad', () => {
  const setup = () => {
    const x = param([1, 2]);
    const y = param([3, 4]);
    sum(add(x, y)).backward(); // x.grad and y.grad share one array here
    return { x, y, opt: new SGD([x, y]) };
  };

  it('sets gradients to null by default, as PyTorch 2', () => {
    const { x, y, opt } = setup();
    opt.zeroGrad();
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
  });

  it('with setToNone false gives fresh zero tensors of the same shape and dtype', () => {
    const { x, y, opt } = setup();
    const old = x.grad!;
    opt.zeroGrad({ setToNone: false });
    for (const p of [x, y]) {
      expect(p.grad!.shape).toEqual([2]);
      expect(Array.from(p.grad!.data)).toEqual([0, 0]);
      expect(p.grad!.dtype).toBe('float64');
    }
    expect(Array.from(old.data)).toEqual([1, 1]); // a gradient someone kept is not clobbered
    // and backward accumulates into them
    sum(mul(x, 3)).backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
  });
});

describe('stateDict / loadStateDict', () => {
  const trained = () => {
    const a = param([1, 2]);
    const b = param([3]);
    const opt = new Adam([{ params: [a], lr: 0.1 }, { params: [b], amsgrad: true }], { lr: 0.01 });
    setGrad(a, [1, -1]);
    setGrad(b, [2]);
    opt.step();
    setGrad(b, null);
    opt.step();
    return { a, b, opt };
  };

  it('indexes parameters across groups and snapshots (copies) the state', () => {
    const { a, opt } = trained();
    const sd = opt.stateDict();
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.paramGroups[1]).toMatchObject({ lr: 0.01, amsgrad: true });
    expect(sd.state[0]!.step).toBe(2);
    expect(sd.state[1]!.step).toBe(1);
    expect(Object.keys(sd.state[1]!).sort()).toEqual(['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    const before = Array.from(sd.state[0]!.expAvg as Float64Array);
    setGrad(a, [5, 5]);
    opt.step();
    expect(Array.from(sd.state[0]!.expAvg as Float64Array)).toEqual(before);
  });

  it('loads state saved from float64 into float32 parameters, and accepts plain number arrays', () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    const a32 = tensor([1, 2], { requiresGrad: true });
    const b32 = tensor([3], { requiresGrad: true });
    const opt32 = new Adam([{ params: [a32] }, { params: [b32] }]);
    sd.state[1]!.expAvg = [0.25];
    opt32.loadStateDict(sd);
    expect(opt32.state.get(a32)!.expAvg).toBeInstanceOf(Float32Array);
    expect(Array.from(opt32.state.get(b32)!.expAvg)).toEqual([0.25]);
    expect(opt32.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]);
  });

  it('rejects state dicts that do not fit, leaving the optimizer untouched', () => {
    const { opt } = trained();
    const sd = opt.stateDict();
    const fresh = () => new Adam([{ params: [param([0, 0])] }, { params: [param([0])] }]);
    expect(() => new Adam([param([0, 0]), param([0])]).loadStateDict(sd)).toThrow(
      /Adam\.loadStateDict: the saved state has 2 parameter groups but this optimizer has 1/,
    );
    expect(() => new Adam([{ params: [param([0, 0])] }, { params: [param([0]), param([0])] }]).loadStateDict(sd)).toThrow(
      /saved group 1 has 1 parameters but this optimizer's group 1 has 2/,
    );
    const wrongSize = new Adam([{ params: [param([0, 0, 0])] }, { params: [param([0])] }]);
    expect(() => wrongSize.loadStateDict(sd)).toThrow(/state 'expAvg' of parameter 0 has 2 values but the parameter has 3 \(shape \[3\]\)/);
    expect(wrongSize.state.size).toBe(0);
    expect(wrongSize.paramGroups[0]!.lr).toBe(1e-3);
    expect(() => fresh().loadStateDict({ paramGroups: sd.paramGroups, state: { 7: {} } })).toThrow(/refers to parameter 7, which no saved group lists/);
    expect(() => fresh().loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0]!, lr: -1 }, sd.paramGroups[1]!] })).toThrow(/invalid learning rate -1/);
    expect(() => fresh().loadStateDict(null as never)).toThrow(/expected an object with 'state' and 'paramGroups'/);
  });
});

describe('the optimizers train through autograd', () => {
  it.each(kinds)('%s: zeroGrad, backward, step lowers a loss built from autograd ops', (kind) => {
    const w = param([2, -1.5, 0.5]);
    const target = tensor([0.5, 0.25, -1], { dtype: 'float64' });
    const loss = (): Tensor => sum(mul(add(w, mul(target, -1)), add(w, mul(target, -1))));
    const opt = makeOptimizer(kind, [w], { lr: 0.05 });
    const first = loss().item();
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    expect(loss().item()).toBeLessThan(first);
  });
});
