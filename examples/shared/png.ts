// Image grids as PNG files (through pngjs): rows of grayscale digits, as the examples show them.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/** Options of `grayGridPng`. */
export interface GridOptions {
  /** Images per row. */
  columns: number;
  /** Each pixel drawn as a scale × scale block (2 by default). */
  scale?: number;
  /** Pixels of white space between images (2 by default). */
  gap?: number;
}

/**
 * Encodes `count` grayscale images of height × width, read from `pixels` (values in [0, 1], image
 * after image, row-major; values outside are clamped), as one PNG grid with white gaps.
 */
export function grayGridPng(pixels: ArrayLike<number>, count: number, height: number, width: number, o: GridOptions): Buffer {
  if (pixels.length < count * height * width) throw new Error(`grayGridPng: ${pixels.length} values cannot hold ${count} images of ${height}x${width}`);
  const scale = o.scale ?? 2;
  const gap = o.gap ?? 2;
  const cols = Math.min(o.columns, count);
  const rows = Math.ceil(count / cols);
  const png = new PNG({ width: gap + cols * (width * scale + gap), height: gap + rows * (height * scale + gap) });
  png.data.fill(255);
  for (let n = 0; n < count; n++) {
    const x0 = gap + (n % cols) * (width * scale + gap);
    const y0 = gap + Math.floor(n / cols) * (height * scale + gap);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        // Ink is dark on white paper, as digits are usually shown.
        const v = 255 - Math.round(255 * Math.min(1, Math.max(0, pixels[n * height * width + i * width + j]!)));
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const at = 4 * ((y0 + i * scale + dy) * png.width + x0 + j * scale + dx);
            png.data[at] = v;
            png.data[at + 1] = v;
            png.data[at + 2] = v;
            png.data[at + 3] = 255;
          }
        }
      }
    }
  }
  return PNG.sync.write(png);
}

/** Writes `grayGridPng(...)` to `path`. */
export function writeGrayGrid(path: string, pixels: ArrayLike<number>, count: number, height: number, width: number, o: GridOptions): void {
  writeFileSync(path, grayGridPng(pixels, count, height, width, o));
}
