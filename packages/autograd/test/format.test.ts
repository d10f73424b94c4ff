import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { add, matmul, mean, mul, neg, relu, sum, tensor, type DType, type Tensor } from '@dl/autograd';

// Golden strings printed by PyTorch itself (fixtures/format.py): `expected` is torch's text with our one
// deliberate difference, `dtype=float64` for `dtype=torch.float64`, wrapped by torch's own helper.
interface Case {
  name: string;
  values: (number | 'nan' | 'inf' | '-inf')[];
  shape: number[];
  dtype: DType;
  requiresGrad: boolean;
  op: 'mul2' | 'add1' | 'neg' | 'sum' | 'relu' | null;
  torch: string;
  expected: string;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/format.json', import.meta.url), 'utf8')) as { cases: Case[] };

const decode = (v: Case['values'][number]): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const ops: Record<NonNullable<Case['op']>, (x: Tensor) => Tensor> = {
  mul2: (x) => mul(x, 2),
  add1: (x) => add(x, 1),
  neg: (x) => neg(x),
  sum: (x) => sum(x),
  relu: (x) => relu(x),
};

describe('toString matches PyTorch', () => {
  it('has the fixture', () => {
    expect(fixture.cases.length).toBeGreaterThan(50);
  });
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const x = tensor(c.values.map(decode), { shape: c.shape, dtype: c.dtype, requiresGrad: c.requiresGrad });
    const y = c.op === null ? x : ops[c.op](x);
    expect(y.toString()).toBe(c.expected);
    expect(String(y)).toBe(c.expected);
  });
});

describe('documented differences from PyTorch', () => {
  it('prints dtype=float64 where torch prints dtype=torch.float64', () => {
    const c = fixture.cases.find((k) => k.name === 'decimals float64')!;
    expect(c.torch).toContain('dtype=torch.float64');
    expect(tensor(c.values as number[], { dtype: 'float64' }).toString()).toBe(c.torch.replace('torch.float64', 'float64'));
  });
  it('names grad_fn after our op, not after the kernel torch dispatched to', () => {
    // torch: grad_fn=<MmBackward0>; matmul is one op here.
    const a = tensor([[1, 2]], { requiresGrad: true });
    expect(matmul(a, tensor([[3], [4]])).toString()).toBe('tensor([[11.]], grad_fn=<MatmulBackward0>)');
  });
  it('names grad_fn of a composed op after its last primitive', () => {
    // torch: grad_fn=<MeanBackward0>; mean is sum(x) / n here.
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    expect(mean(x).toString()).toBe('tensor(2.5000, grad_fn=<DivBackward0>)');
  });
});
