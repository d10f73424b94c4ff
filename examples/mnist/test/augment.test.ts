import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Generator, tensor } from '@dl/autograd';
import { shiftImages } from '../augment.js';

/** Image i of `src` moved by (dy, dx), with `fill` where nothing moved in. */
function moved(src: ArrayLike<number>, i: number, c: number, h: number, w: number, dy: number, dx: number, fill: number): number[] {
  const out: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        const [sr, sq] = [r - dy, q - dx];
        out.push(sr < 0 || sr >= h || sq < 0 || sq >= w ? fill : src[((i * c + ch) * h + sr) * w + sq]!);
      }
    }
  }
  return out;
}

describe('shiftImages', () => {
  it('moves every image by one (dy, dx) within ±maxShift, filling the uncovered pixels, reproducibly', () => {
    const arb = fc.record({ n: fc.integer({ min: 1, max: 4 }), c: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }), s: fc.integer({ min: 0, max: 3 }), seed: fc.integer() });
    fc.assert(
      fc.property(arb, ({ n, c, h, w, s, seed }) => {
        const values = Array.from({ length: n * c * h * w }, (_, i) => i + 1);
        const x = tensor(values, { shape: [n, c, h, w] });
        const y = shiftImages(x, s, -1, new Generator(seed));
        expect(shiftImages(x, s, -1, new Generator(seed)).toArray()).toEqual(y.toArray());
        const size = c * h * w;
        for (let i = 0; i < n; i++) {
          const got = Array.from(y.data.subarray(i * size, (i + 1) * size));
          let found = false;
          for (let dy = -s; dy <= s && !found; dy++) for (let dx = -s; dx <= s && !found; dx++) found = moved(x.data, i, c, h, w, dy, dx, -1).every((v, k) => v === got[k]);
          expect(found, `image ${i} is not a shift of the input by at most ${s}`).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
  it('returns the images unchanged with maxShift 0', () => {
    const x = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    expect(shiftImages(x, 0, 0, new Generator(1))).toBe(x);
  });
});
