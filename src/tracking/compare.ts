/** Several runs side by side: every param and latest metric, and whether the runs differ on it. */
import { InvalidError } from '../core/errors.js';
import type { Database } from '../store/index.js';
import type { Run, RunStatus } from './entities.js';
import { findRunRow, loadRuns } from './run-loader.js';

export interface RunComparison {
  readonly runs: readonly {
    readonly id: string;
    readonly name: string;
    readonly experimentId: string;
    readonly status: RunStatus;
    readonly startTime: string;
    readonly endTime?: string;
  }[];
  /** One row a param key; `values[i]` belongs to `runs[i]`, null where that run lacks the param. */
  readonly params: readonly {
    readonly key: string;
    readonly values: readonly (string | null)[];
    readonly differs: boolean;
  }[];
  /** One row a metric key, with each run's latest value (null where missing). */
  readonly metrics: readonly {
    readonly key: string;
    readonly values: readonly (number | null)[];
    readonly differs: boolean;
  }[];
}

export const MAX_COMPARED_RUNS = 100;

export async function compareRuns(database: Database, ids: readonly string[]): Promise<RunComparison> {
  const unique = [...new Set(ids)];
  if (unique.length < 1 || unique.length > MAX_COMPARED_RUNS) {
    throw new InvalidError(`compare needs 1 to ${MAX_COMPARED_RUNS} run ids, got ${unique.length}`, {
      field: 'ids',
    });
  }
  const rows = await Promise.all(unique.map((id) => findRunRow(database.db, id)));
  const runs = await loadRuns(database.db, rows);
  return {
    runs: runs.map(({ id, name, experimentId, status, startTime, endTime }) => ({
      id,
      name,
      experimentId,
      status,
      startTime,
      ...(endTime === undefined ? {} : { endTime }),
    })),
    params: sideBySide(runs, (run) => run.params),
    metrics: sideBySide(runs, (run) =>
      Object.fromEntries(Object.entries(run.metrics).map(([key, point]) => [key, point.value])),
    ),
  };
}

function sideBySide<V extends string | number>(
  runs: readonly Run[],
  valuesOf: (run: Run) => Readonly<Record<string, V>>,
): { key: string; values: (V | null)[]; differs: boolean }[] {
  const perRun = runs.map(valuesOf);
  const keys = [...new Set(perRun.flatMap((values) => Object.keys(values)))].sort();
  return keys.map((key) => {
    const values = perRun.map((values) => (key in values ? values[key]! : null));
    const first = values[0];
    // Object.is so that NaN equals NaN and the row is not flagged as differing for it.
    return { key, values, differs: values.some((value) => !Object.is(value, first)) };
  });
}
