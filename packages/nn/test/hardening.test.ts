// Issue 10's findings in @dl/nn: layers name themselves, sizes are checked before allocation.
import { describe, expect, it } from 'vitest';
import { DlError, zeros } from '@dl/autograd';
import { Linear, F } from '@dl/nn';

describe('layers and losses name the call', () => {
  it('Linear(1e6, 1e6) is refused before allocating, with the shape and the limit', () => {
    expect(() => new Linear(1e6, 1e6)).toThrow(/^Linear: shape \[1000000,1000000\] has 1000000000000 elements, more than the 2147483647/);
  });
  it('Linear.forward([1, 2, 3]) says it wants a tensor', () => {
    expect(() => new Linear(3, 4).forward([1, 2, 3] as never)).toThrow(/^Linear: input must be a Tensor, got \[1,2,3\]/);
  });
  it('mseLoss of an empty tensor does not blame mean', () => {
    let e: unknown;
    try { F.mseLoss(zeros([0]), zeros([0])); } catch (x) { e = x; }
    expect(e).toBeInstanceOf(DlError);
    expect((e as DlError).fn).toBe('mseLoss');
  });
  it('loadStateDict(null) names itself', () => {
    expect(() => new Linear(2, 2).loadStateDict(null as never)).toThrow(/^loadStateDict: stateDict must be an object of tensors or a Map, got null/);
  });
});
