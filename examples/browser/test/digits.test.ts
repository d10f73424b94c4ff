import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeDigits, encodeDigits, PIXELS } from '../digits.js';

const split = (n: number) => fc.record({
  images: fc.float32Array({ minLength: n * PIXELS, maxLength: n * PIXELS, min: 0, max: 1, noNaN: true }),
  labels: fc.uint8Array({ minLength: n, maxLength: n, max: 9 }),
});

describe("the demo's digits binary", () => {
  it('reads back what was written: labels exactly, pixels within half a byte step', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.gen(), (nTrain, nTest, gen) => {
      const train = gen(() => split(nTrain));
      const test = gen(() => split(nTest));
      const back = decodeDigits(encodeDigits(train, test));
      for (const [orig, got] of [[train, back.train], [test, back.test]] as const) {
        expect(Array.from(got.labels)).toEqual(Array.from(orig.labels));
        orig.images.forEach((v, i) => expect(Math.abs(got.images[i]! / 255 - v)).toBeLessThanOrEqual(0.5 / 255 + 1e-7));
      }
    }), { numRuns: 30 });
  });

  it('refuses a truncated file, naming the sizes', () => {
    const bytes = encodeDigits({ images: new Float32Array(PIXELS), labels: [3] }, { images: new Float32Array(0), labels: [] });
    expect(() => decodeDigits(bytes.subarray(0, bytes.length - 1))).toThrow(/expected 793 bytes for 1 \+ 0 digits, got 792/);
    expect(() => decodeDigits(new Uint8Array(3))).toThrow(/too short/);
  });
});
