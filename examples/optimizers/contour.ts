// Contour lines by marching squares: for each grid cell, where a level crosses its edges.

/** A contour line piece from (x1, y1) to (x2, y2), in grid coordinates (column, row). */
export type Segment = [number, number, number, number];

/**
 * The segments where `values` (a cols × rows grid, row-major) crosses `level`. Saddle cells are split
 * by the cell's centre value.
 */
export function contourSegments(values: Float64Array, cols: number, rows: number, level: number): Segment[] {
  const out: Segment[] = [];
  const at = (i: number, j: number) => values[j * cols + i]!;
  // Where along an edge from value a to value b the level sits, as a fraction of the edge.
  const t = (a: number, b: number) => (level - a) / (b - a);
  for (let j = 0; j + 1 < rows; j++) {
    for (let i = 0; i + 1 < cols; i++) {
      const v0 = at(i, j), v1 = at(i + 1, j), v2 = at(i + 1, j + 1), v3 = at(i, j + 1);
      const code = (v0 > level ? 1 : 0) | (v1 > level ? 2 : 0) | (v2 > level ? 4 : 0) | (v3 > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      // Crossing points on the four edges: bottom (0-1), right (1-2), top (3-2), left (0-3).
      const bottom: [number, number] = [i + t(v0, v1), j];
      const right: [number, number] = [i + 1, j + t(v1, v2)];
      const top: [number, number] = [i + t(v3, v2), j + 1];
      const left: [number, number] = [i, j + t(v0, v3)];
      const seg = (a: [number, number], b: [number, number]) => out.push([a[0], a[1], b[0], b[1]]);
      const centreAbove = (v0 + v1 + v2 + v3) / 4 > level;
      switch (code) {
        case 1: case 14: seg(left, bottom); break;
        case 2: case 13: seg(bottom, right); break;
        case 3: case 12: seg(left, right); break;
        case 4: case 11: seg(right, top); break;
        case 6: case 9: seg(bottom, top); break;
        case 7: case 8: seg(left, top); break;
        case 5:
          if (centreAbove) { seg(left, top); seg(bottom, right); } else { seg(left, bottom); seg(right, top); }
          break;
        case 10:
          if (centreAbove) { seg(left, bottom); seg(right, top); } else { seg(left, top); seg(bottom, right); }
          break;
      }
    }
  }
  return out;
}

/** `count` levels spaced evenly in log scale between lo and hi (both > 0). */
export function logLevels(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => lo * (hi / lo) ** (k / (count - 1)));
}
