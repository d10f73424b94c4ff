/** One measured cell: a figure, or the reason there is none. */
export type Cell = { ms: number; samples: number } | { reason: string };

/** Formats rows as a plain-text table: first column left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((s, c) => (c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A number with three significant digits (more before the point when it is large). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

/**
 * A peer's figure followed by its ratio to dl, as `value (ratio×)`, where the ratio is peer time over
 * dl time, so above 1 means dl is faster. `value` maps a time to the unit shown (ms or GFLOP/s).
 */
export function withRatio(peer: Cell, dl: Cell | undefined, value: (ms: number) => number): string {
  if ('reason' in peer) return 'n/a';
  const v = fmt(value(peer.ms));
  if (dl === undefined || 'reason' in dl) return v;
  return `${v} (${fmt(peer.ms / dl.ms)}x)`;
}

/** The reasons behind the `n/a` cells, one line each, deduplicated. */
export function reasons(cells: readonly { framework: string; what: string; cell: Cell }[]): string[] {
  const seen = new Map<string, string[]>();
  for (const { framework, what, cell } of cells) {
    if (!('reason' in cell)) continue;
    const key = `${framework}: ${cell.reason}`;
    seen.set(key, [...(seen.get(key) ?? []), what]);
  }
  return [...seen].map(([key, whats]) => `  n/a ${key} [${whats.join(', ')}]`);
}
