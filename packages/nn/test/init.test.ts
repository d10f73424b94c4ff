import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, zeros, type Tensor } from '@dl/autograd';
import { init } from '@dl/nn';
import { golden } from './support/golden.js';

/** A float64 tensor for an initialiser to fill. */
function empty(shape: readonly number[]): Tensor {
  return zeros(shape, { dtype: 'float64' });
}

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = Array.from(t.data);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const std = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
  return { mean, std, min: Math.min(...d), max: Math.max(...d) };
}

// With n ≥ 40000 samples the sample std is within ~1% of the true one (its relative error is about 1/√(2n)).
const SHAPE = [200, 100, 2, 1];
const FAN_IN = 200;
const FAN_OUT = 400;

describe('init: fans and gains as PyTorch computes them', () => {
  it('calculateFanInAndFanOut', () => {
    for (const f of golden.init.fans) expect(init.calculateFanInAndFanOut(zeros(f.shape))).toEqual({ fanIn: f.fanIn, fanOut: f.fanOut });
    expect(() => init.calculateFanInAndFanOut(zeros([5]))).toThrow(/calculateFanInAndFanOut: fan in and fan out cannot be computed for a tensor of shape \[5\]/);
  });

  it('calculateGain', () => {
    for (const [key, value] of Object.entries(golden.init.gains)) {
      const [nl, param] = key.split(':') as [init.Nonlinearity, string];
      expect(init.calculateGain(nl, param === 'None' ? undefined : Number(param))).toBeCloseTo(value as number, 14);
    }
    expect(() => init.calculateGain('swish' as init.Nonlinearity)).toThrow(/calculateGain: unsupported nonlinearity 'swish'/);
  });
});

describe('init: distributions', () => {
  it('uniform_ and normal_ draw from the requested distribution', () => {
    const u = stats(init.uniform_(empty(SHAPE), { a: -2, b: 6 }));
    expect(u.min).toBeGreaterThanOrEqual(-2);
    expect(u.max).toBeLessThan(6);
    expect(u.mean).toBeCloseTo(2, 1);
    expect(u.std / (8 / Math.sqrt(12))).toBeCloseTo(1, 1);
    const n = stats(init.normal_(empty(SHAPE), { mean: 1, std: 3 }));
    expect(n.mean).toBeCloseTo(1, 1);
    expect(n.std / 3).toBeCloseTo(1, 1);
  });

  it('constant_, zeros_, ones_', () => {
    expect(Array.from(init.constant_(empty([3]), 2.5).data)).toEqual([2.5, 2.5, 2.5]);
    expect(Array.from(init.zeros_(empty([2])).data)).toEqual([0, 0]);
    expect(Array.from(init.ones_(empty([2])).data)).toEqual([1, 1]);
  });

  it('kaimingUniform_: bound = gain·√(3/fan), default leaky_relu with a = 0 (gain √2)', () => {
    const bound = Math.SQRT2 * Math.sqrt(3 / FAN_IN);
    const s = stats(init.kaimingUniform_(empty(SHAPE)));
    expect(Math.max(-s.min, s.max)).toBeLessThanOrEqual(bound);
    expect(Math.max(-s.min, s.max)).toBeGreaterThan(0.99 * bound);
    expect(s.std / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
    const linearDefault = stats(init.kaimingUniform_(empty(SHAPE), { a: Math.sqrt(5) }));
    expect(Math.max(-linearDefault.min, linearDefault.max)).toBeLessThanOrEqual(1 / Math.sqrt(FAN_IN));
  });

  it('kaimingNormal_: std = gain/√fan, fan_out mode, relu gain', () => {
    const s = stats(init.kaimingNormal_(empty(SHAPE), { mode: 'fan_out', nonlinearity: 'relu' }));
    expect(s.mean).toBeCloseTo(0, 2);
    expect(s.std / (Math.SQRT2 / Math.sqrt(FAN_OUT))).toBeCloseTo(1, 1);
  });

  it('xavierUniform_ and xavierNormal_: scale by √(2/(fanIn + fanOut)) times the gain', () => {
    const std = Math.sqrt(2 / (FAN_IN + FAN_OUT));
    const u = stats(init.xavierUniform_(empty(SHAPE), { gain: 2 }));
    expect(Math.max(-u.min, u.max)).toBeLessThanOrEqual(2 * std * Math.sqrt(3));
    expect(u.std / (2 * std)).toBeCloseTo(1, 1);
    const n = stats(init.xavierNormal_(empty(SHAPE)));
    expect(n.std / std).toBeCloseTo(1, 1);
  });

  it('uses the seeded default generator, or the one given', () => {
    manualSeed(11);
    const a = Array.from(init.normal_(empty([5])).data);
    manualSeed(11);
    expect(Array.from(init.normal_(empty([5])).data)).toEqual(a);
    const b = Array.from(init.kaimingUniform_(empty([4, 3]), { generator: new Generator(4) }).data);
    expect(Array.from(init.kaimingUniform_(empty([4, 3]), { generator: new Generator(4) }).data)).toEqual(b);
  });

  it('bad arguments', () => {
    expect(() => init.kaimingUniform_(empty([3]))).toThrow(/fan in and fan out cannot be computed for a tensor of shape \[3\]/);
    expect(() => init.kaimingNormal_(empty([2, 2]), { mode: 'fan_avg' as init.FanMode })).toThrow(/kaimingNormal_: mode must be 'fan_in' or 'fan_out', got 'fan_avg'/);
    expect(() => init.kaimingUniform_(empty([3, 0]))).toThrow(/kaimingUniform_: cannot initialise a tensor of shape \[3,0\] with zero fan_in/);
    expect(() => init.uniform_(empty([2]), { a: 1, b: 0 })).toThrow(/uniform_: expects a <= b, got a 1 and b 0/);
    expect(() => init.normal_(empty([2]), { std: -1 })).toThrow(/normal_: std must be non-negative, got -1/);
  });
});
