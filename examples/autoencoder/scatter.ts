// The VAE's 2-D latent space as an SVG scatter plot, one colour per digit class.

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Points (codes[2i], codes[2i+1]) of `n` digits coloured by `labels[i]`, with a legend of the ten classes. */
export function latentScatterSvg(codes: ArrayLike<number>, labels: ArrayLike<number>, n: number, size = 520): string {
  const xs = Array.from({ length: n }, (_, i) => codes[2 * i]!);
  const ys = Array.from({ length: n }, (_, i) => codes[2 * i + 1]!);
  const pad = 40;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (size - 2 * pad);
  const sy = (y: number) => size - pad - ((y - y0) / (y1 - y0 || 1)) * (size - 2 * pad);
  const dots = xs.map((x, i) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(ys[i]!).toFixed(1)}" r="2.2" fill="${PALETTE[labels[i]! % 10]}" fill-opacity="0.7"/>`);
  const legend = PALETTE.map((c, d) => `<rect x="${size + 10}" y="${pad + d * 20}" width="12" height="12" fill="${c}"/><text x="${size + 28}" y="${pad + d * 20 + 11}">${d}</text>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 60}" height="${size}" viewBox="0 0 ${size + 60} ${size}" font-family="sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n` +
    `<text x="${size / 2}" y="20" text-anchor="middle" font-size="14">VAE latent means of ${n} test digits</text>\n` +
    `<rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" fill="none" stroke="#888"/>\n` +
    `${dots.join('\n')}\n${legend.join('\n')}\n</svg>\n`
  );
}
