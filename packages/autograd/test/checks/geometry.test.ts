import { describe, expect, it } from 'vitest';
import { checks } from '@dl/autograd';

// The window checks every package shares (autograd's unfold, conv2d and maxPool2d; nn's layers and the
// manual twins): one rule and one message each, naming whoever called them.

describe('the shared window checks', () => {
  it('pair: an integer or a pair of integers of at least min, else an error naming the caller and the argument', () => {
    expect(checks.pair('Conv2d', 'stride', 2, 1)).toEqual([2, 2]);
    expect(checks.pair('Conv2d', 'padding', [0, 3], 0)).toEqual([0, 3]);
    for (const bad of [0, 1.5, [1], [1, 2, 3], [1, 0], 'same', null]) {
      expect(() => checks.pair('Conv2d', 'stride', bad as never, 1)).toThrow(/^Conv2d: stride must be positive integers, got /);
    }
    expect(() => checks.pair('MaxPool2d', 'padding', -1, 0)).toThrow(/^MaxPool2d: padding must be non-negative integers, got -1/);
  });

  it('checkPoolPadding: padding at most half the kernel in each dim', () => {
    expect(() => checks.checkPoolPadding('AvgPool2d', [3, 4], [1, 2])).not.toThrow();
    expect(() => checks.checkPoolPadding('AvgPool2d', [3, 4], [2, 2])).toThrow(/^AvgPool2d: padding 2,2 must be at most half the kernel size 3x4$/);
    expect(() => checks.checkPoolPadding('AvgPool2d', [3, 4], [1, 3])).toThrow(/^AvgPool2d: padding 1,3 must be/);
  });

  it('checkWindowFits: the dilated kernel within the padded input, for inputs with any leading dims', () => {
    expect(() => checks.checkWindowFits('MaxPool2d', [3, 4, 4], [3, 3], [0, 0])).not.toThrow();
    expect(() => checks.checkWindowFits('MaxPool2d', [3, 2, 4], [3, 3], [0, 0])).toThrow(
      /^MaxPool2d: kernel 3x3 is larger than the padded input 2x4 \(input shape \[3,2,4\], padding 0,0\)$/,
    );
    expect(() => checks.checkWindowFits('Conv2d', [1, 1, 4, 6], [3, 3], [1, 1], [3, 1])).toThrow(
      /^Conv2d: kernel 3x3 \(extent 7x3 with dilation 3,1\) is larger than the padded input 6x8 \(input shape \[1,1,4,6\], padding 1,1\)$/,
    );
    expect(() => checks.checkWindowFits('Conv2d', [1, 1, 5, 6], [3, 3], [1, 1], [3, 1])).not.toThrow(); // 7 rows in 7
  });
});
