// Data augmentation for the main job: each training image moves by a random whole number of pixels, as
// torchvision's RandomAffine(degrees=0, translate=...) does, so the model sees a shifted digit each epoch.
import { Tensor, type Generator } from '@dl/autograd';

/**
 * A copy of the images [N, C, H, W] with each image shifted by dy, dx drawn uniformly from
 * [−maxShift, maxShift]; uncovered pixels take `fill` (the standardised background).
 * @example shiftImages(x, 1, (0 - 0.1307) / 0.3081, new Generator(0))
 */
export function shiftImages(x: Tensor, maxShift: number, fill: number, g: Generator): Tensor {
  if (maxShift === 0) return x;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const src = x.data;
  const out = new Float32Array(x.numel()).fill(fill);
  for (let i = 0; i < n; i++) {
    const dy = g.integer(-maxShift, maxShift + 1);
    const dx = g.integer(-maxShift, maxShift + 1);
    const [r0, r1] = [Math.max(0, dy), Math.min(h, h + dy)];
    const [c0, c1] = [Math.max(0, dx), Math.min(w, w + dx)];
    if (c0 >= c1) continue; // shifted out of the image entirely
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * h * w;
      for (let r = r0; r < r1; r++) {
        const from = base + (r - dy) * w - dx;
        out.set(src.subarray(from + c0, from + c1), base + r * w + c0);
      }
    }
  }
  return new Tensor(out, x.shape);
}
