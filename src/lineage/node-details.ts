/** Describes lineage nodes in a few batched queries per kind (never one query per node). */
import { toIso } from '../core/clock.js';
import type { Executor } from '../store/index.js';
import type { LineageNode } from './lineage-query.js';
import { NODE_KINDS, type NodeKind } from './node-keys.js';

interface KeyParts {
  readonly key: string;
  readonly kind: NodeKind;
  readonly name: string;
  readonly version?: number;
}

function splitKey(key: string): KeyParts {
  const colon = key.indexOf(':');
  const kind = key.slice(0, colon) as NodeKind;
  const rest = key.slice(colon + 1);
  if ((kind === 'model' || kind === 'dataset') && rest.includes('@')) {
    const at = rest.lastIndexOf('@');
    return { key, kind, name: rest.slice(0, at), version: Number(rest.slice(at + 1)) };
  }
  return { key, kind: NODE_KINDS.includes(kind) ? kind : 'run', name: rest };
}

export async function describeNodes(db: Executor, keys: readonly string[]): Promise<LineageNode[]> {
  const parts = keys.map(splitKey);
  const details = new Map<string, Record<string, unknown>>();
  await Promise.all([
    describeModels(
      db,
      parts.filter((p) => p.kind === 'model'),
      details,
    ),
    describeDatasets(
      db,
      parts.filter((p) => p.kind === 'dataset'),
      details,
    ),
    describeRuns(
      db,
      parts.filter((p) => p.kind === 'run'),
      details,
    ),
  ]);
  return parts.map((part) => {
    const known = details.get(part.key);
    // Kinds without a table of their own yet exist by virtue of the edges that name them.
    const exists = known !== undefined || !['model', 'dataset', 'run'].includes(part.kind);
    return {
      id: part.key,
      kind: part.kind,
      name: part.name,
      ...(part.version === undefined ? {} : { version: part.version }),
      exists,
      details: known ?? {},
    };
  });
}

async function describeModels(db: Executor, parts: KeyParts[], out: Map<string, Record<string, unknown>>) {
  if (parts.length === 0) return;
  // The query returns every version of the named models; only the walked ones are described.
  const wanted = new Set(parts.map((p) => p.key));
  const rows = await db
    .selectFrom('model_versions')
    .innerJoin('models', 'models.id', 'model_versions.model_id')
    .select([
      'models.id as model_id',
      'models.name',
      'model_versions.version',
      'model_versions.approval_status',
      'model_versions.created_at',
    ])
    .where('models.name', 'in', [...new Set(parts.map((p) => p.name))])
    .execute();
  if (rows.length === 0) return;
  const aliases = await db
    .selectFrom('model_aliases')
    .select(['model_id', 'alias', 'version'])
    .where('model_id', 'in', [...new Set(rows.map((r) => r.model_id))])
    .orderBy('alias')
    .execute();
  for (const row of rows) {
    const key = `model:${row.name}@${Number(row.version)}`;
    if (!wanted.has(key)) continue;
    out.set(key, {
      approvalStatus: row.approval_status,
      aliases: aliases
        .filter((a) => a.model_id === row.model_id && Number(a.version) === Number(row.version))
        .map((a) => a.alias),
      createdAt: toIso(Number(row.created_at)),
    });
  }
}

async function describeDatasets(db: Executor, parts: KeyParts[], out: Map<string, Record<string, unknown>>) {
  if (parts.length === 0) return;
  const wanted = new Set(parts.map((p) => p.key));
  const rows = await db
    .selectFrom('dataset_versions')
    .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
    .select([
      'datasets.name',
      'dataset_versions.version',
      'dataset_versions.row_count',
      'dataset_versions.format',
      'dataset_versions.created_at',
    ])
    .where('datasets.name', 'in', [...new Set(parts.map((p) => p.name))])
    .execute();
  for (const row of rows) {
    const key = `dataset:${row.name}@${Number(row.version)}`;
    if (!wanted.has(key)) continue;
    out.set(key, {
      rowCount: Number(row.row_count),
      format: row.format,
      createdAt: toIso(Number(row.created_at)),
    });
  }
}

async function describeRuns(db: Executor, parts: KeyParts[], out: Map<string, Record<string, unknown>>) {
  if (parts.length === 0) return;
  const rows = await db
    .selectFrom('runs')
    .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
    .select(['runs.id', 'runs.name', 'runs.status', 'experiments.name as experiment', 'runs.start_time'])
    .where(
      'runs.id',
      'in',
      parts.map((p) => p.name),
    )
    .execute();
  for (const row of rows) {
    out.set(`run:${row.id}`, {
      runName: row.name,
      status: row.status,
      experiment: row.experiment,
      startTime: toIso(Number(row.start_time)),
    });
  }
}
