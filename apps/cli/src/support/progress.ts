import { Presets, SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr with rate and ETA (stdout stays free for data, e.g.
 * `export --out -`). Without a terminal it prints a line every 5 s instead of redrawing.
 */
export class Progress {
  private readonly bar: SingleBar;
  private readonly started = Date.now();
  private startValue = 0;

  constructor(label: string, unit = 'events') {
    this.bar = new SingleBar(
      {
        format: `${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total} | {rate} ${unit}/s | ETA {eta_formatted}`,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 5000,
        stream: process.stderr,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
  }

  start(total: number, value = 0): this {
    this.startValue = value;
    this.bar.start(Math.max(total, value), value, { rate: 0 });
    return this;
  }

  update(value: number, total?: number): void {
    if (total !== undefined) this.bar.setTotal(Math.max(total, value));
    this.bar.update(value, { rate: this.rate(value) });
  }

  /** Items per second since `start`, counted from the value it started at. */
  rate(value: number): number {
    return Math.round(
      (value - this.startValue) / Math.max(0.001, (Date.now() - this.started) / 1000),
    );
  }

  stop(): void {
    this.bar.stop();
  }
}
