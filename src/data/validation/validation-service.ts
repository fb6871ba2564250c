/**
 * Runs validation suites against dataset versions and keeps their reports. A run is one aggregate
 * pass over the version for every expectation, one PSI pass per distribution reference, and, for
 * failed row-level expectations only, one small query each for example rows. The report is stored
 * (with its audit event) only once everything has been computed, so a failed request stores nothing.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuditLog } from '../../auth/index.js';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { InvalidError, NotFoundError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  decodePageToken,
  isKeyCursor,
  type Page,
  type PageRequest,
  pageOf,
  pageSize,
} from '../../core/pagination.js';
import { type Database, mutate } from '../../store/index.js';
import type { ValidationReportRow } from '../../store/tables.js';
import type { DataEngine } from '../data-engine.js';
import type { DiffService } from '../diff-service.js';
import { parquetSource, quoteIdent, quoteString } from '../diff-sql.js';
import type { DatasetVersion } from '../entities.js';
import { toJsonValue } from '../json-values.js';
import { loadDatasetVersion } from '../version-loader.js';
import type { Check, MeasuredShift, Row } from './check.js';
import { compileChecks, ROW_COUNT } from './expectations.js';
import {
  type ExpectationResult,
  MAX_EXAMPLES,
  type OffendingRow,
  type StoredReport,
  toValidationReport,
  type ValidationReport,
} from './report.js';
import type { ExpectationOf, Suite } from './suite.js';

const ROW_NUMBER = '__slipway_row';

export class ValidationService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly engine: DataEngine,
    private readonly diff: DiffService,
  ) {}

  /** Runs `suite` against the version (`name@N` or `name@latest`) and stores the report. */
  async validate(ctx: RequestContext, reference: string, suite: Suite): Promise<ValidationReport> {
    const { row: versionRow, version } = await loadDatasetVersion(this.database.db, reference);
    await this.engine.withConnection((connection) => checkPatterns(connection, suite));
    const shifts = await this.measureShifts(suite, version);
    const path = await this.engine.localFile(version.dataDigest, 'parquet');
    const { rowCount, results } = await this.engine.withConnection((connection) =>
      runChecks(connection, path, version, compileChecks(suite.expectations, version, shifts)),
    );
    const passed = results.filter((result) => result.success).length;
    const stored: StoredReport = {
      dataset: version.dataset,
      version: version.version,
      counts: { expectations: results.length, passed, failed: results.length - passed },
      rowCount,
      results,
    };
    const now = this.clock.now();
    const row: ValidationReportRow = {
      id: newId(now),
      dataset_version_id: versionRow.id,
      success: passed === results.length ? 1 : 0,
      suite: JSON.stringify(suite),
      report: JSON.stringify(stored),
      created_by: ctx.actor.name,
      created_at: now,
    };
    return mutate(this.database, ctx, async (trx) => {
      await trx.insertInto('validation_reports').values(row).execute();
      const report = toValidationReport(row);
      await this.audit.record(trx, ctx, {
        action: 'dataset.validate',
        resourceType: 'validation_report',
        resourceId: row.id,
        after: {
          dataset: report.dataset,
          version: report.version,
          ...(suite.name === undefined ? {} : { suite: suite.name }),
          success: report.success,
          counts: report.counts,
        },
      });
      return report;
    });
  }

  /** The version's reports, newest first. */
  async list(reference: string, page: PageRequest = {}): Promise<Page<ValidationReport>> {
    const limit = pageSize(page.limit);
    const { row: version } = await loadDatasetVersion(this.database.db, reference);
    const query = JSON.stringify(['validations', version.id]);
    const after = decodePageToken(page.pageToken, query, isKeyCursor);
    let select = this.database.db
      .selectFrom('validation_reports')
      .selectAll()
      .where('dataset_version_id', '=', version.id);
    if (after !== undefined) select = select.where('id', '<', after);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return pageOf(rows, limit, toValidationReport, (row) => row.id, query);
  }

  async get(reference: string, id: string): Promise<ValidationReport> {
    const { row: version, version: entity } = await loadDatasetVersion(this.database.db, reference);
    const row = await this.database.db
      .selectFrom('validation_reports')
      .selectAll()
      .where('id', '=', id)
      .where('dataset_version_id', '=', version.id)
      .executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError(
        'VALIDATION_REPORT_NOT_FOUND',
        `dataset version ${entity.dataset}@${entity.version} has no validation report '${id}'`,
        { dataset: entity.dataset, version: entity.version, id },
      );
    }
    return toValidationReport(row);
  }

  /** PSI of every distribution expectation, one pass per reference version. */
  private async measureShifts(suite: Suite, version: DatasetVersion): Promise<Map<number, MeasuredShift>> {
    const byReference = new Map<
      string,
      { reference: DatasetVersion; entries: { index: number; column: string }[] }
    >();
    const shifts = new Map<number, MeasuredShift>();
    const present = new Set(version.columns.map((column) => column.name));
    for (const [index, expectation] of suite.expectations.entries()) {
      if (expectation.type !== 'distribution_close_to') continue;
      const reference = await loadReference(this.database, index, expectation);
      const label = `${reference.dataset}@${reference.version}`;
      if (!present.has(expectation.column)) continue; // reported as a missing column
      if (!reference.columns.some((column) => column.name === expectation.column)) {
        shifts.set(index, {
          psi: 0,
          bins: 0,
          reference: label,
          problem: `reference ${label} has no column '${expectation.column}'`,
        });
        continue;
      }
      const group = byReference.get(reference.id) ?? { reference, entries: [] };
      group.entries.push({ index, column: expectation.column });
      byReference.set(reference.id, group);
    }
    for (const { reference, entries } of byReference.values()) {
      const measured = await this.diff.shifts(
        reference,
        version,
        entries.map((entry) => entry.column),
      );
      entries.forEach((entry, i) => {
        const shift = measured[i]!;
        shifts.set(entry.index, {
          psi: shift.psi,
          bins: shift.bins,
          reference: `${reference.dataset}@${reference.version}`,
        });
      });
    }
    return shifts;
  }
}

async function loadReference(
  database: Database,
  index: number,
  expectation: ExpectationOf<'distribution_close_to'>,
): Promise<DatasetVersion> {
  const field = `expectations[${index}].reference`;
  try {
    return (await loadDatasetVersion(database.db, expectation.reference, field)).version;
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(error.code, `${field}: ${error.message}`, { ...error.details, field });
    }
    throw error;
  }
}

/** A pattern DuckDB (RE2) cannot compile is a bad suite, found before any data is read. */
async function checkPatterns(connection: DuckDBConnection, suite: Suite): Promise<void> {
  for (const [index, expectation] of suite.expectations.entries()) {
    if (expectation.type !== 'values_match_regex') continue;
    try {
      await connection.runAndReadAll(`SELECT regexp_full_match('', ${quoteString(expectation.pattern)})`);
    } catch (error) {
      const reason = (error as Error).message.replace(/^[A-Za-z ]*Error: /, '').split('\n')[0];
      throw new InvalidError(
        `expectations[${index}].pattern: not a valid regular expression (RE2 syntax): ${reason}`,
        { field: `expectations[${index}].pattern`, value: expectation.pattern },
        'INVALID_SUITE',
      );
    }
  }
}

async function runChecks(
  connection: DuckDBConnection,
  path: string,
  version: DatasetVersion,
  checks: readonly Check[],
): Promise<{ rowCount: number; results: ExpectationResult[] }> {
  const aggregates = [ROW_COUNT, ...checks.flatMap((check) => check.aggregates)];
  const reader = await connection.runAndReadAll(
    `SELECT ${aggregates.join(', ')} FROM ${parquetSource(path)}`,
  );
  const row = (reader.getRowObjectsJS()[0] ?? {}) as Row;
  const results: ExpectationResult[] = [];
  for (const check of checks) {
    const outcome = check.evaluate(row);
    const expectation = check.expectation;
    let offendingCount = outcome.offendingCount;
    let examples: OffendingRow[] | undefined;
    if (!outcome.success && check.offending !== undefined) {
      const condition = check.offending.replaceAll('{source}', parquetSource(path));
      if (check.countsOffendingLater) {
        const counted = await connection.runAndReadAll(
          `SELECT count(*) AS n FROM ${parquetSource(path)} WHERE ${condition}`,
        );
        offendingCount = Number((counted.getRowObjectsJS()[0] as Row | undefined)?.n ?? 0);
      }
      examples = await exampleRows(connection, path, version, condition);
    }
    results.push({
      index: check.index,
      type: expectation.type,
      ...('column' in expectation ? { column: expectation.column } : {}),
      success: outcome.success,
      observed: outcome.observed,
      ...(offendingCount === undefined ? {} : { offendingCount }),
      ...(outcome.message === undefined ? {} : { message: outcome.message }),
      ...(examples === undefined ? {} : { examples }),
    });
  }
  return { rowCount: Number(row.n_rows ?? 0), results };
}

async function exampleRows(
  connection: DuckDBConnection,
  path: string,
  version: DatasetVersion,
  condition: string,
): Promise<OffendingRow[]> {
  const source = numberedSource(path, version);
  if (source === undefined) return [];
  const columns = version.columns.map((column) => quoteIdent(column.name)).join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT ${source.position} AS ${ROW_NUMBER}, ${columns} FROM ${source.from} WHERE ${condition} ORDER BY ${ROW_NUMBER} LIMIT ${MAX_EXAMPLES}`,
  );
  return (reader.getRowObjectsJS() as Row[]).map(({ [ROW_NUMBER]: position, ...values }) => ({
    row: Number(position),
    values: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, toJsonValue(value)])),
  }));
}

/**
 * Where the rows' 0-based positions come from. DuckDB's file_row_number option refuses files with a
 * column of that name; WITH ORDINALITY (1-based) numbers the same rows in its stead. A file with
 * both names has no way to number its rows, and its failures come without examples.
 */
function numberedSource(
  path: string,
  version: DatasetVersion,
): { position: string; from: string } | undefined {
  const names = new Set(version.columns.map((column) => column.name.toLowerCase()));
  if (!names.has('file_row_number')) return { position: 'file_row_number', from: parquetSource(path, true) };
  if (!names.has('ordinality'))
    return { position: 'ordinality - 1', from: `${parquetSource(path)} WITH ORDINALITY` };
  return undefined;
}
