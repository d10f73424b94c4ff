import { DlError } from './checks/error.js';
import { api, sig } from './checks/guard.js';
import * as K from './checks/kinds.js';
/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32): the same seed gives
 * the same numbers on every platform.
 * @example const g = new Generator(42); g.uniform(); g.normal();
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed = Date.now()) {
    this.manualSeed(seed);
  }

  /** Restarts the sequence from `seed` (an integer; seeds up to 2^53 are all distinct). */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new DlError(`manualSeed: seed must be a finite number, got ${seed}`);
    const whole = Math.floor(seed);
    const mix = (x: number) => () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const next = mix(whole >>> 0);
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // The high 32 bits (and the sign) are folded in only when present, so 32-bit seeds keep their streams.
    const high = Math.floor(whole / 4294967296);
    if (high !== 0) {
      const more = mix((high ^ 0x6a09e667) >>> 0);
      this.s0 ^= more();
      this.s1 ^= more();
      this.s2 ^= more();
      this.s3 ^= more();
    }
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // xoshiro must not start from all zeros
    this.spare = null;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal number (Box–Muller, using both values of each pair). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.uniform() * (high - low));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The argument kind of a `generator` option (re-exported as `checks.generator`). */
export const generatorKind: K.Kind = K.instance(Generator, 'a Generator');

/** The generator used when none is passed, as PyTorch's default generator. */
export const defaultGenerator = new Generator(0x5eed);

/** Seeds the default generator, so a run with the same seed gives the same numbers. @example manualSeed(0) */
export const manualSeed = api(sig('manualSeed', ['seed', K.number]), function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
});
