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

  it("checkOutputPadding and transposeOutputSize: a transposed convolution's output padding below the stride or the dilation, and an output of at least 1", () => {
    const g = { stride: [2, 1], padding: [1, 0], outputPadding: [1, 1], dilation: [1, 2] } as const;
    expect(() => checks.checkOutputPadding('ConvTranspose2d', g)).not.toThrow();
    expect(() => checks.checkOutputPadding('ConvTranspose2d', { ...g, outputPadding: [2, 1] })).toThrow(
      /^ConvTranspose2d: outputPadding must be smaller than either stride or dilation, got outputPadding \(2, 1\), stride \(2, 1\), dilation \(1, 2\)$/,
    );
    // (H − 1)·s − 2p + d·(k − 1) + outputPadding + 1, per dim, from the last two dims of the shape.
    expect(checks.transposeOutputSize('convTranspose2d', [3, 4, 5], [3, 2], g)).toEqual([(4 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1, (5 - 1) * 1 - 2 * 0 + 2 * (2 - 1) + 1 + 1]);
    expect(() => checks.transposeOutputSize('convTranspose2d', [1, 1, 1, 1], [1, 1], { stride: [1, 1], padding: [1, 1], outputPadding: [0, 0], dilation: [1, 1] })).toThrow(
      /^convTranspose2d: output size -1x-1 is too small \(input shape \[1,1,1,1\], kernel 1x1, stride 1,1, padding 1,1, dilation 1,1\)$/,
    );
  });
});
