/**
 * One progress line for long local commands (billing runs, imports, benchmarks): a bar, the
 * counts, the rate and an ETA, redrawn in place on a terminal. Off a terminal (CI, a pipe) it
 * prints at most one line every `quietMs`, never one per item.
 */
export interface ProgressOptions {
  /** What is counted, e.g. "customers". */
  readonly unit: string;
  readonly width?: number;
  readonly stream?: NodeJS.WriteStream;
  /** Off a terminal: the least time between two printed lines. */
  readonly quietMs?: number;
  readonly now?: () => number;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private readonly started: number;
  private lastPrinted = -Infinity;
  private lastLine = '';
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;

  constructor(
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.stream = options.stream ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** The line for `done` of `total` (total unknown: counts and rate only), with extra counts after it. */
  line(done: number, total: number | undefined, extra = ''): string {
    const elapsed = this.now() - this.started;
    const rate = elapsed > 0 ? (done / elapsed) * 1000 : 0;
    const width = this.options.width ?? 30;
    const parts = [this.label];
    if (total !== undefined && total > 0) {
      const filled = Math.min(width, Math.round((done / total) * width));
      parts.push(`[${'#'.repeat(filled)}${' '.repeat(width - filled)}]`, `${done}/${total} ${this.options.unit}`);
      const eta = done >= total ? 0 : rate > 0 ? ((total - done) / rate) * 1000 : Number.NaN;
      parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)}/s`, done >= total ? `done in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`);
    } else {
      parts.push(`${done} ${this.options.unit}`, `${rate.toFixed(rate < 10 ? 1 : 0)}/s`, formatDuration(elapsed));
    }
    if (extra) parts.push(`· ${extra}`);
    return parts.join(' ');
  }

  update(done: number, total: number | undefined, extra = ''): void {
    const line = this.line(done, total, extra);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}\x1b[K`);
    } else if (this.now() - this.lastPrinted >= (this.options.quietMs ?? 10_000) && line !== this.lastLine) {
      this.stream.write(`${line}\n`);
      this.lastPrinted = this.now();
    }
    this.lastLine = line;
  }

  /** The last state on its own line. */
  finish(done: number, total: number | undefined, extra = ''): void {
    const line = this.line(done, total, extra);
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}
