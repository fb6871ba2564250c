/**
 * Runs a classifier over every row of a dataset version in batches, as the predict protocol would
 * (named features, the version's feature metadata), and collects the probability rows with the true
 * class of each row. Rows without a target value are skipped, as training drops them.
 */
import { InvalidError } from '../../core/errors.js';
import type { DatasetVersion, JsonValue } from '../../data/index.js';
import type { ModelVersion } from '../../registry/index.js';
import type { InferenceService } from '../../serving/index.js';
// The serving face does not export the row codec its predict endpoint uses.
import { decodeInstances, encodePredictions } from '../../serving/protocols/predict-rows.js';
import { throwIfAborted } from './signals.js';
import type { BuiltinDeps } from './types.js';

/** Rows per page read and per inference run: the rows API's largest page. */
const BATCH_ROWS = 1000;
const NO_BATCHING = { maxBatch: 1, maxDelayMs: 0 } as const;

type LoadedModel = Parameters<Parameters<InferenceService['withVersion']>[2]>[0];

export interface ScoredRows {
  /** Row-major, one column per class in the version's order. */
  readonly probabilities: Float64Array;
  /** Index into the version's classes. */
  readonly labels: Int32Array;
  readonly skipped: number;
}

export async function scoreRows(
  deps: BuiltinDeps,
  model: ModelVersion & { readonly classes: readonly string[] },
  dataset: DatasetVersion,
  target: string,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<ScoredRows> {
  const classes = model.classes;
  const keys = model.featureNames ?? model.signature.inputs.map((input) => input.name);
  const numeric = new Set((model.features ?? []).filter((f) => f.type === 'numeric').map((f) => f.name));
  const classOf = classIndex(model, target);
  const probabilities: number[] = [];
  const labels: number[] = [];
  let skipped = 0;
  await deps.serving.inference.withVersion(model.model, String(model.version), async (loaded) => {
    for (let offset = 0; offset < dataset.rowCount; offset += BATCH_ROWS) {
      throwIfAborted(signal);
      const page = await deps.datasets.datasets.rows(dataset.dataset, String(dataset.version), {
        limit: BATCH_ROWS,
        offset,
      });
      const instances: Record<string, JsonValue>[] = [];
      page.rows.forEach((row, i) => {
        const value = row[target] ?? null;
        if (value === null) {
          skipped++;
          return;
        }
        labels.push(classOf(value, offset + i));
        instances.push(instanceOf(row, keys, numeric));
      });
      if (instances.length > 0) probabilities.push(...(await score(loaded, instances, classes.length)));
      if (page.rows.length < BATCH_ROWS) break;
      if ((offset / BATCH_ROWS) % 20 === 19)
        log(`scored ${offset + page.rows.length}/${dataset.rowCount} rows`);
    }
  });
  return { probabilities: Float64Array.from(probabilities), labels: Int32Array.from(labels), skipped };
}

/** The row's model inputs; booleans as 0/1 where the model reads a number, as training encodes them. */
function instanceOf(
  row: Readonly<Record<string, JsonValue>>,
  keys: readonly string[],
  numeric: ReadonlySet<string>,
): Record<string, JsonValue> {
  const instance: Record<string, JsonValue> = {};
  for (const key of keys) {
    const value = row[key] ?? null;
    instance[key] = numeric.has(key) && typeof value === 'boolean' ? Number(value) : value;
  }
  return instance;
}

async function score(
  loaded: LoadedModel,
  instances: readonly Record<string, JsonValue>[],
  classes: number,
): Promise<number[]> {
  const { feeds, rows } = decodeInstances(instances, loaded.version, { maxRows: BATCH_ROWS });
  const { outputs } = await loaded.run(feeds, rows, NO_BATCHING);
  const result = encodePredictions(outputs, rows, loaded.version);
  const name = `${loaded.version.model}@${loaded.version.version}`;
  if (result.probabilities === undefined) {
    throw new InvalidError(
      `inputs.model: ${name} answers no 'probabilities' output, so it cannot be scored as a classifier`,
      {
        field: 'inputs.model',
        value: name,
      },
    );
  }
  const out: number[] = [];
  for (const row of result.probabilities) {
    if (row.length !== classes) {
      throw new InvalidError(
        `inputs.model: ${name} gives ${row.length} probabilities per row but has ${classes} classes`,
        { field: 'inputs.model', value: name },
      );
    }
    for (const p of row) out.push(Number(p));
  }
  return out;
}

/**
 * A target value -> its class index. Training reads the target as text (DuckDB's cast: true -> 'true',
 * 1 -> '1'), so a value matches the class of its text, or a numeric class of the same number.
 */
function classIndex(model: ModelVersion & { readonly classes: readonly string[] }, target: string) {
  const index = new Map(model.classes.map((label, i) => [label, i]));
  return (value: JsonValue, row: number): number => {
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    const found =
      index.get(text) ??
      (typeof value === 'number' ? model.classes.findIndex((label) => Number(label) === value) : -1);
    if (found === undefined || found < 0) {
      throw new InvalidError(
        `inputs.dataset: target '${target}' holds '${text}' (row ${row}), which is not a class of ${model.model}@${model.version} (its classes: ${model.classes.join(', ')})`,
        { field: 'inputs.dataset', row, value: text },
      );
    }
    return found;
  };
}
