/** Ad hoc drift comparison of two dataset versions: resolve both references, read them, compare. */
import { loadDatasetVersion } from '../data/index.js';
import type { MonitoringDeps } from './deps.js';
import { compareLoaded, type DriftCompareRequest, type DriftComparison } from './drift-comparison.js';
import { loadVersionTable } from './tables/parquet-table.js';

export type CompareDeps = Pick<MonitoringDeps, 'database' | 'datasets'>;

/**
 * Compares `request.current` with `request.reference` (each `dataset@v`). Unknown datasets and
 * versions are 404s naming the dataset; a bad reference, column, test, override or option is a 400
 * naming the field (`reference`, `current`, `columns`, `tests`, `overrides.<column>.test`, `bins` …).
 */
export async function compareVersions(
  deps: CompareDeps,
  request: DriftCompareRequest,
): Promise<DriftComparison> {
  const db = deps.database.db;
  const reference = await loadDatasetVersion(db, request.reference, 'reference');
  const current = await loadDatasetVersion(db, request.current, 'current');
  const read = request.columns === undefined ? {} : { columns: request.columns };
  const engine = deps.datasets.engine;
  const [ref, cur] = await Promise.all([
    loadVersionTable(engine, reference.version, read),
    loadVersionTable(engine, current.version, read),
  ]);
  return compareLoaded(
    { name: `${reference.version.dataset}@${reference.version.version}`, loaded: ref },
    { name: `${current.version.dataset}@${current.version.version}`, loaded: cur },
    request,
  );
}
