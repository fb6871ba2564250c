/**
 * A monitor's window: the newest rows of a deployment's inference log (by count, or by time), the
 * served answers only (a shadow's are not what callers got), in the columns of the reference. Values
 * are taken as the request sent them: numbers (or numeric text, "NaN") for numeric columns, text for
 * categorical ones; a missing key or null is a missing value.
 */
import type { Database } from '../../store/index.js';
import type { DriftColumn, DriftTable } from '../drift/index.js';
import { MAX_WINDOW_ROWS, type WindowSpec } from './spec.js';

export interface WindowFilter {
  readonly deployment: string;
  readonly window: WindowSpec;
  /** Only the rows this version served. */
  readonly version?: { readonly model: string; readonly version: number };
  readonly now: number;
}

/** One served row, its features and what the model answered, parsed. */
export interface WindowRow {
  readonly model: string;
  readonly version: number;
  readonly at: number;
  readonly features: Readonly<Record<string, unknown>>;
  readonly prediction: unknown;
}

export interface Window {
  readonly rows: readonly WindowRow[];
  /** Oldest and newest row times (epoch ms); absent when the window is empty. */
  readonly from?: number;
  readonly to?: number;
}

export async function readWindow(database: Database, filter: WindowFilter): Promise<Window> {
  let query = database.db
    .selectFrom('inference_log')
    .select(['model', 'model_version', 'at', 'features', 'prediction'])
    .where('deployment', '=', filter.deployment)
    .where('shadow', '=', 0);
  if (filter.version !== undefined) {
    query = query
      .where('model', '=', filter.version.model)
      .where('model_version', '=', filter.version.version);
  }
  if (filter.window.kind === 'time') query = query.where('at', '>', filter.now - filter.window.ms);
  const limit = filter.window.kind === 'count' ? filter.window.rows : MAX_WINDOW_ROWS;
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const parsed: WindowRow[] = new Array(rows.length);
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const at = Number(row.at);
    if (at < from) from = at;
    if (at > to) to = at;
    parsed[i] = {
      model: row.model,
      version: Number(row.model_version),
      at,
      features: parseObject(row.features),
      prediction: JSON.parse(row.prediction) as unknown,
    };
  }
  return rows.length === 0 ? { rows: parsed } : { rows: parsed, from, to };
}

/** The window's values of `names`, each of the kind the reference has for it. */
export function windowTable(
  rows: readonly WindowRow[],
  kinds: ReadonlyMap<string, DriftColumn['kind']>,
): DriftTable {
  const columns: Record<string, DriftColumn> = {};
  for (const [name, kind] of kinds) {
    if (kind === 'numeric') {
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = toNumber(rows[i]!.features[name]);
      columns[name] = { kind, values };
    } else {
      columns[name] = { kind, values: rows.map((row) => toCategory(row.features[name])) };
    }
  }
  return { columns };
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

export function toCategory(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function parseObject(text: string): Readonly<Record<string, unknown>> {
  const value = JSON.parse(text) as unknown;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
