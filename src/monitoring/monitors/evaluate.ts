/**
 * One evaluation of a monitor: read the window from the inference log, the reference from the data
 * engine, and compare features (drift and data quality) and each served version's answers
 * (prediction drift). Pure reading: the caller stores the report and acts on it.
 */
import { UnprocessableError } from '../../core/errors.js';
import { formatReference } from '../../core/references.js';
import type { ModelVersion } from '../../registry/index.js';
import type { Deployment } from '../../serving/index.js';
import { compareTables, type DatasetDriftReport, type DriftColumn } from '../drift/index.js';
import type { LiveMetrics } from '../feedback/index.js';
import type { IgnoredColumn } from '../tables/index.js';
import { type DataQuality, dataQuality } from './data-quality.js';
import type { MonitorDeps } from './monitor-deps.js';
import { answerTable, type ReferenceAnswers, windowAnswers } from './prediction-drift.js';
import { modelFeatures, type ReferenceTables, resolveReference } from './reference.js';
import { type DegradationSpec, LOWER_IS_BETTER_METRICS, type MonitorSpec } from './spec.js';
import { readWindow, type WindowRow, windowTable } from './window.js';

export interface PredictionDrift {
  readonly model: string;
  readonly version: number;
  readonly rows: number;
  readonly report?: DatasetDriftReport;
  /** Why the version's answers were not compared. */
  readonly skipped?: string;
}

/** Live performance of the versions that served the window, on their labelled rows. */
export interface PerformanceCheck {
  readonly metric: string;
  readonly threshold: number;
  /** `below` for scores (alert when the value falls under the threshold), `above` for losses. */
  readonly alertWhen: 'below' | 'above';
  readonly minSamples: number;
  readonly versions: readonly {
    readonly model: string;
    readonly version: number;
    readonly samples: number;
    /** Absent before minSamples (or when undefined for these rows). */
    readonly value?: number;
    readonly degraded: boolean;
  }[];
}

/** The stored body of a succeeded report. */
export interface ReportBody {
  readonly deployment: string;
  readonly revision: number;
  readonly window: {
    readonly kind: 'count' | 'time';
    /** Rows asked for, or the duration in ms. */
    readonly size: number;
    readonly rows: number;
    readonly from: string;
    readonly to: string;
  };
  readonly reference: {
    readonly dataset: string;
    readonly rows: number;
    readonly source: 'explicit' | 'lineage';
    /** The version whose features were compared (and whose training data is the reference by default). */
    readonly model: string;
  };
  /** The versions that served the window's rows. */
  readonly versions: readonly { readonly model: string; readonly version: number; readonly rows: number }[];
  readonly inputs: DatasetDriftReport & { readonly ignored: readonly IgnoredColumn[] };
  readonly predictions: readonly PredictionDrift[];
  readonly quality: DataQuality;
  /** With a degradation rule: each served version's metric on the labels of the window's predictions. */
  readonly performance?: PerformanceCheck;
  /** A version's live performance crossed the degradation threshold. */
  readonly degraded: boolean;
  readonly inputDrift: boolean;
  readonly predictionDrift: boolean;
  /** Input or prediction drift. */
  readonly drift: boolean;
  readonly driftedFeatures: readonly string[];
}

export interface EvaluationTools {
  readonly tables: ReferenceTables;
  readonly answers: ReferenceAnswers;
  /** Live performance per version of the predictions made in [since, until] (feedback joined). */
  readonly performance: (deployment: string, since: number, until: number) => Promise<LiveMetrics>;
}

export async function evaluateMonitor(
  deps: MonitorDeps,
  tools: EvaluationTools,
  deployment: Deployment,
  spec: MonitorSpec,
  now: number,
): Promise<ReportBody> {
  const reference = await resolveReference(deps, spec, deployment);
  const window = await readWindow(deps.database, {
    deployment: deployment.name,
    window: spec.window,
    now,
    ...(spec.model === null
      ? {}
      : { version: { model: reference.model.model, version: reference.model.version } }),
  });
  if (window.rows.length === 0 || window.from === undefined || window.to === undefined) {
    throw new UnprocessableError(
      'MONITOR_WINDOW_EMPTY',
      `deployment '${deployment.name}' has no logged predictions in the window (${describe(spec)}); send traffic first`,
      { deployment: deployment.name },
    );
  }
  const wanted = spec.features ?? featuresOf(reference.model, window.rows);
  const loaded = await tools.tables.load(reference.dataset, wanted);
  const kinds = new Map<string, DriftColumn['kind']>(
    Object.entries(loaded.table.columns).map(([name, column]) => [name, column.kind]),
  );
  if (kinds.size === 0) {
    throw new UnprocessableError(
      'MONITOR_NO_FEATURES',
      `no feature of the window can be compared with ${refName(reference.dataset)}: ${loaded.ignored.map((i) => `${i.column} (${i.reason})`).join(', ') || 'the model declares no named features'}`,
      { reference: refName(reference.dataset) },
    );
  }
  const current = windowTable(window.rows, kinds);
  const inputs = compareTables(loaded.table, current, {
    ...(spec.tests === null ? {} : { tests: spec.tests as never }),
    overrides: spec.overrides,
    driftShare: spec.driftShare,
    correction: spec.correction,
    bins: spec.bins,
  });
  const versions = versionsOf(window.rows);
  const predictions = spec.predictionDrift
    ? await Promise.all(versions.map((v) => predictionDrift(deps, tools, reference.dataset, v, spec)))
    : [];
  const predictionDrifted = predictions.some((p) => p.report?.datasetDrift === true);
  const performance =
    spec.degradation === null || spec.degradation === undefined
      ? undefined
      : performanceCheck(
          spec.degradation,
          await tools.performance(deployment.name, window.from, window.to + 1),
          versions,
        );
  return {
    deployment: deployment.name,
    revision: deployment.revision,
    window: {
      kind: spec.window.kind,
      size: spec.window.kind === 'count' ? spec.window.rows : spec.window.ms,
      rows: window.rows.length,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
    },
    reference: {
      dataset: refName(reference.dataset),
      rows: loaded.rows,
      source: reference.source,
      model: formatReference(reference.model.model, reference.model.version),
    },
    versions: versions.map(({ model, version, rows }) => ({ model, version, rows: rows.length })),
    inputs: { ...inputs, ignored: loaded.ignored },
    predictions,
    quality: dataQuality(loaded.table, current),
    ...(performance === undefined ? {} : { performance }),
    degraded: performance?.versions.some((v) => v.degraded) ?? false,
    inputDrift: inputs.datasetDrift,
    predictionDrift: predictionDrifted,
    drift: inputs.datasetDrift || predictionDrifted,
    driftedFeatures: inputs.columns.filter((c) => c.drifted).map((c) => c.column),
  };
}

async function predictionDrift(
  deps: MonitorDeps,
  tools: EvaluationTools,
  dataset: Parameters<ReferenceTables['load']>[0],
  served: { model: string; version: number; rows: readonly WindowRow[] },
  spec: MonitorSpec,
): Promise<PredictionDrift> {
  const base = { model: served.model, version: served.version, rows: served.rows.length };
  try {
    const model = await deps.registry.versions.resolve(formatReference(served.model, served.version));
    const features = modelFeatures(model);
    if (features.length === 0) return { ...base, skipped: 'the model declares no named features' };
    const loaded = await tools.tables.load(dataset, features);
    const missing = features.filter((name) => !Object.hasOwn(loaded.table.columns, name));
    if (missing.length > 0) {
      return { ...base, skipped: `the reference lacks the model's features ${missing.join(', ')}` };
    }
    const reference = await tools.answers.get(model, dataset, loaded);
    const current = answerTable(model, windowAnswers(served.rows));
    return {
      ...base,
      report: compareTables(reference, current, { driftShare: spec.driftShare, bins: spec.bins }),
    };
  } catch (error) {
    return { ...base, skipped: `its reference answers could not be computed: ${(error as Error).message}` };
  }
}

/** Each version that served the window, judged on its labelled rows (none yet: not judged). */
function performanceCheck(
  rule: DegradationSpec,
  live: LiveMetrics,
  served: readonly { readonly model: string; readonly version: number }[],
): PerformanceCheck {
  const alertWhen = LOWER_IS_BETTER_METRICS.has(rule.metric) ? 'above' : 'below';
  return {
    metric: rule.metric,
    threshold: rule.threshold,
    alertWhen,
    minSamples: rule.minSamples,
    versions: served.map(({ model, version }) => {
      const found = live.versions.find((v) => !v.shadow && v.model === model && v.version === version);
      const samples = found?.samples ?? 0;
      const value = found?.metrics[rule.metric];
      const judged = samples >= rule.minSamples && value !== undefined && Number.isFinite(value);
      const degraded = judged && (alertWhen === 'above' ? value > rule.threshold : value < rule.threshold);
      return { model, version, samples, ...(judged ? { value } : {}), degraded };
    }),
  };
}

/** The model's named features; for a model without them, the keys the window's rows carry. */
function featuresOf(model: ModelVersion, rows: readonly WindowRow[]): readonly string[] {
  const declared = modelFeatures(model);
  if (declared.length > 0) return declared;
  const keys = new Set<string>();
  for (const row of rows.slice(0, 100)) for (const key of Object.keys(row.features)) keys.add(key);
  return [...keys];
}

function versionsOf(rows: readonly WindowRow[]): { model: string; version: number; rows: WindowRow[] }[] {
  const byVersion = new Map<string, { model: string; version: number; rows: WindowRow[] }>();
  for (const row of rows) {
    const key = formatReference(row.model, row.version);
    let entry = byVersion.get(key);
    if (entry === undefined) {
      entry = { model: row.model, version: row.version, rows: [] };
      byVersion.set(key, entry);
    }
    entry.rows.push(row);
  }
  return [...byVersion.values()].sort((a, b) => b.rows.length - a.rows.length);
}

function refName(version: { dataset: string; version: number }): string {
  return formatReference(version.dataset, version.version);
}

function describe(spec: MonitorSpec): string {
  return spec.window.kind === 'count'
    ? `the last ${spec.window.rows} rows`
    : `the last ${Math.round(spec.window.ms / 1000)} s`;
}
