/**
 * The audit log: every mutation records who did what to which resource, with before/after summaries,
 * in the same transaction as the mutation itself, so the log and the data never disagree.
 */
import type { Clock } from '../core/clock.js';
import { toIso } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import {
  decodePageToken,
  isKeyCursor,
  type Page,
  type PageRequest,
  pageOf,
  pageSize,
} from '../core/pagination.js';
import type { Database, Executor } from '../store/index.js';
import type { AuditEventRow } from '../store/tables.js';

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly requestId: string;
}

export interface AuditRecord {
  /** `noun.verb`, e.g. `experiment.create`, `run.log_metrics`. */
  readonly action: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditFilter extends PageRequest {
  readonly resourceType?: string;
  readonly resourceId?: string;
  readonly actor?: string;
  readonly action?: string;
  /** ISO time; events at or after it. */
  readonly since?: string;
  /** ISO time; events before it. */
  readonly until?: string;
}

export class AuditLog {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Call inside the mutation's transaction. */
  async record(trx: Executor, ctx: RequestContext, event: AuditRecord): Promise<void> {
    const at = this.clock.now();
    await trx
      .insertInto('audit_events')
      .values({
        id: newId(at),
        at,
        actor: ctx.actor.name,
        action: event.action,
        resource_type: event.resourceType,
        resource_id: event.resourceId,
        before: event.before === undefined ? null : JSON.stringify(event.before),
        after: event.after === undefined ? null : JSON.stringify(event.after),
        request_id: ctx.requestId,
      })
      .execute();
  }

  /** Newest first. */
  async list(filter: AuditFilter = {}): Promise<Page<AuditEvent>> {
    const limit = pageSize(filter.limit);
    const query = JSON.stringify([
      filter.resourceType,
      filter.resourceId,
      filter.actor,
      filter.action,
      filter.since,
      filter.until,
    ]);
    const after = decodePageToken(filter.pageToken, query, isKeyCursor);
    let select = this.database.db.selectFrom('audit_events').selectAll();
    if (filter.resourceType !== undefined) select = select.where('resource_type', '=', filter.resourceType);
    if (filter.resourceId !== undefined) select = select.where('resource_id', '=', filter.resourceId);
    if (filter.actor !== undefined) select = select.where('actor', '=', filter.actor);
    if (filter.action !== undefined) {
      // `run` matches every run action (all of `run.*`: '/' sorts right after '.'); `run.create` exactly.
      select = filter.action.includes('.')
        ? select.where('action', '=', filter.action)
        : select.where('action', '>', `${filter.action}.`).where('action', '<', `${filter.action}/`);
    }
    if (filter.since !== undefined) select = select.where('at', '>=', parseTime('since', filter.since));
    if (filter.until !== undefined) select = select.where('at', '<', parseTime('until', filter.until));
    if (after !== undefined) select = select.where('id', '<', after);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    return pageOf(rows, limit, toAuditEvent, (row) => row.id, query);
  }
}

function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: toIso(row.at),
    actor: row.actor,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    ...(row.before === null ? {} : { before: JSON.parse(row.before) as unknown }),
    ...(row.after === null ? {} : { after: JSON.parse(row.after) as unknown }),
    requestId: row.request_id,
  };
}

/** Accepts ISO 8601 times and relative durations such as `15m`, `2h`, `7d` (meaning "that long ago"). */
export function parseTime(field: string, value: string, now = Date.now()): number {
  const relative = /^(\d+)(s|m|h|d)$/.exec(value);
  if (relative) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(relative[1]) * unit;
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new InvalidError(
      `${field} must be an ISO 8601 time or a duration like 15m, 2h, 7d; got '${value}'`,
      {
        field,
        value,
      },
    );
  }
  return time;
}
