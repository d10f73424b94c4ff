import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

// A binary form of the digits, so later runs skip parsing 21 MB of JSON. The pixels take few distinct
// values (256 in mnist 1.1.0), so each is stored as a one-byte code into a palette of float32 values:
// exact, and 4x smaller than float32.
//
// Layout (little-endian): magic "DLMNIST1" | u32 count | u32 pixels per image | u32 source bytes |
// u32 checksum of everything after the header | 8 reserved bytes | palette f32[256] |
// labels u8[count] | codes u8[count * pixels].
const MAGIC = 'DLMNIST1';
const HEADER_BYTES = 32;
const PALETTE_SIZE = 256;

/** The decoded digits: images row-major [count, pixels] in one array, labels 0-9. */
export interface DigitArrays {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  pixels: number;
}

// FNV-1a over 32-bit little-endian words (then the tail bytes): a quarter of the steps of a bytewise hash.
function checksum(bytes: Uint8Array, start: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const words = Math.floor((bytes.length - start) / 4);
  let h = 0x811c9dc5;
  let i = start;
  if ((bytes.byteOffset + start) % 4 === 0 && isLittleEndian) {
    const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset + start, words);
    for (let w = 0; w < words; w++) h = Math.imul(h ^ u32[w]!, 0x01000193);
    i += 4 * words;
  } else {
    for (let w = 0; w < words; w++, i += 4) h = Math.imul(h ^ view.getUint32(i, true), 0x01000193);
  }
  for (; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Encodes the digits, or returns null when the pixels take more than 256 distinct values. */
export function encodeDigits(d: DigitArrays, sourceBytes: number): Uint8Array | null {
  const codeOf = new Map<number, number>();
  const codes = new Uint8Array(d.images.length);
  let lastValue = Number.NaN;
  let lastCode = 0;
  for (let i = 0; i < d.images.length; i++) {
    const v = d.images[i]!;
    // Most pixels repeat their neighbour (runs of 0), so skip the Map for them.
    if (v === lastValue) {
      codes[i] = lastCode;
      continue;
    }
    let c = codeOf.get(v);
    if (c === undefined) {
      if (codeOf.size === PALETTE_SIZE || Number.isNaN(v)) return null;
      c = codeOf.size;
      codeOf.set(v, c);
    }
    codes[i] = c;
    lastValue = v;
    lastCode = c;
  }
  const bytes = new Uint8Array(HEADER_BYTES + 4 * PALETTE_SIZE + d.count + codes.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, d.count, true);
  view.setUint32(12, d.pixels, true);
  view.setUint32(16, sourceBytes, true);
  for (const [v, c] of codeOf) view.setFloat32(HEADER_BYTES + 4 * c, v, true);
  bytes.set(d.labels, HEADER_BYTES + 4 * PALETTE_SIZE);
  bytes.set(codes, HEADER_BYTES + 4 * PALETTE_SIZE + d.count);
  view.setUint32(20, checksum(bytes, HEADER_BYTES), true);
  return bytes;
}

/** Decodes a cache file, or returns null if it is not a complete, intact cache for these sources. */
export function decodeDigits(bytes: Uint8Array, pixels: number, sourceBytes: number): DigitArrays | null {
  if (bytes.length < HEADER_BYTES + 4 * PALETTE_SIZE) return null;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(8, true);
  if (view.getUint32(12, true) !== pixels || view.getUint32(16, true) !== sourceBytes) return null;
  if (bytes.length !== HEADER_BYTES + 4 * PALETTE_SIZE + count + count * pixels) return null;
  if (view.getUint32(20, true) !== checksum(bytes, HEADER_BYTES)) return null;
  const palette = new Float32Array(PALETTE_SIZE);
  for (let c = 0; c < PALETTE_SIZE; c++) palette[c] = view.getFloat32(HEADER_BYTES + 4 * c, true);
  const labelStart = HEADER_BYTES + 4 * PALETTE_SIZE;
  const labels = new Uint8Array(bytes.subarray(labelStart, labelStart + count));
  for (let i = 0; i < count; i++) if (labels[i]! > 9) return null;
  const codes = bytes.subarray(labelStart + count);
  const images = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) images[i] = palette[codes[i]!]!;
  return { images, labels, count, pixels };
}

/** Reads the first intact cache among `files`, or null. Unreadable files count as absent. */
export function readCache(files: readonly string[], pixels: number, sourceBytes: number): DigitArrays | null {
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    const digits = decodeDigits(bytes, pixels, sourceBytes);
    if (digits !== null) return digits;
  }
  return null;
}

/**
 * Writes `bytes` to the first of `files` whose directory is writable: to a temporary file first, then
 * renamed over the target, so a reader never sees half a cache. Failures are ignored (the cache is optional).
 */
export function writeCache(files: readonly string[], bytes: Uint8Array): string | null {
  for (const file of files) {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      return file;
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing more to clean up; the next candidate may work.
      }
    }
  }
  return null;
}
