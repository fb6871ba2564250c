/**
 * Diffs two dataset versions (of one dataset, or of two: train data against another dataset) with
 * DuckDB over their Parquet forms. Every query is one aggregate scan: statistics of each version
 * (the `from` one also finding the bins: decile edges, top categories), then per version the rows
 * counted per bin (one small group-by per column, reading only that column). PSI itself is
 * plain arithmetic on those counts (diff-psi.ts). The two passes are in diff-statistics.ts and
 * diff-shifts.ts; this file pairs the columns and assembles the diff.
 */
import { normaliseName } from '../core/names.js';
import { parseReference, type Reference } from '../core/references.js';
import type { Database } from '../store/index.js';
import type { DataEngine } from './data-engine.js';
import type { Change, ColumnDiff, DatasetDiff, TypeChange } from './diff-entities.js';
import { type ColumnShift, psiOf } from './diff-shifts.js';
import { isNumericType, type PsiColumn, psiMethodFor } from './diff-sql.js';
import { binsOf, statistics } from './diff-statistics.js';
import type { DatasetVersion } from './entities.js';
import { loadDatasetVersion } from './version-loader.js';

export type { ColumnShift };

export class DiffService {
  constructor(
    private readonly database: Database,
    private readonly engine: DataEngine,
  ) {}

  /**
   * `from` and `to` are each a version number, `latest`, or a full reference `other@N` (which may
   * name another dataset).
   */
  async diff(name: string, from: string, to: string): Promise<DatasetDiff> {
    const dataset = normaliseName('dataset name', name);
    // One after the other: a failed lookup must not leave the other running after the answer.
    const fromReference = resolveSelector('from', dataset, from);
    const toReference = resolveSelector('to', dataset, to);
    const fromVersion = await this.load(fromReference);
    return this.compare(fromVersion, await this.load(toReference));
  }

  async compare(from: DatasetVersion, to: DatasetVersion): Promise<DatasetDiff> {
    const toByName = new Map(to.columns.map((column) => [column.name, column]));
    const fromNames = new Set(from.columns.map((column) => column.name));
    const common = from.columns.flatMap((column) => {
      const other = toByName.get(column.name);
      return other === undefined ? [] : [{ from: column, to: other }];
    });
    const typeChanged: TypeChange[] = common
      .filter((pair) => pair.from.type !== pair.to.type)
      .map((pair) => ({ name: pair.from.name, from: pair.from.type, to: pair.to.type }));

    const fromPath = await this.localFile(from);
    const toPath = await this.localFile(to);
    const columns = await this.engine.withConnection(async (connection) => {
      // One connection runs one query at a time; DuckDB parallelises inside each.
      const fromStats = await statistics(
        connection,
        fromPath,
        from.rowCount,
        common.map((pair) => ({ column: pair.from, bins: psiMethodFor(pair.from.type, pair.to.type) })),
      );
      const toStats = await statistics(
        connection,
        toPath,
        to.rowCount,
        common.map((pair) => ({ column: pair.to, bins: undefined })),
      );
      const psiColumns: PsiColumn[] = common.map((pair, index) => {
        const method = psiMethodFor(pair.from.type, pair.to.type);
        return { ...pair, method, ...binsOf(method, fromStats[index]!) };
      });
      const shifts = await psiOf(connection, fromPath, toPath, psiColumns);
      return common.map((pair, index): ColumnDiff => {
        const a = fromStats[index]!;
        const b = toStats[index]!;
        const shift = shifts[index]!;
        const numeric = isNumericType(pair.from.type) && isNumericType(pair.to.type);
        return {
          name: pair.to.name,
          type: pair.to.type,
          ...(pair.from.type === pair.to.type ? {} : { fromType: pair.from.type }),
          psi: shift.psi,
          psiMethod: shift.method,
          bins: shift.bins,
          nullRate: change(nullRate(a.nonNull, from.rowCount), nullRate(b.nonNull, to.rowCount)),
          ...(numeric && a.mean !== undefined && b.mean !== undefined
            ? { mean: change(a.mean, b.mean) }
            : {}),
          ...(numeric && a.std !== undefined && b.std !== undefined ? { std: change(a.std, b.std) } : {}),
        };
      });
    });
    columns.sort((a, b) => b.psi - a.psi || a.name.localeCompare(b.name));
    return {
      from: { dataset: from.dataset, version: from.version, rowCount: from.rowCount },
      to: { dataset: to.dataset, version: to.version, rowCount: to.rowCount },
      rowCount: change(from.rowCount, to.rowCount),
      schema: {
        added: to.columns
          .filter((column) => !fromNames.has(column.name))
          .map((column) => ({ name: column.name, type: column.type })),
        removed: from.columns
          .filter((column) => !toByName.has(column.name))
          .map((column) => ({ name: column.name, type: column.type })),
        typeChanged,
      },
      columns,
    };
  }

  /**
   * The PSI of each named column from `reference` to `version` (both must hold it), for the
   * distribution expectation of validation suites.
   */
  async shifts(
    reference: DatasetVersion,
    version: DatasetVersion,
    names: readonly string[],
  ): Promise<ColumnShift[]> {
    const pairs = names.map((name) => {
      const from = reference.columns.find((column) => column.name === name);
      const to = version.columns.find((column) => column.name === name);
      if (from === undefined || to === undefined) throw new Error(`column '${name}' missing from a side`);
      return { from, to, method: psiMethodFor(from.type, to.type) };
    });
    const fromPath = await this.localFile(reference);
    const toPath = await this.localFile(version);
    return this.engine.withConnection(async (connection) => {
      const fromStats = await statistics(
        connection,
        fromPath,
        reference.rowCount,
        pairs.map((pair) => ({ column: pair.from, bins: pair.method })),
      );
      const columns = pairs.map((pair, index) => ({ ...pair, ...binsOf(pair.method, fromStats[index]!) }));
      return psiOf(connection, fromPath, toPath, columns);
    });
  }

  private localFile(version: DatasetVersion): Promise<string> {
    return this.engine.localFile(version.dataDigest, 'parquet');
  }

  private async load(reference: Reference): Promise<DatasetVersion> {
    return (await loadDatasetVersion(this.database.db, reference)).version;
  }
}

/** A version number, `latest`, or a full reference `name@N` (possibly another dataset). */
export function resolveSelector(field: string, dataset: string, raw: string): Reference {
  const text = raw.trim();
  return parseReference(field, text.includes('@') ? text : `${dataset}@${text}`);
}

function nullRate(nonNull: number, rows: number): number {
  return rows === 0 ? 0 : (rows - nonNull) / rows;
}

function change(from: number, to: number): Change {
  return { from, to, delta: to - from };
}
