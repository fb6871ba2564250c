/**
 * The parts of a push that need no body (name, format, description, the versions it derives from,
 * the run that produced it), checked first so a bad request fails before any byte is stored.
 */
import { InvalidError } from '../core/errors.js';
import { normaliseName } from '../core/names.js';
import { datasetNode, type EdgeInput, runNode } from '../lineage/index.js';
import type { Database } from '../store/index.js';
import { findRunRow } from '../tracking/index.js';
import { DATA_FORMATS, type DataFormat } from './entities.js';
import { checkDescription } from './tags.js';
import { loadDatasetVersion } from './version-loader.js';

export interface PushInput {
  readonly name: string;
  /** csv, parquet or jsonl. */
  readonly format: string;
  readonly description?: string;
  /** Versions this one was made from (`orders@6`, `orders@latest`): recorded as 'derived' lineage. */
  readonly derivedFrom?: readonly string[];
  /** The run that produced this version: recorded as 'produced' lineage. */
  readonly run?: string;
}

const MAX_PARENTS = 100;

/** Checks the parts of a push that need no body, so a bad request fails before any byte is stored. */
export async function checkPush(
  database: Database,
  input: PushInput,
): Promise<{
  name: string;
  format: DataFormat;
  description: string;
  edges: (target: string) => EdgeInput[];
}> {
  const name = normaliseName('dataset name', input.name);
  const format = parseFormat(input.format);
  const description = checkDescription(input.description ?? '');
  const references = input.derivedFrom ?? [];
  if (references.length > MAX_PARENTS) {
    throw new InvalidError(`derivedFrom names at most ${MAX_PARENTS} versions, got ${references.length}`, {
      field: 'derivedFrom',
    });
  }
  const parents: string[] = [];
  for (const reference of references) {
    const loaded = await loadDatasetVersion(database.db, reference, 'derivedFrom');
    parents.push(datasetNode(loaded.dataset.name, loaded.version.version));
  }
  if (input.run !== undefined) await findRunRow(database.db, input.run);
  const run = input.run;
  return {
    name,
    format,
    description,
    edges: (target) => [
      ...parents.map((source) => ({ source, target, relation: 'derived' as const })),
      ...(run === undefined ? [] : [{ source: runNode(run), target, relation: 'produced' as const }]),
    ],
  };
}

/** A push after checkPush: what the insert needs besides the stored blobs and the profile. */
export type CheckedPush = Awaited<ReturnType<typeof checkPush>>;

export function parseFormat(raw: string | undefined): DataFormat {
  const format = (raw ?? '').trim().toLowerCase();
  if ((DATA_FORMATS as readonly string[]).includes(format)) return format as DataFormat;
  throw new InvalidError(`format must be one of ${DATA_FORMATS.join(', ')}, got '${raw ?? ''}'`, {
    field: 'format',
    value: raw ?? null,
  });
}
