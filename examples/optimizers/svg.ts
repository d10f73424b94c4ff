// A tiny SVG plotter: a frame with axes and ticks mapping data to pixels, polylines, a legend.

/** A plotting frame: the data ranges and where they land on the page. */
export interface Frame {
  x: [number, number];
  y: [number, number];
  /** Plot box on the page: left, top, width, height in pixels. */
  box: { left: number; top: number; width: number; height: number };
  /** Log scale on y (ranges are then in data units, > 0). */
  logY?: boolean;
}

/** Page x of data x. */
export function px(f: Frame, x: number): number {
  return f.box.left + ((x - f.x[0]) / (f.x[1] - f.x[0])) * f.box.width;
}

/** Page y of data y (y grows upward in data, downward on the page). */
export function py(f: Frame, y: number): number {
  const [lo, hi] = f.logY ? [Math.log10(f.y[0]), Math.log10(f.y[1])] : f.y;
  const v = f.logY ? Math.log10(y) : y;
  return f.box.top + (1 - (v - lo) / (hi - lo)) * f.box.height;
}

const num = (v: number) => (Math.round(v * 10) / 10).toString();

/** Escapes text for SVG. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An SVG path through the points (skipping non-finite ones, which break the line). */
export function polyline(f: Frame, xs: ArrayLike<number>, ys: ArrayLike<number>, attrs: string): string {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const X = px(f, xs[i]!);
    const Y = py(f, ys[i]!);
    if (!Number.isFinite(X) || !Number.isFinite(Y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${num(X)} ${num(Y)}`;
    pen = true;
  }
  return `<path d="${d}" fill="none" ${attrs}/>`;
}

/** Round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, target = 6): number[] {
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Powers of ten in [lo, hi], with 2× and 5× between them when the range spans few decades. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const few = Math.log10(hi / lo) <= 2;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** The frame border, ticks, tick labels and axis titles. */
export function axes(f: Frame, xLabel: string, yLabel: string): string {
  const { left, top, width, height } = f.box;
  const parts = [`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#333"/>`];
  for (const v of ticks(f.x[0], f.x[1])) {
    const X = num(px(f, v));
    parts.push(`<line x1="${X}" y1="${top + height}" x2="${X}" y2="${top + height + 5}" stroke="#333"/>`);
    parts.push(`<text x="${X}" y="${top + height + 18}" text-anchor="middle">${+v.toPrecision(6)}</text>`);
  }
  const yTicks = f.logY ? logTicks(f.y[0], f.y[1]) : ticks(f.y[0], f.y[1]);
  for (const v of yTicks) {
    const Y = num(py(f, v));
    parts.push(`<line x1="${left - 5}" y1="${Y}" x2="${left}" y2="${Y}" stroke="#333"/>`);
    const label = f.logY && Number.isInteger(Math.log10(v)) ? `1e${Math.round(Math.log10(v))}` : `${+v.toPrecision(6)}`;
    parts.push(`<text x="${left - 8}" y="${Y}" text-anchor="end" dominant-baseline="middle">${label}</text>`);
  }
  parts.push(`<text x="${left + width / 2}" y="${top + height + 38}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(${left - 48} ${top + height / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return parts.join('\n');
}

/** A one-row legend of coloured lines and names, centred on x at height y. */
export function legend(x: number, y: number, entries: { name: string; color: string }[]): string {
  const slot = 120;
  const start = x - (slot * entries.length) / 2;
  return entries
    .map((e, k) => {
      const X = start + slot * k;
      return `<line x1="${X}" y1="${y}" x2="${X + 28}" y2="${y}" stroke="${e.color}" stroke-width="3"/><text x="${X + 36}" y="${y}" dominant-baseline="middle" font-size="13">${esc(e.name)}</text>`;
    })
    .join('\n');
}

/** Wraps the body in an <svg> document of the given size. */
export function document(width: number, height: number, body: string[]): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    `</svg>`,
    '',
  ].join('\n');
}
