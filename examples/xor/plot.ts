// The example's SVG: each twin's decision regions with the data on top, and both loss curves.
import { Tensor } from '@dl/autograd';
import type { ToyData } from './data.js';

/** The class colours (matplotlib's first two) and their pale tints for the regions. */
const COLORS = ['#1f77b4', '#ff7f0e'] as const;
const RGB = [[31, 119, 180], [255, 127, 14]] as const;

/** A plot box on the page and the data ranges it shows. */
interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
  x: [number, number];
  y: [number, number];
  logY?: boolean;
}

const r1 = (v: number) => (Math.round(v * 10) / 10).toString();
const px = (f: Frame, x: number) => f.left + ((x - f.x[0]) / (f.x[1] - f.x[0])) * f.width;
function py(f: Frame, y: number): number {
  const [lo, hi, v] = f.logY ? [Math.log10(f.y[0]), Math.log10(f.y[1]), Math.log10(y)] : [f.y[0], f.y[1], y];
  return f.top + (1 - (v - lo) / (hi - lo)) * f.height;
}

/** Escapes text for SVG. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Round tick values in [lo, hi] (1, 2 or 5 times a power of ten apart). */
function ticks(lo: number, hi: number, target = 5): number[] {
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(+(k * step).toPrecision(6));
  return out;
}

/** 1, 2 and 5 times the powers of ten in [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) if (m * 10 ** e >= lo * (1 - 1e-9) && m * 10 ** e <= hi * (1 + 1e-9)) out.push(+(m * 10 ** e).toPrecision(6));
  }
  return out;
}

/** The frame's border, ticks, labels and title. */
function axes(f: Frame, title: string, xLabel: string, yLabel: string): string[] {
  const { left, top, width, height } = f;
  const out = [`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#333"/>`];
  for (const v of ticks(f.x[0], f.x[1])) {
    const X = r1(px(f, v));
    out.push(`<line x1="${X}" y1="${top + height}" x2="${X}" y2="${top + height + 5}" stroke="#333"/>`);
    out.push(`<text x="${X}" y="${top + height + 18}" text-anchor="middle">${v}</text>`);
  }
  for (const v of f.logY ? logTicks(f.y[0], f.y[1]) : ticks(f.y[0], f.y[1])) {
    const Y = r1(py(f, v));
    out.push(`<line x1="${left - 5}" y1="${Y}" x2="${left}" y2="${Y}" stroke="#333"/>`);
    out.push(`<text x="${left - 8}" y="${Y}" text-anchor="end" dominant-baseline="middle">${v}</text>`);
  }
  out.push(`<text x="${left + width / 2}" y="${top + height + 36}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(${left - 42} ${top + height / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  out.push(`<text x="${left + width / 2}" y="${top - 12}" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  return out;
}

/** The square view around the data, with a margin, that a decision-region panel shows. */
export function viewOf(x: Tensor): { x: [number, number]; y: [number, number] } {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let i = 0; i < x.data.length; i++) {
    lo[i % 2] = Math.min(lo[i % 2]!, x.data[i]!);
    hi[i % 2] = Math.max(hi[i % 2]!, x.data[i]!);
  }
  const half = 0.55 * Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!) + 0.1;
  const cx = (lo[0]! + hi[0]!) / 2;
  const cy = (lo[1]! + hi[1]!) / 2;
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

/** The centres of a cells × cells grid over the view, as a [cells², 2] tensor (row-major, top row first). */
export function gridPoints(view: { x: [number, number]; y: [number, number] }, cells: number, dtype: Tensor['dtype']): Tensor {
  const data = dtype === 'float64' ? new Float64Array(2 * cells * cells) : new Float32Array(2 * cells * cells);
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) {
      const k = 2 * (r * cells + c);
      data[k] = view.x[0] + ((c + 0.5) / cells) * (view.x[1] - view.x[0]);
      data[k + 1] = view.y[1] - ((r + 0.5) / cells) * (view.y[1] - view.y[0]);
    }
  }
  return new Tensor(data, [cells * cells, 2]);
}

/** A pale tint of a class colour: the more confident the prediction (0..1), the stronger. */
function tint(cls: number, confidence: number): string {
  const a = 0.12 + 0.38 * Math.min(1, Math.round(confidence * 4) / 4);
  const [r, g, b] = RGB[cls]!.map((v) => Math.round(255 + a * (v - 255)));
  return `rgb(${r},${g},${b})`;
}

/**
 * A panel of decision regions: each grid cell is filled with its predicted class's tint (stronger where
 * the model is surer; runs of equal cells merged into one rect), then the data points in their class
 * colour, misclassified ones ringed in red.
 */
export function regionPanel(
  box: { left: number; top: number; size: number },
  view: { x: [number, number]; y: [number, number] },
  gridLogits: Tensor,
  cells: number,
  data: ToyData,
  dataLogits: Tensor,
  title: string,
): string {
  const f: Frame = { left: box.left, top: box.top, width: box.size, height: box.size, ...view };
  const side = box.size / cells;
  const out: string[] = ['<g shape-rendering="crispEdges">']; // no antialiased seams between the cells
  const z = gridLogits.data;
  for (let r = 0; r < cells; r++) {
    let start = 0;
    let fill = '';
    for (let c = 0; c <= cells; c++) {
      let here = '';
      if (c < cells) {
        const k = 2 * (r * cells + c);
        const p1 = 1 / (1 + Math.exp(z[k]! - z[k + 1]!)); // softmax probability of class 1
        here = tint(p1 > 0.5 ? 1 : 0, Math.abs(2 * p1 - 1));
      }
      if (here !== fill) {
        if (fill !== '') {
          out.push(`<rect x="${r1(box.left + start * side)}" y="${r1(box.top + r * side)}" width="${r1((c - start) * side + 0.3)}" height="${r1(side + 0.3)}" fill="${fill}"/>`);
        }
        start = c;
        fill = here;
      }
    }
  }
  out.push('</g>');
  const x = data.x.data;
  for (let i = 0; i < data.labels.length; i++) {
    const cls = data.labels[i]!;
    const wrong = dataLogits.data[2 * i + cls]! < dataLogits.data[2 * i + 1 - cls]!;
    const stroke = wrong ? 'stroke="#d62728" stroke-width="2"' : 'stroke="#222" stroke-width="0.6"';
    out.push(`<circle cx="${r1(px(f, x[2 * i]!))}" cy="${r1(py(f, x[2 * i + 1]!))}" r="3.5" fill="${COLORS[cls]}" ${stroke}/>`);
  }
  return [...out, ...axes(f, title, 'x₁', 'x₂')].join('\n');
}

/** A log-scale panel with both loss curves: autograd solid and wide, manual dashed on top of it. */
export function lossPanel(box: { left: number; top: number; size: number }, autograd: number[], manual: number[]): string {
  const all = [...autograd, ...manual].filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const y: [number, number] = [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi))];
  const f: Frame = { left: box.left, top: box.top, width: box.size, height: box.size, x: [0, Math.max(1, autograd.length - 1)], y, logY: true };
  const line = (vs: number[], attrs: string) => {
    const d = vs
      .map((v, k) => [px(f, k), py(f, Math.max(v, y[0]))] as const)
      .filter(([X, Y]) => Number.isFinite(X) && Number.isFinite(Y))
      .map(([X, Y], k) => `${k === 0 ? 'M' : 'L'}${r1(X)} ${r1(Y)}`)
      .join('');
    return `<path d="${d}" fill="none" ${attrs}/>`;
  };
  const lx = box.left + box.size - 150;
  return [
    line(autograd, 'stroke="#2ca02c" stroke-width="5" stroke-opacity="0.6"'),
    line(manual, 'stroke="#222" stroke-width="1.5" stroke-dasharray="6 4"'),
    `<line x1="${lx}" y1="${box.top + 20}" x2="${lx + 28}" y2="${box.top + 20}" stroke="#2ca02c" stroke-width="5" stroke-opacity="0.6"/>`,
    `<text x="${lx + 36}" y="${box.top + 20}" dominant-baseline="middle">autograd</text>`,
    `<line x1="${lx}" y1="${box.top + 40}" x2="${lx + 28}" y2="${box.top + 40}" stroke="#222" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${lx + 36}" y="${box.top + 40}" dominant-baseline="middle">manual</text>`,
    ...axes(f, 'Training loss (cross-entropy)', 'step', 'loss (log scale)'),
  ].join('\n');
}

/** Wraps panels in an <svg> document of the given size, with a white background and a caption. */
export function svgDocument(width: number, height: number, caption: string, body: string[]): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    `<text x="${width / 2}" y="${height - 14}" text-anchor="middle" font-size="13">${esc(caption)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
