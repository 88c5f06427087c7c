/** A one-line progress bar for terminals, redrawn in place (at most ~20 times a second). */
export class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(
    private readonly out: { write(s: string): void; isTTY?: boolean },
    private readonly width = 30,
  ) {}

  update(total: number, done: number, text: string): void {
    if (!this.out.isTTY) return;
    const now = performance.now();
    if (now - this.last < 50 && done < total) return;
    this.last = now;
    const filled = Math.round((this.width * done) / total);
    const bar = '#'.repeat(filled) + '.'.repeat(this.width - filled);
    this.out.write(`\r[${bar}] ${String(done).padStart(String(total).length)}/${total}  ${text}\x1b[K`);
    this.shown = true;
  }

  /** Ends the line so later output starts on a fresh one. */
  done(): void {
    if (this.shown) this.out.write('\n');
    this.shown = false;
  }
}
