import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineOp, detectAnomaly, div, exp, isGradEnabled, log, mul, softmax, sqrt, sum, tensor, type Tensor } from '@dl/autograd';

const f64 = { dtype: 'float64' as const };
const source = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
/** The 1-based line of this file that holds `marker` in a comment. */
const lineOf = (marker: string) => source.findIndex((l) => l.includes(`// ${marker}`) && !l.includes('lineOf')) + 1;
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
};

/** The first stack frame named in an anomaly message. */
const firstFrame = (message: string) => message.split('\n').find((l) => /^\s+at /.test(l)) ?? '';

describe('detectAnomaly in forward', () => {
  it('names the op and the user’s line when log of a negative gives NaN', () => {
    const x = tensor([1, -1], { ...f64, requiresGrad: true });
    const message = messageOf(() =>
      detectAnomaly(() => {
        const y = log(x); // LOG-CALL
        return sum(y);
      }),
    );
    expect(message).toMatch(/^detectAnomaly: 'log' produced NaN in its forward output \(element 1 of shape \[2\]\)/);
    expect(message).toMatch(/The op was called at:/);
    expect(firstFrame(message)).toMatch(new RegExp(`anomaly\\.test\\.ts:${lineOf('LOG-CALL')}:`));
  });

  it('reports infinities and inputs that do not require grad too', () => {
    const message = messageOf(() => detectAnomaly(() => div(tensor([1, 2]), tensor([1, 0]))));
    expect(message).toMatch(/'div' produced Infinity in its forward output \(element 1 of shape \[2\]\)/);
  });

  it('points past library frames to the caller of a composed op', () => {
    const x = tensor([[0, 1e30, Infinity]], f64);
    const message = messageOf(() => detectAnomaly(() => softmax(x, 1))); // SOFTMAX-CALL
    // softmax is composed; whichever inner op overflows first is named, and the frame is still ours.
    expect(message).toMatch(/detectAnomaly: '\w+' produced (NaN|-?Infinity) in its forward output/);
    expect(firstFrame(message)).toMatch(new RegExp(`anomaly\\.test\\.ts:${lineOf('SOFTMAX-CALL')}:`));
  });

  it('does nothing when every value is finite, and restores the mode', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const y = detectAnomaly(() => sum(log(x)));
    y.backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 0.5]);
    expect(detectAnomaly(() => 7)).toBe(7);
    expect(isGradEnabled()).toBe(true);
  });

  it('is off outside detectAnomaly: NaN flows through silently and no stack is kept', () => {
    const x = tensor([-1], { ...f64, requiresGrad: true });
    const y = log(x);
    expect(Number.isNaN(y.item())).toBe(true);
    expect(y.gradFn!.stack).toBeUndefined();
  });
});

describe('detectAnomaly in backward', () => {
  it('names sqrt, not the div inside its rule, and the forward call site, when its gradient at 0 is infinite', () => {
    const x = tensor([4, 0], { ...f64, requiresGrad: true });
    const message = messageOf(() =>
      detectAnomaly(() => {
        const r = sqrt(x); // SQRT-CALL
        sum(mul(r, 3)).backward();
      }),
    );
    expect(message).toMatch(/^detectAnomaly: 'sqrt' produced Infinity in the gradient its backward computed for input 0 \(element 1 of shape \[2\]\)/);
    expect(firstFrame(message)).toMatch(new RegExp(`anomaly\\.test\\.ts:${lineOf('SQRT-CALL')}:`));
  });

  it('catches a NaN from a custom op’s backward and names that op', () => {
    const bad = defineOp<undefined>({
      name: 'badBackward',
      forward: ([a]) => a!.clone(),
      backward: ({ grad }) => [mul(grad, NaN)],
    });
    const x = tensor([1], { ...f64, requiresGrad: true });
    const message = messageOf(() => detectAnomaly(() => sum(exp(bad([x], undefined))).backward())); // CUSTOM-CALL
    expect(message).toMatch(/'badBackward' produced NaN in the gradient its backward computed for input 0/);
    expect(firstFrame(message)).toMatch(new RegExp(`anomaly\\.test\\.ts:${lineOf('CUSTOM-CALL')}:`));
  });

  it('outside detectAnomaly the same backward gives an infinite gradient without complaint', () => {
    const x = tensor([0], { ...f64, requiresGrad: true });
    sum(sqrt(x)).backward();
    expect(x.grad!.item()).toBe(Infinity);
  });

  it('checks a backward run inside detectAnomaly even for a graph recorded outside it, without a call site', () => {
    const x = tensor([0], { ...f64, requiresGrad: true });
    const y: Tensor = sum(sqrt(x));
    const message = messageOf(() => detectAnomaly(() => y.backward()));
    expect(message).toMatch(/'sqrt' produced Infinity .* call site is unknown/s);
  });
});
