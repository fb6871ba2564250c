/**
 * Background work repeated at an interval (schedulers, deliveries, retention): one pass at a time (a
 * tick that comes while a pass runs shares it), a failed pass logged and the next one tried, the
 * timer unref'd so it never keeps a process alive, and close() waiting for the pass in progress.
 */
import type { Logger } from './logger.js';

export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    /** What the work is, for the log line of a failed pass. */
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger?: Logger,
  ) {}

  /** Runs a pass every interval from now on; `immediately` also runs one now. */
  start(options: { readonly immediately?: boolean } = {}): void {
    if (this.timer !== undefined) return;
    if (options.immediately === true) void this.run();
    this.timer = setInterval(() => void this.run(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass now, or the one already running. Never rejects. */
  run(): Promise<void> {
    this.running ??= this.work()
      .then(() => {})
      .catch((error: unknown) => this.logger?.warn({ err: error }, `${this.what} failed`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
