// Issue 10's findings in @dl/optim: a string where a number belongs is named as the string it is.
import { describe, expect, it } from 'vitest';
import { zeros } from '@dl/autograd';
import { SGD, Adam } from '@dl/optim';

describe('optimizer options', () => {
  it("lr: '0.1' says it is a string, not 'invalid learning rate 0.1'", () => {
    const w = zeros([2], { requiresGrad: true });
    expect(() => new SGD([w], { lr: '0.1' as never })).toThrow(/^SGD: .* must be a number, got '0\.1' \(a string\)/);
    expect(() => new Adam([w], { lr: '0.1' as never })).toThrow(/^Adam: .* must be a number, got '0\.1' \(a string\)/);
  });
});
