/**
 * What a monitor compares against. An explicit `dataset@v` wins; otherwise the training data the
 * registry linked to the model version the deployment's champion route serves (the route naming the
 * `champion` alias, else the one with the most traffic), so the reference follows the champion as
 * it is replaced. Tables read from the data engine are kept for the next evaluations (they are
 * immutable: keyed by the Parquet digest and the columns).
 */
import { UnprocessableError } from '../../core/errors.js';
import { formatReference } from '../../core/references.js';
import { type DatasetVersion, loadDatasetVersion } from '../../data/index.js';
import type { ModelVersion } from '../../registry/index.js';
import type { Deployment, ResolvedRoute } from '../../serving/index.js';
import type { MonitoringDeps } from '../deps.js';
import { type LoadedTable, loadVersionTable } from '../tables/index.js';
import type { MonitorSpec } from './spec.js';

export interface ResolvedReference {
  readonly dataset: DatasetVersion;
  /** `explicit` (the monitor names it) or `lineage` (the training data of `model`). */
  readonly source: 'explicit' | 'lineage';
  /** The version whose features (and, without an explicit reference, training data) the monitor uses. */
  readonly model: ModelVersion;
}

export function championRoute(deployment: Deployment): ResolvedRoute {
  const champion = deployment.routes.find((route) => route.reference.endsWith('@champion'));
  if (champion !== undefined) return champion;
  return deployment.routes.reduce((best, route) => (route.weight > best.weight ? route : best));
}

export async function resolveReference(
  deps: Pick<MonitoringDeps, 'database' | 'registry'>,
  spec: MonitorSpec,
  deployment: Deployment,
): Promise<ResolvedReference> {
  const modelRef =
    spec.model ?? formatReference(championRoute(deployment).model, championRoute(deployment).version);
  const model = await deps.registry.versions.resolve(modelRef);
  if (spec.reference !== null) {
    const loaded = await loadDatasetVersion(deps.database.db, spec.reference, 'reference');
    return { dataset: loaded.version, source: 'explicit', model };
  }
  const training = model.datasets.find((link) => link.role === 'train');
  if (training === undefined) {
    throw new UnprocessableError(
      'MONITOR_NO_REFERENCE',
      `${formatReference(model.model, model.version)} has no training dataset in its lineage; give the monitor a reference (--reference dataset@v)`,
      { model: formatReference(model.model, model.version) },
    );
  }
  const loaded = await loadDatasetVersion(
    deps.database.db,
    formatReference(training.dataset, training.version),
    'reference',
  );
  return { dataset: loaded.version, source: 'lineage', model };
}

/** Named features of a version: its declared features, else its feature names; none for tensor models. */
export function modelFeatures(model: ModelVersion): readonly string[] {
  return model.features?.map((feature) => feature.name) ?? model.featureNames ?? [];
}

/** Reads of reference tables, kept while they are used (a few at most). */
export class ReferenceTables {
  private readonly cache = new Map<string, Promise<LoadedTable>>();

  constructor(
    private readonly deps: Pick<MonitoringDeps, 'datasets'>,
    private readonly capacity = 4,
  ) {}

  load(version: DatasetVersion, columns: readonly string[]): Promise<LoadedTable> {
    const key = `${version.dataDigest}\n${columns.join('\n')}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const loading = loadVersionTable(this.deps.datasets.engine, version, { columns });
    loading.catch(() => this.cache.delete(key));
    this.cache.set(key, loading);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return loading;
  }
}
