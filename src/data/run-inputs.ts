/**
 * Records which dataset versions a run read (MLflow's log_input): `dataset@v -> run` edges, so the
 * lineage of every model the run produces leads back to its data even before it is registered.
 */
import type { AuditLog } from '../auth/index.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError } from '../core/errors.js';
import { datasetNode, type LineageRecorder, runNode } from '../lineage/index.js';
import { type Database, mutate } from '../store/index.js';
import { findRunRow } from '../tracking/index.js';
import { loadDatasetVersion } from './version-loader.js';

export const MAX_RUN_INPUTS = 100;

export interface RunInputs {
  readonly run: string;
  /** The resolved versions, in the order given. */
  readonly datasets: readonly { readonly dataset: string; readonly version: number }[];
}

export class RunInputService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly recorder: LineageRecorder,
  ) {}

  /** `refs` are dataset references (`orders@7`, `orders@latest`); recording one twice is harmless. */
  async log(ctx: RequestContext, runId: string, refs: readonly string[]): Promise<RunInputs> {
    if (refs.length === 0 || refs.length > MAX_RUN_INPUTS) {
      throw new InvalidError(`datasets must hold 1 to ${MAX_RUN_INPUTS} references, got ${refs.length}`, {
        field: 'datasets',
      });
    }
    return mutate(this.database, ctx, async (trx) => {
      const run = await findRunRow(trx, runId);
      const datasets: { dataset: string; version: number }[] = [];
      for (const [index, ref] of refs.entries()) {
        const { version } = await loadDatasetVersion(trx, ref, `datasets[${index}]`);
        datasets.push({ dataset: version.dataset, version: version.version });
      }
      await this.recorder.record(
        trx,
        ctx,
        datasets.map((d) => ({
          source: datasetNode(d.dataset, d.version),
          target: runNode(run.id),
          relation: 'input',
        })),
      );
      const result = { run: run.id, datasets };
      await this.audit.record(trx, ctx, {
        action: 'run.log_inputs',
        resourceType: 'run',
        resourceId: run.id,
        after: { datasets: datasets.map((d) => `${d.dataset}@${d.version}`) },
      });
      return result;
    });
  }
}
