import { describe, expect, it } from 'vitest';
import { bytes, canMeasureAllocation, measureAllocation } from '../src/allocation.js';

// Known allocations, counted across many GCs: the bench's "allocated per step" figures rest on this.

// Kept reachable until the next run, so the JIT cannot elide the allocations.
let sink: unknown;

describe('measureAllocation', () => {
  it('runs on this Node', () => expect(canMeasureAllocation()).toBe(true));

  it('counts a 32 KiB typed array per run as 32 KiB of external memory, across GCs', () => {
    const a = measureAllocation(() => (sink = new Float32Array(8192)), 3000);
    expect(a.gcs).toBeGreaterThan(0);
    expect(a.externalBytes).toBeGreaterThan(32768 * 0.99);
    expect(a.externalBytes).toBeLessThan(32768 * 1.01);
    // The Float32Array and ArrayBuffer objects themselves: a couple of hundred bytes of heap.
    expect(a.heapBytes).toBeGreaterThan(50);
    expect(a.heapBytes).toBeLessThan(1000);
  });

  it('counts small objects as heap, not external memory', () => {
    const a = measureAllocation(() => {
      const xs = [];
      for (let i = 0; i < 1000; i++) xs.push({ a: i, b: i + 1, c: i + 2, d: i + 3 });
      sink = xs;
    }, 300);
    expect(a.gcs).toBeGreaterThan(0);
    // Four fields and a header: 28 bytes with pointer compression, 56 without; plus the array's slot.
    expect(a.heapBytes / 1000).toBeGreaterThan(28);
    expect(a.heapBytes / 1000).toBeLessThan(100);
    expect(Math.abs(a.externalBytes)).toBeLessThan(100);
  });

  it('formats bytes in decimal units', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(32768)).toBe('32.8 kB');
    expect(bytes(1_210_000)).toBe('1.21 MB');
    expect(bytes(123_456_789)).toBe('123 MB');
  });
});
void sink;
