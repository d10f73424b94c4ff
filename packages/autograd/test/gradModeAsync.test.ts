// noGrad / enableGrad refuse an async function (issue 9): the mode would end at its first await and the
// ops after it would be recorded silently; the error says what to do instead.
import { describe, expect, it } from 'vitest';
import { detectAnomaly, DlError, enableGrad, isGradEnabled, noGrad, tensor } from '@dl/autograd';

describe('grad mode and promises', () => {
  it('noGrad(async () => ...) throws, naming the misuse and the fix, and restores the mode', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    let after: boolean | undefined;
    const run = () =>
      noGrad(async () => {
        await Promise.resolve();
        after = x.mul(2).requiresGrad;
      });
    expect(run).toThrow(DlError);
    expect(run).toThrow(/noGrad: fn returned a Promise \(an async function\?\); the grad mode cannot follow an await.*call noGrad around the synchronous work inside the async function/);
    expect(isGradEnabled()).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(after).toBe(true); // what would have happened silently: the op after the await was recorded
  });
  it('enableGrad refuses a promise too; a rejected one does not surface as an unhandled rejection', async () => {
    expect(() => noGrad(() => enableGrad(() => Promise.reject(new Error('boom'))))).toThrow(/enableGrad: fn returned a Promise/);
    expect(() => enableGrad(() => ({ then: 1 }))).not.toThrow(); // not a thenable
    expect(() => detectAnomaly(async () => 1)).toThrow(/detectAnomaly: fn returned a Promise/);
    await new Promise((r) => setTimeout(r, 0));
  });
  it('the documented way: noGrad around the synchronous step inside the async function', async () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const step = async () => {
      await Promise.resolve();
      return noGrad(() => x.mul(2));
    };
    expect((await step()).requiresGrad).toBe(false);
  });
});
