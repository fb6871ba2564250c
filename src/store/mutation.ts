/**
 * Every mutation runs here: one transaction for the change and its audit event, and, when the caller
 * sent an Idempotency-Key, the stored result so a retried request returns it instead of acting twice.
 */
import type { RequestContext } from '../core/context.js';
import { ConflictError } from '../core/errors.js';
import type { Database, Db, Tx } from './database.js';

/**
 * A unique violation means a concurrent writer committed a row (an experiment's name, a live token's
 * name) after this transaction's checks had looked for it. Running the work again lets those checks
 * see the winner and answer with their proper conflict error instead of a database error.
 */
const ATTEMPTS_ON_UNIQUE_VIOLATION = 3;

export async function mutate<T>(
  database: Database,
  ctx: RequestContext,
  work: (trx: Tx) => Promise<T>,
): Promise<T> {
  const idempotency = ctx.idempotency;
  if (idempotency !== undefined) {
    const earlier = await findReplay<T>(database.db, ctx);
    if (earlier !== undefined) return earlier;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction().execute(async (trx) => {
        const result = await work(trx);
        if (idempotency !== undefined) {
          await trx
            .insertInto('idempotency_keys')
            .values({
              actor: ctx.actor.name,
              key: idempotency.key,
              scope: idempotency.scope,
              fingerprint: idempotency.fingerprint,
              response: JSON.stringify(result),
              created_at: Date.now(),
            })
            .execute();
        }
        return result;
      });
    } catch (error) {
      if (idempotency !== undefined) {
        // A concurrent request with the same key may have won the race: answer with its result.
        const winner = await findReplay<T>(database.db, ctx);
        if (winner !== undefined) return winner;
      }
      if (attempt < ATTEMPTS_ON_UNIQUE_VIOLATION && database.isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

async function findReplay<T>(db: Db, ctx: RequestContext): Promise<T | undefined> {
  const idempotency = ctx.idempotency!;
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['scope', 'fingerprint', 'response'])
    .where('actor', '=', ctx.actor.name)
    .where('key', '=', idempotency.key)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  if (row.scope !== idempotency.scope || row.fingerprint !== idempotency.fingerprint) {
    throw new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key '${idempotency.key}' was already used for a different request`,
      { key: idempotency.key, scope: row.scope },
    );
  }
  return JSON.parse(row.response) as T;
}
