/**
 * The SQL of feedback: finding logged prediction rows by request id or by an id feature, the labels
 * already given, inserting new ones, and the join of labels with the inference log that every
 * metric is computed from. The one dialect difference is reading a feature out of the logged
 * features' JSON text (SQLite json_extract, PostgreSQL jsonb ->>), and the row lock that makes
 * feedback calls on one deployment take turns on PostgreSQL (SQLite has one writer anyway).
 */
import { type RawBuilder, sql } from 'kysely';
import type { DialectName, Executor } from '../../store/index.js';
import type { InferenceLabelRow } from '../../store/tables.js';
import type { LabelValue } from './label-decoding.js';
import type { JoinedRow } from './labelled-rows.js';

/** Ids per `in (…)` list: far below either dialect's parameter limit. */
const CHUNK = 500;
/** Rows per multi-row insert (12 parameters each). */
const INSERT_CHUNK = 200;

/** A logged, served prediction row. */
export interface LoggedRow {
  readonly requestId: string;
  readonly rowIndex: number;
  /** When it was predicted (epoch ms). */
  readonly at: number;
}

/** `requestId` + row as one map key. */
export function rowKey(requestId: string, rowIndex: number): string {
  return `${rowIndex}\u0000${requestId}`;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The logged rows of these requests in the deployment, by rowKey. A served row wins over a shadow's
 * (the shadow's answer to the same row is logged at about the same time).
 */
export async function findLoggedRows(
  executor: Executor,
  deployment: string,
  requestIds: readonly string[],
): Promise<Map<string, LoggedRow>> {
  const found = new Map<string, LoggedRow>();
  for (const ids of chunks([...new Set(requestIds)], CHUNK)) {
    const rows = await executor
      .selectFrom('inference_log')
      .select(['request_id', 'row_index', 'at', 'shadow'])
      .where('deployment', '=', deployment)
      .where('request_id', 'in', ids)
      .orderBy('shadow', 'desc')
      .execute();
    for (const row of rows)
      found.set(rowKey(row.request_id, Number(row.row_index)), {
        requestId: row.request_id,
        rowIndex: Number(row.row_index),
        at: Number(row.at),
      });
  }
  return found;
}

/** The feature `key` of a logged row's features, as text (numbers in their JSON spelling). */
function featureText(dialect: DialectName, key: string): RawBuilder<string | null> {
  if (dialect === 'postgres') return sql<string | null>`(${sql.ref('features')}::jsonb ->> ${key})`;
  const path = `$."${key}"`;
  return sql<string | null>`cast(json_extract(${sql.ref('features')}, ${path}) as text)`;
}

/**
 * The newest served prediction row whose feature `key` equals each value (compared as text), by
 * value. Scans the deployment's log: there is no index on a feature.
 */
export async function findByKey(
  executor: Executor,
  dialect: DialectName,
  deployment: string,
  key: string,
  values: readonly string[],
): Promise<Map<string, LoggedRow>> {
  const found = new Map<string, LoggedRow>();
  const feature = featureText(dialect, key);
  for (const chunk of chunks([...new Set(values)], CHUNK * 2)) {
    const rows = await executor
      .selectFrom('inference_log')
      .select(['request_id', 'row_index', 'at', feature.as('key_value')])
      .where('deployment', '=', deployment)
      .where('shadow', '=', 0)
      .where(feature, 'in', chunk)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    for (const row of rows) {
      if (row.key_value === null || found.has(row.key_value)) continue;
      found.set(row.key_value, {
        requestId: row.request_id,
        rowIndex: Number(row.row_index),
        at: Number(row.at),
      });
    }
  }
  return found;
}

/** Labels already given for rows of these requests, by rowKey. */
export async function existingLabels(
  executor: Executor,
  deployment: string,
  requestIds: readonly string[],
): Promise<Map<string, LabelValue>> {
  const found = new Map<string, LabelValue>();
  for (const ids of chunks([...new Set(requestIds)], CHUNK)) {
    const rows = await executor
      .selectFrom('inference_labels')
      .select(['request_id', 'row_index', 'label'])
      .where('deployment', '=', deployment)
      .where('request_id', 'in', ids)
      .execute();
    for (const row of rows)
      found.set(rowKey(row.request_id, Number(row.row_index)), JSON.parse(row.label) as LabelValue);
  }
  return found;
}

/** Inserts labels, leaving rows that are labelled already; answers the rowKeys it inserted. */
export async function insertLabels(
  executor: Executor,
  rows: readonly InferenceLabelRow[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (const chunk of chunks(rows, INSERT_CHUNK)) {
    const done = await executor
      .insertInto('inference_labels')
      .values(chunk)
      .onConflict((conflict) => conflict.columns(['deployment', 'request_id', 'row_index']).doNothing())
      .returning(['request_id', 'row_index'])
      .execute();
    for (const row of done) inserted.add(rowKey(row.request_id, Number(row.row_index)));
  }
  return inserted;
}

/** Makes concurrent feedback calls on one deployment take turns (PostgreSQL; SQLite has one writer). */
export async function lockDeployment(executor: Executor, dialect: DialectName, name: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await executor.selectFrom('deployments').select('id').where('name', '=', name).forUpdate().execute();
}

export interface JoinWindow {
  /** Predictions made at or after (epoch ms). */
  readonly since: number;
  /** Predictions made before (epoch ms). */
  readonly until: number;
  readonly model?: string;
  readonly version?: number;
}

/**
 * Every labelled prediction row of the deployment made in the window, one per model version that
 * answered it (the served version, and the shadow's when there was one), oldest first.
 */
export async function joinedRows(
  executor: Executor,
  deployment: string,
  window: JoinWindow,
): Promise<JoinedRow[]> {
  let query = executor
    .selectFrom('inference_labels as l')
    .innerJoin('inference_log as i', (join) =>
      join
        .onRef('i.deployment', '=', 'l.deployment')
        .onRef('i.request_id', '=', 'l.request_id')
        .onRef('i.row_index', '=', 'l.row_index'),
    )
    .select([
      'l.request_id',
      'l.row_index',
      'l.label',
      'l.predicted_at',
      'l.received_at',
      'i.model',
      'i.model_version',
      'i.route',
      'i.shadow',
      'i.prediction',
    ])
    .where('l.deployment', '=', deployment)
    .where('l.predicted_at', '>=', window.since)
    .where('l.predicted_at', '<', window.until);
  if (window.model !== undefined) query = query.where('i.model', '=', window.model);
  if (window.version !== undefined) query = query.where('i.model_version', '=', window.version);
  const rows = await query
    .orderBy('l.predicted_at')
    .orderBy('l.request_id')
    .orderBy('l.row_index')
    .orderBy('i.shadow')
    .execute();
  const seen = new Set<string>();
  const out: JoinedRow[] = [];
  for (const row of rows) {
    const version = Number(row.model_version);
    const rowIndex = Number(row.row_index);
    // A version that both served and shadowed a row counts its served answer once.
    const key = `${row.model}@${version}\u0000${rowKey(row.request_id, rowIndex)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      requestId: row.request_id,
      rowIndex,
      model: row.model,
      version,
      route: row.route,
      shadow: Number(row.shadow) === 1,
      predictedAt: Number(row.predicted_at),
      receivedAt: Number(row.received_at),
      label: JSON.parse(row.label) as LabelValue,
      prediction: JSON.parse(row.prediction) as unknown,
    });
  }
  return out;
}
