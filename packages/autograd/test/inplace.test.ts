// In-place ops (issue 9): add_ sub_ mul_ div_ zero_ fill_ copy_ clamp_ write into the tensor, bump its
// version, match PyTorch's values, refuse a leaf that requires grad under grad mode with PyTorch's
// message, and work under noGrad; a backward through nn-style x·Wᵀ after a step refuses as a raw matmul does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  add_, clamp_, copy_, DlError, fill_, matmul, mul_, noGrad, sub_, Tensor, tensor, transpose, versionOf, zero_, zeros,
} from '@dl/autograd';

interface J { shape: number[]; data: number[] }
interface Case { name: string; x: J; args: Record<string, number | J>; out: J }
const golden = JSON.parse(readFileSync(new URL('./fixtures/inplace.json', import.meta.url), 'utf8')) as { cases: Case[] };
const t64 = (j: J): Tensor => new Tensor(Float64Array.from(j.data), j.shape);
const arg = (v: number | J | undefined): Tensor | number => (typeof v === 'object' ? t64(v) : v!);

function apply(name: string, t: Tensor, a: Case['args']): void {
  const op = name.split(' ')[0]!;
  if (op === 'add_') t.add_(arg(a.other), a.alpha === undefined ? undefined : { alpha: a.alpha as number });
  else if (op === 'sub_') t.sub_(arg(a.other), { alpha: a.alpha as number });
  else if (op === 'mul_') t.mul_(arg(a.other));
  else if (op === 'div_') t.div_(arg(a.other));
  else if (op === 'clamp_') a.min === undefined ? t.clamp_({ max: a.max as number }) : t.clamp_(a.min as number, a.max as number);
  else if (op === 'fill_') t.fill_(a.value as number);
  else if (op === 'zero_') t.zero_();
  else if (op === 'copy_') t.copy_(t64(a.src as J).to('float32'));
  else throw new Error(op);
}

describe('in-place ops', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s matches PyTorch, in place, bumping the version', (_, c) => {
    const t = t64(c.x);
    const data = t.data;
    const v = versionOf(t);
    apply(c.name, t, c.args);
    expect(t.data).toBe(data);
    expect(versionOf(t)).toBe(v + 1);
    Array.from(t.data).forEach((x, i) => expect(x).toBeCloseTo(c.out.data[i]!, 12));
  });

  it('free functions and methods agree, and methods chain', () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([1, 2, 3]);
    add_(a, 1, { alpha: 2 });
    b.add_(1, { alpha: 2 }).mul_(1);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(clamp_(mul_(zeros([2]).fill_(3), 2), { min: 0, max: 5 }).data)).toEqual([5, 5]);
    expect(Array.from(sub_(fill_(zeros([2]), 1), tensor([1, 2])).data)).toEqual([0, -1]);
    expect(Array.from(zero_(tensor([4])).data)).toEqual([0]);
    expect(Array.from(copy_(zeros([2, 2]), tensor([[7], [8]])).data)).toEqual([7, 7, 8, 8]);
  });

  it("clamp_ keeps PyTorch's result types: integer bounds fit int32, other bounds and bool tensors are refused", () => {
    // PyTorch: int32.clamp_(0, 2) works; int32.clamp_(2.7) and bool.clamp_(2.7) or bool.clamp_(0, 1) raise
    // "result type Float (Long) can't be cast to the desired output type".
    const i = tensor([-3, 1, 7], { dtype: 'int32' });
    expect(Array.from(i.clamp_(0, 2).data)).toEqual([0, 1, 2]);
    expect(() => i.clamp_(2.7)).toThrow(/^clamp_: the result is float32, which cannot be written into an int32 tensor in place/);
    const b = tensor([true, false]);
    expect(() => b.clamp_(2.7)).toThrow(/^clamp_: the result is float32, which cannot be written into a bool tensor/);
    expect(() => b.clamp_(0, 1)).toThrow(/^clamp_: the result is int32, which cannot be written into a bool tensor/);
    // PyTorch raises an overflow error; writing 3e9 into int32 would wrap.
    expect(() => tensor([1, 5], { dtype: 'int32' }).clamp_(3e9)).toThrow(/^clamp_: the bound 3000000000 does not fit an int32 tensor/);
    expect(Array.from(b.data)).toEqual([1, 0]);
  });

  it("a leaf that requires grad: PyTorch's error under grad mode, fine under noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    for (const f of [() => w.add_(1), () => w.sub_(1), () => w.mul_(2), () => w.div_(2), () => w.zero_(), () => w.fill_(0), () => w.copy_(tensor([0, 0])), () => w.clamp_(0, 1)]) {
      expect(f).toThrow(DlError);
      expect(f).toThrow(/_: a leaf Variable that requires grad is being used in an in-place operation\./);
    }
    expect(() => w.add_(1)).toThrow(/^add_: a leaf Variable/);
    noGrad(() => w.mul_(3).add_(1));
    expect(Array.from(w.data)).toEqual([4, 7]);
    expect(w.requiresGrad).toBe(true);
    expect(w.requiresGrad_(false).add_(1).requiresGrad).toBe(false);
  });

  it('a tensor recorded on the tape, or an operand that requires grad, is refused under grad mode with the out-of-place op named', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const y = w.mul(2);
    expect(() => y.add_(1)).toThrow(/add_: cannot write in place into a tensor recorded on the tape \(made by 'mul'\).*use the out-of-place op \(add\)/);
    expect(() => zeros([2]).add_(w)).toThrow(/add_: an operand requires grad/);
    expect(() => zeros([2]).copy_(w)).toThrow(/copy_: an operand requires grad/);
    expect(Array.from(noGrad(() => zeros([2]).add_(w)).data)).toEqual([1, 2]);
  });

  it("shape and argument errors name the op and the shapes, as PyTorch's", () => {
    expect(() => zeros([2]).add_(zeros([2, 2]))).toThrow(/add_: output with shape \[2\] doesn't match the broadcast shape \[2,2\]/);
    expect(() => zeros([2]).copy_(zeros([3]))).toThrow(/copy_: src of shape \[3\] cannot be broadcast to the destination's shape \[2\]/);
    expect(() => zeros([2]).fill_(zeros([2]))).toThrow(/fill_: only supports a 0-dim value tensor, got one of shape \[2\]/);
    expect(() => zeros([2]).clamp_()).toThrow(/clamp_: give at least one of min and max/);
    expect(() => zeros([2]).clamp_(NaN)).toThrow(/clamp_: bounds must not be NaN/);
    expect(() => zeros([2]).add_('1' as never)).toThrow(/add_: other must be a Tensor or a number, got '1' \(a string\)/);
    expect(() => zeros([2]).add_(1, { alhpa: 2 } as never)).toThrow(/add_: unknown option 'alhpa'/);
  });

  it('a backward through a raw matmul after w changed in place refuses (the version check)', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tensor([[1, 1]]);
    const y = matmul(x, w).sum();
    noGrad(() => w.sub_(0.1));
    expect(() => y.backward()).toThrow(/backward: input 1 of 'matmul' \(shape \[2,2\]\) was modified in place after the forward/);
  });

  it('so does a backward through x·Wᵀ (nn.Linear\'s form): a transposed copy follows its base\'s version, as a PyTorch view', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const x = tensor([[1, 1]], { requiresGrad: true });
    const y = matmul(x, transpose(w, 0, 1)).sum();
    noGrad(() => w.sub_(0.1));
    expect(() => y.backward()).toThrow(/modified in place after the forward/);
    const y2 = matmul(x, w.T).sum();
    y2.backward();
    expect(x.grad).not.toBeNull();
  });
});
