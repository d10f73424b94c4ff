// An SVG line chart of training and test curves, written without dependencies.

/** One curve: a name, a colour, its points (x, y), whether it is drawn dashed, and whether the legend lists it. */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  /** Leave it out of the legend (a curve whose colour another entry already explains). */
  unlisted?: boolean;
}

/** Options of a chart. */
export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Where the legend goes, out of the curves' way (top left by default). */
  legend?: 'top-left' | 'top-right' | 'bottom-right';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Renders line charts side by side in one SVG document. */
export function renderCharts(charts: { options: ChartOptions; series: Series[] }[]): string {
  const w = charts[0]?.options.width ?? 480;
  const h = charts[0]?.options.height ?? 320;
  const parts = charts.map((c, i) => `<g transform="translate(${i * w},0)">${chart(c.options, c.series, w, h)}</g>`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w * charts.length}" height="${h}" ` +
    `viewBox="0 0 ${w * charts.length} ${h}" font-family="sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`
  );
}

function chart(o: ChartOptions, series: Series[], w: number, h: number): string {
  const m = { left: 56, right: 16, top: 32, bottom: 44 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0 || 1)) * (w - m.left - m.right);
  const sy = (y: number) => h - m.bottom - ((y - y0) / (y1 - y0)) * (h - m.top - m.bottom);
  const out: string[] = [];
  out.push(`<text x="${w / 2}" y="18" text-anchor="middle" font-size="14">${esc(o.title)}</text>`);
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${m.left}" x2="${w - m.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text>`);
  }
  for (const t of ticks(x0, x1)) {
    out.push(`<text x="${sx(t)}" y="${h - m.bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${w - m.left - m.right}" height="${h - m.top - m.bottom}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${w / 2}" y="${h - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(14,${h / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  const listed = series.filter((t) => t.unlisted !== true);
  series.forEach((s) => {
    const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [x, y] of s.points.length <= 40 ? s.points : []) {
      out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    }
    const i = listed.indexOf(s);
    if (i < 0) return;
    const place = o.legend ?? 'top-left';
    const legendWidth = 24 + 7 * Math.max(...listed.map((t) => t.name.length));
    const lx = place === 'top-left' ? m.left + 10 : w - m.right - Math.max(130, legendWidth);
    const ly = place === 'bottom-right' ? h - m.bottom - 8 - 16 * (listed.length - i) : m.top + 8 + i * 16;
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 16}" y="${ly + 9}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}
