/** Reads runs with their params, tags and latest metrics, in a constant number of queries per page. */
import { NotFoundError } from '../core/errors.js';
import type { Executor } from '../store/index.js';
import { fromStoredValue, type MetricPoint, type Run, type RunRowWithSeq, toRun } from './entities.js';

export async function findRunRow(executor: Executor, id: string): Promise<RunRowWithSeq> {
  const row = await executor.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new NotFoundError('RUN_NOT_FOUND', `run '${id}' does not exist`, { run: id });
  return row;
}

/**
 * Like findRunRow, for a transaction about to change the run's own row, params or tags: a no-op
 * update takes the run's row lock (PostgreSQL; SQLite runs one writer at a time anyway), so that
 * concurrent writers of one run queue up instead of deadlocking on each other's keys or interleaving
 * into a state no serial order of them would give.
 */
export async function lockRunRow(trx: Executor, id: string): Promise<RunRowWithSeq> {
  const row = await trx
    .updateTable('runs')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError('RUN_NOT_FOUND', `run '${id}' does not exist`, { run: id });
  return row;
}

export async function loadRun(executor: Executor, id: string): Promise<Run> {
  const [run] = await loadRuns(executor, [await findRunRow(executor, id)]);
  return run!;
}

export async function loadRuns(executor: Executor, rows: readonly RunRowWithSeq[]): Promise<Run[]> {
  if (rows.length === 0) return [];
  const seqs = rows.map((row) => row.seq);
  const [params, tags, metrics] = await Promise.all([
    executor.selectFrom('run_params').selectAll().where('run_seq', 'in', seqs).orderBy('key').execute(),
    executor.selectFrom('run_tags').selectAll().where('run_seq', 'in', seqs).orderBy('key').execute(),
    executor.selectFrom('latest_metrics').selectAll().where('run_seq', 'in', seqs).orderBy('key').execute(),
  ]);
  const bySeq = new Map(
    seqs.map((seq) => [
      seq,
      {
        params: {} as Record<string, string>,
        tags: {} as Record<string, string>,
        metrics: {} as Record<string, MetricPoint>,
      },
    ]),
  );
  for (const row of params) bySeq.get(row.run_seq)!.params[row.key] = row.value;
  for (const row of tags) bySeq.get(row.run_seq)!.tags[row.key] = row.value;
  for (const row of metrics) {
    bySeq.get(row.run_seq)!.metrics[row.key] = {
      value: fromStoredValue(row.value),
      step: row.step,
      timestamp: row.timestamp,
    };
  }
  return rows.map((row) => toRun(row, bySeq.get(row.seq)!));
}
