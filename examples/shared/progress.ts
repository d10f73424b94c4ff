// A one-line progress bar per epoch: batch, loss, accuracy (when there is one), samples per second, time left.

/** Formats seconds as m:ss. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Draws progress for one epoch; redraws in place on a terminal, prints periodic lines elsewhere. */
export class ProgressBar {
  private readonly start = performance.now();
  private readonly tty: boolean;
  private lastPrinted = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    /** Where to draw; null draws nothing (tests). */
    private readonly stream: NodeJS.WriteStream | null = process.stdout,
  ) {
    this.tty = Boolean(stream?.isTTY);
  }

  /** Reports that `done` batches (and `samples` samples) are finished, with running metrics. */
  update(done: number, samples: number, loss: number, accuracy?: number): void {
    if (this.stream === null) return;
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = samples / Math.max(elapsed, 1e-9);
    const left = (elapsed / done) * (this.total - done);
    const width = 24;
    const filled = Math.round((done / this.total) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line =
      `${this.label} ${bar} ${String(done).padStart(String(this.total).length)}/${this.total}` +
      `  loss ${loss.toFixed(4)}${accuracy === undefined ? '' : `  acc ${(accuracy * 100).toFixed(1)}%`}  ${rate.toFixed(0)} samples/s  ` +
      `${done === this.total ? `took ${clock(elapsed)}` : `eta ${clock(left)}`}`;
    if (this.tty) {
      this.stream.write(`\r${line}\x1b[K${done === this.total ? '\n' : ''}`);
    } else {
      // Without a terminal, print about ten lines an epoch.
      const step = Math.max(1, Math.floor(this.total / 10));
      if (done === this.total || Math.floor(done / step) !== this.lastPrinted) {
        this.lastPrinted = Math.floor(done / step);
        this.stream.write(`${line}\n`);
      }
    }
  }
}
