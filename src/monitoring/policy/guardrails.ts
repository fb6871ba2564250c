/**
 * Guardrails of a challenger, checked before (and regardless of) the sample size:
 *
 * - p99 latency: the nearest-rank 99th percentile of `latency_ms` over the challenger's rows in the
 *   inference log since the window start (every replica writes there; a request's latency is on each
 *   of its rows).
 * - error rate: failed (5xx) over all requests of the challenger's route in the live figures of the
 *   server evaluating (failed requests are not in the log), over the window or the last 350 s,
 *   whichever is shorter.
 *
 * Neither is judged on fewer than GUARDRAIL_MIN_REQUESTS rows or requests.
 */
import { sql } from 'kysely';
import { toWireNumber } from '../../core/wire.js';
import type { Serving } from '../../serving/index.js';
import type { Database } from '../../store/index.js';
import type { GuardrailEvidence } from './entities.js';
import type { Side } from './pair.js';
import type { Guardrails } from './spec.js';

export const GUARDRAIL_MIN_REQUESTS = 20;
const MAX_STATUS_WINDOW_SECONDS = 350;

export interface GuardrailCheck {
  readonly evidence: GuardrailEvidence;
  /** Why it breached, when it did. */
  readonly breach?: string;
}

export async function checkGuardrails(
  database: Database,
  serving: Serving,
  deployment: string,
  challenger: Side,
  rails: Guardrails,
  since: number,
  now: number,
): Promise<GuardrailCheck> {
  const evidence: { -readonly [K in keyof GuardrailEvidence]: GuardrailEvidence[K] } = {};
  const breaches: string[] = [];
  const label = `${challenger.model}@${challenger.version}`;
  if (rails.maxP99Ms !== undefined) {
    const base = database.db
      .selectFrom('inference_log')
      .where('deployment', '=', deployment)
      .where('model', '=', challenger.model)
      .where('model_version', '=', challenger.version)
      .where('shadow', '=', challenger.shadow ? 1 : 0)
      .where('at', '>=', since);
    const counted = await base.select(sql<number>`count(*)`.as('n')).executeTakeFirst();
    const rows = Number(counted?.n ?? 0);
    let value = Number.NaN;
    if (rows > 0) {
      const rank = Math.max(0, Math.ceil(0.99 * rows) - 1);
      const found = await base
        .select('latency_ms')
        .orderBy('latency_ms', 'asc')
        .limit(1)
        .offset(rank)
        .executeTakeFirst();
      value = Number(found?.latency_ms ?? Number.NaN);
    }
    const breached = rows >= GUARDRAIL_MIN_REQUESTS && value > rails.maxP99Ms;
    evidence.p99Ms = { value: toWireNumber(value), rows, limit: rails.maxP99Ms, breached };
    if (breached)
      breaches.push(
        `p99 latency ${round(value)} ms of ${label} is over maxP99Ms ${rails.maxP99Ms} (${rows} logged rows)`,
      );
  }
  if (rails.maxErrorRate !== undefined) {
    const windowSeconds = Math.min(MAX_STATUS_WINDOW_SECONDS, Math.max(10, Math.ceil((now - since) / 1000)));
    const status = await serving.inference.status(deployment, windowSeconds);
    const figures = challenger.shadow
      ? status.shadow
      : status.routes.find((r) => r.reference === challenger.reference && r.version === challenger.version);
    const requests = figures?.requests ?? 0;
    const errors = figures?.errors ?? 0;
    const value = requests === 0 ? Number.NaN : errors / requests;
    const breached = requests >= GUARDRAIL_MIN_REQUESTS && value > rails.maxErrorRate;
    evidence.errorRate = {
      value: toWireNumber(value),
      errors,
      requests,
      windowSeconds,
      limit: rails.maxErrorRate,
      breached,
    };
    if (breached)
      breaches.push(
        `error rate ${round(value)} of ${label} is over maxErrorRate ${rails.maxErrorRate} (${errors} of ${requests} requests in ${windowSeconds}s)`,
      );
  }
  return { evidence, ...(breaches.length === 0 ? {} : { breach: breaches.join('; ') }) };
}

export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 10_000) / 10_000);
}
