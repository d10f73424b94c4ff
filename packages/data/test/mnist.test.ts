import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor } from '@dl/autograd';
import { loadMnist, type Mnist } from '@dl/data';
import { decodeDigits, encodeDigits } from '../src/mnistCache.js';
import { defaultCacheDirs } from '../src/mnist.js';

const PIXELS = 784;
const packageDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;

/** A hash of one image's float32 bits, to compare images without building strings. */
function imageHash(data: Float32Array, start: number): string {
  const bits = new Uint32Array(data.buffer, data.byteOffset + 4 * start, PIXELS);
  let h1 = 0x811c9dc5;
  let h2 = 0x12345678;
  for (let i = 0; i < PIXELS; i++) {
    h1 = Math.imul(h1 ^ bits[i]!, 0x01000193);
    h2 = Math.imul(h2 + bits[i]!, 0x9e3779b1) ^ (h2 >>> 15);
  }
  return `${h1 >>> 0}:${h2 >>> 0}`;
}

/** The package's own digits, read straight from its JSON: image hash -> label. */
function packageImages(): { byImage: Map<string, number>; counts: number[] } {
  const byImage = new Map<string, number>();
  const counts: number[] = [];
  for (let d = 0; d < 10; d++) {
    const data = Float32Array.from((JSON.parse(readFileSync(join(packageDir, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] }).data);
    counts.push(data.length / PIXELS);
    for (let i = 0; i < data.length; i += PIXELS) byImage.set(imageHash(data, i), d);
  }
  return { byImage, counts };
}

function imageKeys(images: Tensor): string[] {
  const keys: string[] = [];
  for (let i = 0; i < images.shape[0]!; i++) keys.push(imageHash(images.data as Float32Array, i * PIXELS));
  return keys;
}

let cacheDir: string;
let mnist: Mnist;

beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'dl-mnist-test-'));
  mnist = loadMnist({ cacheDir });
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('loadMnist', () => {
  it('gives float32 images [N,1,28,28] in [0,1] and labels [N], 8000/2000 by default', () => {
    const { train, test } = mnist;
    expect(train.images.shape).toEqual([8000, 1, 28, 28]);
    expect(train.labels.shape).toEqual([8000]);
    expect(test.images.shape).toEqual([2000, 1, 28, 28]);
    expect(test.labels.shape).toEqual([2000]);
    expect(train.images.dtype).toBe('float32');
    for (const split of [train, test]) {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const v of split.images.data) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
      // MNIST's mean pixel is about 0.13.
      expect(sum / split.images.data.length).toBeGreaterThan(0.1);
      expect(sum / split.images.data.length).toBeLessThan(0.16);
      expect(split.labels.data.filter((l) => !(Number.isInteger(l) && l >= 0 && l <= 9)).length).toBe(0);
    }
  });

  it('pairs every image with its label, values exactly as in the package, train and test disjoint', () => {
    const { byImage, counts } = packageImages();
    const trainKeys = imageKeys(mnist.train.images);
    const testKeys = imageKeys(mnist.test.images);
    const classCounts = new Array<number>(10).fill(0);
    const mismatches = (keys: string[], labels: Tensor) =>
      keys.filter((k, i) => {
        classCounts[labels.data[i]!]!++;
        return byImage.get(k) !== labels.data[i];
      }).length;
    expect(byImage.size).toBe(10000);
    expect(mismatches(trainKeys, mnist.train.labels)).toBe(0);
    expect(mismatches(testKeys, mnist.test.labels)).toBe(0);
    const all = new Set([...trainKeys, ...testKeys]);
    expect(all.size).toBe(10000);
    // 8000 + 2000 is the whole package, so the class counts are the package's.
    expect(classCounts).toEqual(counts);
  });

  it('draws a random split: every class appears in both sets in about its share', () => {
    for (const [split, n] of [[mnist.train, 8000], [mnist.test, 2000]] as const) {
      const counts = new Array<number>(10).fill(0);
      for (const l of split.labels.data) counts[l]!++;
      // Each class is 8.6% to 11.3% of the package; a random draw stays within a few points of that.
      for (const c of counts) {
        expect(c / n).toBeGreaterThan(0.06);
        expect(c / n).toBeLessThan(0.14);
      }
    }
    // Not grouped by class: the first 100 training labels hold many classes.
    expect(new Set(mnist.train.labels.data.subarray(0, 100)).size).toBeGreaterThanOrEqual(8);
  });

  it('is determined by the seed', () => {
    const again = loadMnist({ cacheDir, trainSize: 300, testSize: 100 });
    expect(firstDifference(again.train.labels.data, mnist.train.labels.data.subarray(0, 300))).toBe(-1);
    expect(firstDifference(again.train.images.data, mnist.train.images.data.subarray(0, 300 * PIXELS))).toBe(-1);
    const other = loadMnist({ cacheDir, seed: 1, trainSize: 300, testSize: 100 });
    expect(firstDifference(other.train.labels.data, again.train.labels.data)).not.toBe(-1);
    const same = loadMnist({ cacheDir, seed: 1, trainSize: 300, testSize: 100 });
    expect(firstDifference(same.test.images.data, other.test.images.data)).toBe(-1);
  });

  it('rejects sizes that are negative, fractional or exceed the 10,000 digits', () => {
    expect(() => loadMnist({ cacheDir, trainSize: 9000, testSize: 2000 })).toThrow(/loadMnist: trainSize 9000 \+ testSize 2000 exceeds the 10000 digits/);
    expect(() => loadMnist({ cacheDir, trainSize: -1 })).toThrow(/loadMnist: trainSize must be a non-negative integer, got -1/);
    expect(() => loadMnist({ cacheDir, testSize: 0.5 })).toThrow(/loadMnist: testSize must be a non-negative integer/);
  });

  it('says clearly when the dataset package is missing or incomplete', () => {
    const empty = mkdtempSync(join(tmpdir(), 'dl-mnist-missing-'));
    try {
      expect(() => loadMnist({ packageDir: join(empty, 'nope'), cache: false })).toThrow(/loadMnist: no 'mnist' dataset package at .*nope/);
      writeFileSync(join(empty, 'package.json'), JSON.stringify({ name: 'mnist', version: '1.1.0' }));
      expect(() => loadMnist({ packageDir: empty, cache: false })).toThrow(/loadMnist: the dataset package at .* is incomplete: .*0\.json is missing/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('loadMnist on a small stand-in package', () => {
  /** A package of ten digit files holding `perDigit` images each, pixel p of digit d's image i = ((d*7+i+p) % 256)/255, to 3 places. */
  function fakePackage(perDigit: number, edit?: (digit: number, text: string) => string): string {
    const dir = mkdtempSync(join(tmpdir(), 'dl-mnist-fake-'));
    mkdirSync(join(dir, 'src', 'digits'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mnist', version: '0.0.0-test' }));
    for (let d = 0; d < 10; d++) {
      const values: number[] = [];
      for (let i = 0; i < perDigit; i++) for (let p = 0; p < PIXELS; p++) values.push(Math.round((((d * 7 + i + p) % 256) / 255) * 1000) / 1000);
      const text = JSON.stringify({ data: values });
      writeFileSync(join(dir, 'src', 'digits', `${d}.json`), edit ? edit(d, text) : text);
    }
    return dir;
  }

  it('reads the package format, labels from the file names, through the fast scanner or JSON.parse alike', () => {
    const plain = fakePackage(2);
    // An exponent and extra keys are valid JSON the scanner leaves to JSON.parse.
    const unusual = fakePackage(2, (_, text) => text.replace(/\{"data":\[([^,]*),/, '{"note":"x","data":[$1e0,'));
    try {
      const a = loadMnist({ packageDir: plain, cache: false, trainSize: 12, testSize: 8, seed: 3 });
      const b = loadMnist({ packageDir: unusual, cache: false, trainSize: 12, testSize: 8, seed: 3 });
      expect(firstDifference(a.train.images.data, b.train.images.data)).toBe(-1);
      expect([...a.train.labels.data, ...a.test.labels.data].sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
      for (let k = 0; k < 12; k++) {
        const d = a.train.labels.data[k]!;
        const first = a.train.images.data[k * PIXELS]!;
        // Pixel 0 of image i of digit d is ((7d + i) % 256)/255 for i = 0 or 1.
        expect([0, 1].map((i) => Math.fround(Math.round(((d * 7 + i) / 255) * 1000) / 1000))).toContain(first);
      }
    } finally {
      rmSync(plain, { recursive: true, force: true });
      rmSync(unusual, { recursive: true, force: true });
    }
  });

  it('rejects values outside [0, 1], broken JSON and partial images, naming the file', () => {
    const cases: [(d: number, t: string) => string, RegExp][] = [
      [(d, t) => (d === 3 ? t.replace(/\[[^,]*,/, '[2,') : t), /loadMnist: .*3\.json has value 2 at 0, outside \[0, 1\]/],
      [(d, t) => (d === 4 ? t.slice(0, -5) : t), /loadMnist: cannot parse .*4\.json/],
      [(d, t) => (d === 5 ? t.replace(/\[[^,]*,/, '[') : t), /loadMnist: .*5\.json holds 1567 values, not a whole number of 784-pixel images/],
      [(d, t) => (d === 6 ? '{"data":{}}' : t), /loadMnist: .*6\.json should hold \{ "data": \[\.\.\.\] \}/],
    ];
    for (const [edit, message] of cases) {
      const dir = fakePackage(2, edit);
      try {
        expect(() => loadMnist({ packageDir: dir, cache: false, trainSize: 1, testSize: 1 })).toThrow(message);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe('the MNIST cache', () => {
  const cacheFile = () => join(cacheDir, `mnist-${version}.bin`);

  it('is written on first use, keyed by the package version, and gives the same digits as parsing', () => {
    expect(decodeDigits(readFileSync(cacheFile()), PIXELS, sourceBytesOf(readFileSync(cacheFile())))).not.toBeNull();
    const parsed = loadMnist({ cache: false, trainSize: 500, testSize: 500 });
    const cached = loadMnist({ cacheDir, trainSize: 500, testSize: 500 });
    expect(firstDifference(cached.train.images.data, parsed.train.images.data)).toBe(-1);
    expect(firstDifference(cached.test.labels.data, parsed.test.labels.data)).toBe(-1);
  });

  it('is read when intact (a planted, valid cache is what loads)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-mnist-plant-'));
    try {
      const real = readFileSync(cacheFile());
      const digits = decodeDigits(real, PIXELS, sourceBytesOf(real))!;
      digits.images.fill(0.5);
      writeFileSync(join(dir, `mnist-${version}.bin`), encodeDigits(digits, sourceBytesOf(real))!);
      const m = loadMnist({ cacheDir: dir, trainSize: 10, testSize: 10 });
      expect(new Set(m.train.images.data)).toEqual(new Set([0.5]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is ignored and rewritten when corrupt, truncated or garbage', () => {
    // The intact cache was checked against parsing above.
    const reference = loadMnist({ cacheDir, trainSize: 200, testSize: 200 });
    const dir = mkdtempSync(join(tmpdir(), 'dl-mnist-corrupt-'));
    const file = join(dir, `mnist-${version}.bin`);
    const good = readFileSync(cacheFile());
    const flipped = Uint8Array.from(good);
    flipped[5_000_000] = flipped[5_000_000]! ^ 0x10;
    const corruptions: [string, Uint8Array][] = [
      ['a flipped bit', flipped],
      ['truncated', good.subarray(0, good.length - 1000)],
      ['garbage', new TextEncoder().encode('not a cache')],
    ];
    try {
      for (const [, bytes] of corruptions) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, bytes);
        const m = loadMnist({ cacheDir: dir, trainSize: 200, testSize: 200 });
        expect(firstDifference(m.train.images.data, reference.train.images.data)).toBe(-1);
        expect(firstDifference(m.test.labels.data, reference.test.labels.data)).toBe(-1);
        expect(firstDifference(readFileSync(file), good)).toBe(-1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lives by default in the project's node_modules/.cache, else the temporary directory", () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    expect(defaultCacheDirs(packageDir)).toEqual([join(root, 'node_modules', '.cache', 'dl-mnist'), join(tmpdir(), 'dl-mnist')]);
  });

  it('still loads when the cache directory cannot be written', () => {
    const blocker = join(cacheDir, 'a-file');
    writeFileSync(blocker, 'x');
    const m = loadMnist({ cacheDir: join(blocker, 'sub'), trainSize: 5, testSize: 5 });
    expect(m.train.images.shape).toEqual([5, 1, 28, 28]);
  });
});

/** Where two arrays first differ (-1 if equal): vitest's deep equality is too slow for millions of elements. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function sourceBytesOf(cache: Uint8Array): number {
  return new DataView(cache.buffer, cache.byteOffset, cache.byteLength).getUint32(16, true);
}
