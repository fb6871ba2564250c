/** Searches runs across experiments by a filter, ordered by metrics, params, tags or attributes. */
import { sql } from 'kysely';
import {
  decodePageToken,
  encodePageToken,
  isOffsetCursor,
  type Page,
  type PageRequest,
  pageSize,
} from '../../core/pagination.js';
import type { Database } from '../../store/index.js';
import type { Run } from '../entities.js';
import { findExperiment } from '../experiment-service.js';
import { loadRuns } from '../run-loader.js';
import { compileFilter, orderExpression } from './filter-compiler.js';
import { parseFilter, parseOrderBy } from './filter-parser.js';

export interface SearchRunsInput extends PageRequest {
  /** Experiment ids or names. Empty or absent: every active experiment. */
  readonly experiments?: readonly string[];
  /** e.g. `metrics.accuracy > 0.9 and params.model = 'gbdt' and status = 'finished'`. */
  readonly filter?: string;
  /** e.g. `['metrics.accuracy desc', 'start_time']`. Missing values sort last. Default: newest first. */
  readonly orderBy?: readonly string[];
}

export class RunSearch {
  constructor(private readonly database: Database) {}

  async search(input: SearchRunsInput = {}): Promise<Page<Run>> {
    const limit = pageSize(input.limit);
    const filter = parseFilter(input.filter ?? '');
    const order = (input.orderBy ?? []).map(parseOrderBy);
    const db = this.database.db;
    const experimentIds = await Promise.all(
      (input.experiments ?? []).map(async (ref) => (await findExperiment(db, ref)).id),
    );
    const query = JSON.stringify(['search', experimentIds, input.filter ?? '', input.orderBy ?? []]);
    const offset = decodePageToken(input.pageToken, query, isOffsetCursor) ?? 0;

    let select = db.selectFrom('runs').selectAll('runs');
    if (experimentIds.length > 0) {
      select = select.where('runs.experiment_id', 'in', experimentIds);
    } else {
      select = select
        .innerJoin('experiments', 'experiments.id', 'runs.experiment_id')
        .where('experiments.lifecycle', '=', 'active');
    }
    if (filter !== undefined) select = select.where((eb) => compileFilter(eb, filter));
    for (const term of order) {
      select = select.orderBy(
        sql`${orderExpression(term.field)} ${sql.raw(term.descending ? 'desc' : 'asc')} nulls last`,
      );
    }
    const rows = await select
      .orderBy('runs.id', 'desc')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    const more = rows.length > limit;
    const items = await loadRuns(db, more ? rows.slice(0, limit) : rows);
    return more ? { items, nextPageToken: encodePageToken(offset + limit, query) } : { items };
  }
}
