/**
 * Follows deployment changes committed by other processes sharing the database (replicas, the admin
 * server, alias moves made there). Where the database announces changes (PostgreSQL NOTIFY, sent in
 * the committing transaction) a notification starts a refresh at once and polling is only a slow
 * safety net; where it cannot (SQLite), or while the listening connection is down, polling is how
 * changes arrive.
 */
import type { Logger } from '../../core/logger.js';
import type { ChangeSubscription, Database } from '../../store/index.js';

/** While notifications arrive, polling only catches what they might miss: this often at most. */
const LISTENING_POLL_MS = 5_000;

export class ChangeFollower {
  private subscription: ChangeSubscription | null = null;
  private timer: NodeJS.Timeout | undefined;
  private listening = false;
  private wasDown = false;
  private stopped = false;

  constructor(
    private readonly database: Database,
    /** Brings this process to every deployment's current revision (concurrent calls coalesce). */
    private readonly refresh: () => Promise<void>,
    /** The interval when not listening. */
    private readonly pollMs: number,
    private readonly logger?: Logger,
  ) {}

  start(): void {
    this.subscription = this.database.listen('deployments', {
      message: () => this.wake(),
      connected: () => {
        if (this.wasDown) this.logger?.info('listening for deployment changes again');
        this.listening = true;
        this.wasDown = false;
        this.schedule();
        this.wake();
      },
      disconnected: (error) => {
        this.listening = false;
        this.wasDown = true;
        this.logger?.warn(
          { err: error },
          `not listening for deployment changes; polling every ${this.pollMs} ms until reconnected`,
        );
        this.schedule();
      },
    });
    this.schedule();
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.subscription?.close();
  }

  private wake(): void {
    if (!this.stopped) void this.refresh().catch(() => {});
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const interval = this.listening ? Math.max(LISTENING_POLL_MS, this.pollMs) : this.pollMs;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedule();
    }, interval);
    this.timer.unref();
  }
}
