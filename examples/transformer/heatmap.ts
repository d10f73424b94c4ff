// Attention weights as SVG heat maps: one panel per (layer, head), queries down, keys across.

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** White (0) to dark blue (1). */
function shade(w: number): string {
  const v = Math.max(0, Math.min(1, w));
  const r = Math.round(255 - 224 * v);
  const g = Math.round(255 - 136 * v);
  const b = Math.round(255 - 75 * v);
  return `rgb(${r},${g},${b})`;
}

/**
 * Renders `maps[layer][head]` ([T, T] rows of weights, each row summing to 1) as a grid of heat maps,
 * one row of panels per layer, with the query tokens down the left and the key tokens along the top.
 */
export function attentionHeatmapSvg(maps: number[][][][], queryTokens: readonly string[], keyTokens: readonly string[], title: string): string {
  const T = queryTokens.length;
  const cell = Math.max(12, Math.min(28, Math.floor(240 / T)));
  const panel = cell * T;
  const margin = { left: 28, top: 56, gap: 36 };
  const layers = maps.length;
  const heads = Math.max(...maps.map((l) => l.length));
  const width = margin.left + heads * (panel + margin.gap);
  const height = margin.top + layers * (panel + margin.gap + 14);
  const out: string[] = [];
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  maps.forEach((layer, l) => {
    layer.forEach((rows, h) => {
      const x0 = margin.left + h * (panel + margin.gap);
      const y0 = margin.top + l * (panel + margin.gap + 14);
      out.push(`<text x="${x0 + panel / 2}" y="${y0 - 20}" text-anchor="middle">layer ${l + 1}, head ${h + 1}</text>`);
      keyTokens.forEach((t, j) => out.push(`<text x="${x0 + j * cell + cell / 2}" y="${y0 - 4}" text-anchor="middle" font-size="10">${esc(t)}</text>`));
      queryTokens.forEach((t, i) => out.push(`<text x="${x0 - 4}" y="${y0 + i * cell + cell / 2 + 4}" text-anchor="end" font-size="10">${esc(t)}</text>`));
      rows.forEach((row, i) => {
        row.forEach((w, j) => out.push(`<rect x="${x0 + j * cell}" y="${y0 + i * cell}" width="${cell}" height="${cell}" fill="${shade(w)}"><title>${w.toFixed(3)}</title></rect>`));
      });
      out.push(`<rect x="${x0}" y="${y0}" width="${panel}" height="${panel}" fill="none" stroke="#888"/>`);
    });
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${out.join('\n')}\n</svg>\n`
  );
}
