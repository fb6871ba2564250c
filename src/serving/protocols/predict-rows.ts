/**
 * The row-oriented predict protocol (`POST /api/v1/deployments/{name}/predict`):
 * `{"instances": [{"tenure": 12, "plan": "pro"}, …]}` in, `{"predictions": […], "probabilities": […]}`
 * out. A pure codec between instances and onnxruntime feeds / results; the HTTP route and the
 * version bookkeeping live elsewhere.
 *
 * Models with feature metadata (Slipway-trained): one [N, 1] / [N] input per feature; instances are
 * objects keyed by feature, and a key that is not a feature is an error (typos are caught) unless it
 * is in `ignoreKeys`. Models without it: instances are objects keyed by input name, each value a
 * scalar for an [N] / [N, 1] input or an array of K values for an [N, K] input (as TF Serving's row
 * format); a single-input model also takes the bare value (`[0.1, 0.2, 0.3]`, or `7`). Other inputs
 * (rank 3+, a symbolic K, sequences) need the V2 protocol. Value rules are in predict-columns.ts.
 */
import type * as ort from 'onnxruntime-node';
import { InvalidError } from '../../core/errors.js';
import { fillColumn, show } from './predict-columns.js';
import { type Plan, type PredictModel, planFor } from './predict-plan.js';

export type { PredictModel } from './predict-plan.js';
export { encodePredictions, type JsonNumber, type PredictResult } from './predict-results.js';

export const DEFAULT_MAX_ROWS = 10_000;

export interface DecodeInstancesOptions {
  /** The most instances a request may carry (default 10,000). */
  readonly maxRows?: number;
  /** Instance keys that are not model inputs but are allowed (e.g. the deployment's routing key). */
  readonly ignoreKeys?: ReadonlySet<string> | readonly string[];
}

export interface DecodedInstances {
  readonly feeds: Record<string, ort.Tensor>;
  readonly rows: number;
}

/** Maps named rows onto the graph's inputs. Throws InvalidError naming the row and field. */
export function decodeInstances(
  instances: unknown,
  model: PredictModel,
  options: DecodeInstancesOptions = {},
): DecodedInstances {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Array.isArray(instances) || instances.length === 0) {
    throw new InvalidError("'instances' must be a non-empty array of objects", { field: 'instances' });
  }
  if (instances.length > maxRows) {
    throw new InvalidError(`'instances' has ${instances.length} rows, more than the limit of ${maxRows}`, {
      field: 'instances',
      limit: maxRows,
    });
  }
  const plan = planFor(model);
  const rows = instances.length;
  checkInstances(instances, plan, options.ignoreKeys);
  const feeds: Record<string, ort.Tensor> = {};
  for (const column of plan.columns) {
    if (column.fixedRows >= 0 && column.fixedRows !== rows) {
      throw new InvalidError(
        `the model's input '${column.name}' takes exactly ${column.fixedRows} rows, got ${rows} instances`,
        { field: 'instances', input: column.name },
      );
    }
    feeds[column.name] = fillColumn(column, instances, rows);
  }
  return { feeds, rows };
}

/** Every instance is an object (or a bare value for a single-input model) with no unknown keys. */
function checkInstances(
  instances: readonly unknown[],
  plan: Plan,
  ignoreKeys: ReadonlySet<string> | readonly string[] | undefined,
): void {
  const ignored = ignoreKeys === undefined ? undefined : new Set(ignoreKeys);
  const { known, bare } = plan;
  for (let i = 0; i < instances.length; i++) {
    const row = instances[i];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      if (bare !== undefined) continue;
      const what = plan.role === 'feature' ? 'feature names' : 'input names';
      throw new InvalidError(
        `instances[${i}] must be an object mapping ${what} to values, got ${show(row)}`,
        {
          field: `instances[${i}]`,
          row: i,
        },
      );
    }
    for (const key in row) {
      if (!known.has(key) && ignored?.has(key) !== true) throw unknownKey(plan, i, key);
    }
  }
}

function unknownKey(plan: Plan, i: number, key: string): InvalidError {
  const names = [...plan.known];
  const listed =
    names.length > 30 ? `${names.slice(0, 30).join(', ')} … (${names.length - 30} more)` : names.join(', ');
  const field = `instances[${i}].${key}`;
  return new InvalidError(
    `${field} is not ${plan.role === 'feature' ? 'a feature' : 'an input'} of the model; its ${plan.role}s are: ${listed}`,
    {
      field,
      row: i,
      key,
    },
  );
}
