/**
 * Group commit: writes that arrive together share one transaction, each inside its own savepoint, so
 * each still succeeds or fails on its own while the commit (SQLite's fsync, which blocks the one
 * writer thread) is paid once per group instead of once per write. A write's promise settles only
 * after the group's commit, so an acknowledged write is as durable as before.
 */
import { sql } from 'kysely';
import type { Db, Tx } from '../store/index.js';

interface Job {
  readonly weight: number;
  readonly work: (trx: Tx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

export class GroupCommit {
  private pending: Job[] = [];
  private busy = false;

  /** `maxWeight` bounds a group (e.g. in rows) so that one transaction never holds the writer long. */
  constructor(
    private readonly db: Db,
    private readonly maxWeight: number,
  ) {}

  run<T>(weight: number, work: (trx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ weight, work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy) return;
    this.busy = true;
    // After this turn's I/O callbacks: every request that arrived with this one joins its group.
    setImmediate(() => void this.commitNext());
  }

  private async commitNext(): Promise<void> {
    const group = this.take();
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const job of group) {
          await sql`savepoint group_commit_job`.execute(trx);
          try {
            outcomes.push({ ok: true, value: await job.work(trx) });
            await sql`release savepoint group_commit_job`.execute(trx);
          } catch (error) {
            await sql`rollback to savepoint group_commit_job`.execute(trx);
            await sql`release savepoint group_commit_job`.execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
      });
      group.forEach((job, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      });
    } catch (error) {
      // The transaction itself failed (commit, or a savepoint that could not be rolled back):
      // nothing of the group is stored. A job that failed on its own keeps its own error.
      group.forEach((job, i) => {
        const outcome = outcomes[i];
        job.reject(outcome !== undefined && !outcome.ok ? outcome.error : error);
      });
    } finally {
      this.busy = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  /** The oldest jobs up to maxWeight (at least one), in arrival order. */
  private take(): Job[] {
    let weight = 0;
    let count = 0;
    while (count < this.pending.length) {
      const next = this.pending[count]!.weight;
      if (count > 0 && weight + next > this.maxWeight) break;
      weight += next;
      count++;
    }
    const group = this.pending.slice(0, count);
    this.pending = this.pending.slice(count);
    return group;
  }
}
