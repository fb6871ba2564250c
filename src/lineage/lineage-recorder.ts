/**
 * Records lineage edges inside the caller's transaction, so an edge exists exactly when the thing it
 * describes does. Recording an edge twice is harmless.
 */
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import type { Executor } from '../store/index.js';
import type { EdgeInput } from './node-keys.js';

export class LineageRecorder {
  constructor(private readonly clock: Clock) {}

  async record(trx: Executor, ctx: RequestContext, edges: readonly EdgeInput[]): Promise<void> {
    if (edges.length === 0) return;
    const now = this.clock.now();
    await trx
      .insertInto('lineage_edges')
      .values(
        edges.map((edge) => ({
          source: edge.source,
          target: edge.target,
          relation: edge.relation,
          created_by: ctx.actor.name,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['source', 'target', 'relation']).doNothing())
      .execute();
  }
}
