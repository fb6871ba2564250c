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
  /** Every byte of this attempt's log, for the artifact written when it ends. */
  private readonly whole: string[] = [];

  private constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly key: { pipelineRun: string; step: string; item: number },
    private seq: number,
  ) {}

  /** Continues after the chunks earlier attempts wrote. */
  static async open(
    database: Database,
    clock: Clock,
    key: { pipelineRun: string; step: string; item: number },
  ): Promise<StepLog> {
    const row = await database.db
      .selectFrom('pipeline_logs')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('pipeline_run_id', '=', key.pipelineRun)
      .where('step', '=', key.step)
      .where('item', '=', key.item)
      .executeTakeFirst();
    return new StepLog(database, clock, key, row?.seq === null || row === undefined ? 0 : Number(row.seq));
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
      const seq = ++this.seq;
      this.flushing = this.flushing.then(() =>
        this.database.db
          .insertInto('pipeline_logs')
          .values({
            pipeline_run_id: this.key.pipelineRun,
            step: this.key.step,
            item: this.key.item,
            seq,
            at: this.clock.now(),
            text,
          })
          .execute()
          .then(
            () => {},
            () => {}, // A lost log chunk must not fail the step; the artifact still has it.
          ),
      );
    }
    return this.flushing;
  }

  text(): string {
    return this.whole.join('');
  }
}
