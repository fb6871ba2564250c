/** The experiment a pipeline's runs are tracked in (`pipeline-<name>`), made on first use. */
import type { RequestContext } from '../core/context.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { Tracking } from '../tracking/index.js';

export async function ensureExperiment(
  tracking: Tracking,
  ctx: RequestContext,
  name: string,
  description: string,
): Promise<void> {
  try {
    await tracking.experiments.get(name);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    try {
      await tracking.experiments.create(ctx, { name, description });
    } catch (raced) {
      // Another start created it first.
      if (!(raced instanceof ConflictError)) throw raced;
    }
  }
}
