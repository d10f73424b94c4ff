// The digits the demo page trains on, as one small binary the server sends and the page reads:
// a header of two little-endian uint32 counts (train, test), then every image as 784 bytes (pixel ·
// 255, rounded), then every label as one byte; train images and labels first, then test.

/** Images as bytes (0-255, 784 per image) and labels (0-9), for one split. */
export interface DigitBytes {
  images: Uint8Array;
  labels: Uint8Array;
}

/** Side and pixels of one digit. */
export const SIDE = 28;
export const PIXELS = SIDE * SIDE;

/** Packs the train and test splits (pixel values in [0, 1]) into the demo's binary. */
export function encodeDigits(train: { images: Float32Array; labels: ArrayLike<number> }, test: { images: Float32Array; labels: ArrayLike<number> }): Uint8Array {
  const nTrain = train.labels.length;
  const nTest = test.labels.length;
  const out = new Uint8Array(8 + (nTrain + nTest) * (PIXELS + 1));
  const view = new DataView(out.buffer);
  view.setUint32(0, nTrain, true);
  view.setUint32(4, nTest, true);
  let at = 8;
  for (const split of [train, test]) {
    for (let i = 0; i < split.images.length; i++) out[at + i] = Math.round(Math.min(1, Math.max(0, split.images[i]!)) * 255);
    at += split.images.length;
    for (let i = 0; i < split.labels.length; i++) out[at + i] = split.labels[i]!;
    at += split.labels.length;
  }
  return out;
}

/** Reads the demo's binary back into its two splits; throws on a truncated or malformed file. */
export function decodeDigits(bytes: Uint8Array): { train: DigitBytes; test: DigitBytes } {
  if (bytes.length < 8) throw new Error(`digits: ${bytes.length} bytes is too short for the header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nTrain = view.getUint32(0, true);
  const nTest = view.getUint32(4, true);
  const need = 8 + (nTrain + nTest) * (PIXELS + 1);
  if (bytes.length !== need) throw new Error(`digits: expected ${need} bytes for ${nTrain} + ${nTest} digits, got ${bytes.length}`);
  let at = 8;
  const take = (n: number): Uint8Array => bytes.subarray(at, (at += n));
  const train = { images: take(nTrain * PIXELS), labels: take(nTrain) };
  const test = { images: take(nTest * PIXELS), labels: take(nTest) };
  return { train, test };
}
