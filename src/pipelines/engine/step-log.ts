/**
 * A step's log as it is written: text is buffered and stored in chunks every 250 ms (and when the
 * attempt ends), so `logs --follow` on any replica sees it within a moment without a write per line.
 * A log is capped: beyond MAX_LOG_BYTES the rest is dropped and the log says so.
 */
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../store/index.js';

const FLUSH_MS = 250;
export const MAX_LOG_BYTES = 8 * 1024 * 1024;

export class StepLog {
  private pending = '';
  private written = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** Whether another writer (a queue worker) added chunks to this key since we opened it. */
  private sharedWrites = false;
  /** Every byte of this attempt's log, for the artifact written when it ends. */
  private readonly whole: string[] = [];

  private constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly key: { pipelineRun: string; step: string; item: number },
    private seq: number | undefined,
  ) {}

  /** Continues after the chunks earlier attempts wrote (looked up only once there is text to store). */
  static async open(
    database: Database,
    clock: Clock,
    key: { pipelineRun: string; step: string; item: number },
  ): Promise<StepLog> {
    return new StepLog(database, clock, key, undefined);
  }

  private async nextSeq(): Promise<number> {
    if (this.seq === undefined) {
      const row = await this.database.db
        .selectFrom('pipeline_logs')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('pipeline_run_id', '=', this.key.pipelineRun)
        .where('step', '=', this.key.step)
        .where('item', '=', this.key.item)
        .executeTakeFirst();
      this.seq = row?.seq === null || row === undefined ? 0 : Number(row.seq);
    }
    return ++this.seq;
  }

  write(text: string): void {
    if (text === '' || this.truncated) return;
    const room = MAX_LOG_BYTES - this.written;
    if (Buffer.byteLength(text) > room) {
      text = `${text.slice(0, Math.max(0, room))}\n[log truncated at ${MAX_LOG_BYTES} bytes]\n`;
      this.truncated = true;
    }
    this.written += Buffer.byteLength(text);
    this.pending += text;
    this.whole.push(text);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, FLUSH_MS);
  }

  /** Stores what is buffered; resolves when every earlier write is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.pending;
    this.pending = '';
    if (text !== '') {
      this.flushing = this.flushing.then(async () => {
        try {
          await this.database.db
            .insertInto('pipeline_logs')
            .values({
              pipeline_run_id: this.key.pipelineRun,
              step: this.key.step,
              item: this.key.item,
              seq: await this.nextSeq(),
              at: this.clock.now(),
              text,
            })
            .execute();
        } catch {
          // A lost log chunk must not fail the step; the artifact still has it.
        }
      });
    }
    return this.flushing;
  }

  text(): string {
    return this.whole.join('');
  }

  /**
   * Continues after chunks another writer stores meanwhile (a queue worker writes the attempt's log
   * itself): stores what is buffered and looks the highest chunk up again before the next write.
   */
  async resume(): Promise<void> {
    await this.flush();
    await this.flushing;
    this.seq = undefined;
    this.sharedWrites = true;
  }

  /** Whether this attempt wrote nothing, here or (after `resume()`) through another writer. */
  isEmpty(): boolean {
    return this.whole.length === 0 && !this.sharedWrites;
  }
}
