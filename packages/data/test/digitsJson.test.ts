import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scanDigitJson } from '../src/digitsJson.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const space = fc.constantFrom('', ' ', '\n', ' \r\n\t');

describe('scanDigitJson', () => {
  it('reads what JSON.parse reads, as float32, for the package format with any spacing', () => {
    const value = fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((k) => Math.round((k / 255) * 1000) / 1000),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(0, 1),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), space, space, (values, s1, s2) => {
        const text = `${s1}{${s2}"data"${s1}:${s2}[${values.map((v) => `${s1}${String(v)}${s2}`).join(',')}]${s1}}${s2}`;
        const expected = Float32Array.from((JSON.parse(text) as { data: number[] }).data);
        const got = scanDigitJson(bytes(text));
        // Exponents (1e-7) and decimals longer than 15 digits are left to JSON.parse; others must be read exactly.
        const plain = (v: number) => /^[01](\.\d{1,15})?$/.test(String(v));
        if (!values.every(plain)) expect(got === null || got.every((x, i) => Object.is(x, expected[i]))).toBe(true);
        else expect(got).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('returns null for anything else, so the caller falls back to JSON.parse', () => {
    for (const text of [
      '{"data":[1.5]}',
      '{"data":[-0.1]}',
      '{"data":[2]}',
      '{"data":[00.5]}',
      '{"data":[0.]}',
      '{"data":[.5]}',
      '{"data":[0,]}',
      '{"data":[0 0]}',
      '{"data":[0]} x',
      '{"data":[0]',
      '{"dat":[0]}',
      '{" data":[0]}',
      '{"data":[0],"more":1}',
      '[0]',
      '',
    ]) {
      expect([text, scanDigitJson(bytes(text))]).toEqual([text, null]);
    }
  });
});
