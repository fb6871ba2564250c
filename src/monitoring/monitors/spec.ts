/**
 * A monitor's settings as stored (`monitors.spec`), and the checks that turn what a user wrote
 * (CLI flags, JSON) into them. Everything is checked at create time, so a typo in a cron expression
 * or a test name is refused with the field named rather than failing every evaluation later.
 */
import { cronProblem, isTimeZone } from '../../core/cron.js';
import { durationMs } from '../../core/duration-text.js';
import { InvalidError } from '../../core/errors.js';
import { normaliseName } from '../../core/names.js';
import { formatReference, parseReference } from '../../core/references.js';
import {
  type ColumnOverride,
  type Correction,
  DEFAULT_THRESHOLDS,
  DRIFT_TESTS,
  type DriftTestName,
} from '../drift/index.js';
import { CLASSIFICATION_METRICS, type MetricName, REGRESSION_METRICS } from '../performance/index.js';

/** Every name `tests` accepts: the per-column tests and `mmd` over the whole input. */
export type MonitorTestName = (typeof DRIFT_TESTS)[number];

export type WindowSpec =
  | { readonly kind: 'count'; readonly rows: number }
  | { readonly kind: 'time'; readonly ms: number };

export interface ScheduleSpec {
  readonly cron: string;
  readonly timezone: string;
}

export interface OnDriftSpec {
  readonly pipeline: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** No second run starts within this long of the last one. */
  readonly cooldownMs: number;
}

/** Live performance below which (above, for losses) a report is `degraded`, on labelled rows. */
export interface DegradationSpec {
  readonly metric: MetricName;
  readonly threshold: number;
  /** Labelled rows a version needs in the window before it is judged. */
  readonly minSamples: number;
}

export interface MonitorSpec {
  readonly description: string;
  /** `dataset@v` pinned at create time, or null: the training data of the champion route's version. */
  readonly reference: string | null;
  /** Only rows this model reference served (`churn@3`, or an alias resolved at each evaluation). */
  readonly model: string | null;
  readonly window: WindowSpec;
  /** Features compared; null: every feature the model and the reference share. */
  readonly features: readonly string[] | null;
  readonly tests: readonly MonitorTestName[] | null;
  readonly overrides: Readonly<Record<string, ColumnOverride>>;
  readonly driftShare: number;
  readonly correction: Correction;
  readonly bins: number;
  /** Also compare the model's outputs with its outputs on the reference. */
  readonly predictionDrift: boolean;
  readonly degradation: DegradationSpec | null;
  readonly schedule: ScheduleSpec | null;
  readonly onDrift: OnDriftSpec | null;
  readonly webhook: string | null;
}

/** What a create or update request may carry (every field optional on update). */
export interface MonitorInput {
  readonly description?: string;
  readonly reference?: string | null;
  readonly model?: string | null;
  /** A row count (`1000`) or a duration (`90s`, `30m`, `1h`, `7d`). */
  readonly window?: string | number;
  readonly features?: readonly string[] | null;
  readonly tests?: readonly string[] | null;
  readonly overrides?: Readonly<Record<string, { test: string; threshold?: number }>>;
  readonly driftShare?: number;
  readonly correction?: string;
  readonly bins?: number;
  readonly predictionDrift?: boolean;
  /** `accuracy:0.8` (alert below 0.8), `rmse:12` (alert above 12, as for every loss). */
  readonly degradation?: string | null;
  /** Labelled rows a version needs before its performance is judged (default 100). */
  readonly degradationSamples?: number;
  readonly schedule?: string | null;
  readonly timezone?: string;
  /** `pipeline:<name>` (or the pipeline's name alone). */
  readonly onDrift?: string | null;
  readonly onDriftParams?: Readonly<Record<string, unknown>>;
  /** A duration (`1h`) or milliseconds. */
  readonly cooldown?: string | number;
  readonly webhook?: string | null;
}

export const DEFAULT_WINDOW: WindowSpec = { kind: 'count', rows: 1000 };
export const MAX_WINDOW_ROWS = 1_000_000;
export const DEFAULT_COOLDOWN_MS = 3_600_000;
const CORRECTIONS: readonly Correction[] = ['none', 'bonferroni', 'bh'];

/** The spec `input` makes of `base` (defaults for a new monitor). */
export function buildSpec(input: MonitorInput, base: MonitorSpec = defaultSpec()): MonitorSpec {
  const schedule =
    input.schedule === undefined && input.timezone === undefined
      ? base.schedule
      : parseSchedule(
          input.schedule === undefined ? (base.schedule?.cron ?? null) : input.schedule,
          input.timezone ?? base.schedule?.timezone ?? 'UTC',
        );
  return {
    description: input.description ?? base.description,
    reference: input.reference === undefined ? base.reference : parseDatasetReference(input.reference),
    model: input.model === undefined ? base.model : parseModelReference(input.model),
    window: input.window === undefined ? base.window : parseWindow(input.window),
    features: input.features === undefined ? base.features : parseFeatures(input.features),
    tests: input.tests === undefined ? base.tests : parseTests(input.tests),
    overrides: input.overrides === undefined ? base.overrides : parseOverrides(input.overrides),
    driftShare: input.driftShare === undefined ? base.driftShare : parseShare(input.driftShare),
    correction: input.correction === undefined ? base.correction : parseCorrection(input.correction),
    bins: input.bins === undefined ? base.bins : parseBins(input.bins),
    predictionDrift: input.predictionDrift ?? base.predictionDrift,
    degradation: parseDegradation(input, base.degradation),
    schedule,
    onDrift: parseOnDrift(input, base.onDrift),
    webhook: input.webhook === undefined ? base.webhook : parseWebhook(input.webhook),
  };
}

export function defaultSpec(): MonitorSpec {
  return {
    description: '',
    reference: null,
    model: null,
    window: DEFAULT_WINDOW,
    features: null,
    tests: null,
    overrides: {},
    driftShare: 0.5,
    correction: 'none',
    bins: 10,
    predictionDrift: true,
    degradation: null,
    schedule: null,
    onDrift: null,
    webhook: null,
  };
}

/** `1000` rows, or a duration with a unit: `90s`, `30m`, `1h`, `7d`. */
export function parseWindow(raw: string | number): WindowSpec {
  const text = String(raw).trim();
  if (/^\d+$/.test(text)) {
    const rows = Number(text);
    if (rows < 1 || rows > MAX_WINDOW_ROWS) {
      throw invalid('window', raw, `a row count must be from 1 to ${MAX_WINDOW_ROWS}`);
    }
    return { kind: 'count', rows };
  }
  const ms = durationMs(text);
  if (ms === undefined || ms < 1000) {
    throw invalid(
      'window',
      raw,
      'must be a row count (1000) or a duration of at least 1s (90s, 30m, 1h, 7d)',
    );
  }
  return { kind: 'time', ms };
}

export function formatWindow(window: WindowSpec): string {
  if (window.kind === 'count') return `${window.rows} rows`;
  return `last ${formatDuration(window.ms)}`;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function parseDatasetReference(raw: string | null): string | null {
  if (raw === null) return null;
  const ref = parseReference('reference', raw, { defaultAlias: 'latest' });
  return ref.version === undefined ? `${ref.name}@${ref.alias}` : formatReference(ref.name, ref.version);
}

function parseModelReference(raw: string | null): string | null {
  if (raw === null) return null;
  const ref = parseReference('model', raw);
  return ref.version === undefined ? `${ref.name}@${ref.alias}` : formatReference(ref.name, ref.version);
}

function parseFeatures(raw: readonly string[] | null): readonly string[] | null {
  if (raw === null) return null;
  if (raw.length === 0) throw invalid('features', raw, 'must name at least one feature (omit it for all)');
  const seen = new Set<string>();
  for (const [index, name] of raw.entries()) {
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalid(`features[${index}]`, name, 'must be a feature name');
    }
    if (seen.has(name)) throw invalid(`features[${index}]`, name, `names '${name}' twice`);
    seen.add(name);
  }
  return [...raw];
}

function parseTests(raw: readonly string[] | null): readonly MonitorTestName[] | null {
  if (raw === null) return null;
  if (raw.length === 0) throw invalid('tests', raw, 'must name at least one test (omit it for the defaults)');
  return raw.map((name, index) => parseTestName(`tests[${index}]`, name));
}

function parseTestName(field: string, raw: string): MonitorTestName {
  const name = String(raw).trim().toLowerCase();
  if (!(DRIFT_TESTS as readonly string[]).includes(name)) {
    throw invalid(field, raw, `must be one of ${DRIFT_TESTS.join(', ')}`);
  }
  return name as MonitorTestName;
}

function parseOverrides(
  raw: Readonly<Record<string, { test: string; threshold?: number }>>,
): Readonly<Record<string, ColumnOverride>> {
  const overrides: Record<string, ColumnOverride> = {};
  for (const [column, override] of Object.entries(raw)) {
    const named = parseTestName(`overrides.${column}.test`, override.test);
    if (!Object.hasOwn(DEFAULT_THRESHOLDS, named)) {
      throw invalid(
        `overrides.${column}.test`,
        override.test,
        'compares the whole input, not one column; use tests',
      );
    }
    const test = named as DriftTestName;
    const threshold = override.threshold;
    if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0)) {
      throw invalid(`overrides.${column}.threshold`, threshold, 'must be a positive number');
    }
    overrides[column] = {
      test,
      threshold: threshold ?? DEFAULT_THRESHOLDS[test],
    };
  }
  return overrides;
}

function parseShare(raw: number): number {
  if (!(Number.isFinite(raw) && raw > 0 && raw <= 1)) throw invalid('driftShare', raw, 'must be in (0, 1]');
  return raw;
}

function parseCorrection(raw: string): Correction {
  const value = raw.trim().toLowerCase();
  if (!(CORRECTIONS as readonly string[]).includes(value)) {
    throw invalid('correction', raw, `must be one of ${CORRECTIONS.join(', ')}`);
  }
  return value as Correction;
}

function parseBins(raw: number): number {
  if (!(Number.isInteger(raw) && raw >= 2 && raw <= 100))
    throw invalid('bins', raw, 'must be a whole number from 2 to 100');
  return raw;
}

function parseSchedule(cron: string | null, timezone: string): ScheduleSpec | null {
  if (cron === null || cron.trim() === '') return null;
  if (!isTimeZone(timezone)) {
    throw invalid('timezone', timezone, 'is not a time zone (use an IANA name such as Europe/Paris)');
  }
  const problem = cronProblem(cron, timezone);
  if (problem !== undefined) throw invalid('schedule', cron, `is not a cron expression: ${problem}`);
  return { cron: cron.trim(), timezone };
}

export const DEFAULT_DEGRADATION_SAMPLES = 100;
/** Losses: a report is degraded when they rise above the threshold; every other metric when it falls below. */
export const LOWER_IS_BETTER_METRICS: ReadonlySet<MetricName> = new Set(['rmse', 'mae', 'logLoss']);
const METRIC_NAMES: readonly MetricName[] = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS];

function parseDegradation(input: MonitorInput, base: DegradationSpec | null): DegradationSpec | null {
  if (input.degradation === null) return null;
  const samples = input.degradationSamples;
  if (samples !== undefined && !(Number.isInteger(samples) && samples >= 1)) {
    throw invalid('degradationSamples', samples, 'must be a whole number ≥ 1');
  }
  if (input.degradation === undefined) {
    if (base === null) {
      if (samples !== undefined)
        throw invalid('degradationSamples', samples, 'needs a degradation rule (metric:threshold)');
      return null;
    }
    return samples === undefined ? base : { ...base, minSamples: samples };
  }
  const [metric, value, extra] = input.degradation.split(':').map((part) => part.trim());
  if (metric === undefined || !(METRIC_NAMES as readonly string[]).includes(metric)) {
    throw invalid(
      'degradation',
      input.degradation,
      `must be <metric>:<threshold> with a metric of ${METRIC_NAMES.join(', ')}`,
    );
  }
  const threshold = value === undefined || value === '' ? Number.NaN : Number(value);
  if (extra !== undefined || !Number.isFinite(threshold)) {
    throw invalid('degradation', input.degradation, 'must be <metric>:<threshold>, the threshold a number');
  }
  return {
    metric: metric as MetricName,
    threshold,
    minSamples: samples ?? base?.minSamples ?? DEFAULT_DEGRADATION_SAMPLES,
  };
}

function parseOnDrift(input: MonitorInput, base: OnDriftSpec | null): OnDriftSpec | null {
  if (input.onDrift === null) return null;
  const given = input.onDrift === undefined ? undefined : input.onDrift.trim();
  if (given === undefined && base === null) {
    if (input.onDriftParams !== undefined || input.cooldown !== undefined) {
      throw invalid('onDrift', undefined, 'params and cooldown need an on-drift pipeline (pipeline:<name>)');
    }
    return null;
  }
  const pipeline =
    given === undefined
      ? base!.pipeline
      : normaliseName('onDrift', given.startsWith('pipeline:') ? given.slice('pipeline:'.length) : given);
  let cooldownMs = base?.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  if (input.cooldown !== undefined) {
    const parsed = typeof input.cooldown === 'number' ? input.cooldown : durationMs(String(input.cooldown));
    if (parsed === undefined || !Number.isFinite(parsed) || parsed < 0) {
      throw invalid('cooldown', input.cooldown, 'must be a duration (30m, 1h, 1d) or 0');
    }
    cooldownMs = parsed;
  }
  return { pipeline, params: input.onDriftParams ?? base?.params ?? {}, cooldownMs };
}

function parseWebhook(raw: string | null): string | null {
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('webhook', raw, 'must be an http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('webhook', raw, 'must be an http or https URL');
  }
  return url.toString();
}

function invalid(field: string, value: unknown, problem: string): InvalidError {
  const shown = value === undefined ? '' : `, got ${JSON.stringify(value)}`;
  return new InvalidError(`${field} ${problem}${shown}`, { field, value });
}
