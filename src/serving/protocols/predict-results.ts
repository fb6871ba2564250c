/**
 * A session's results as a row-oriented predict response. Classifiers (`label` and `probabilities`
 * outputs, as Slipway exports them): the labels and the probability rows, columns in the order of
 * the version's `classes`. Regressors (`value`): the values. Any other model: the first output's
 * rows as predictions, and every output by name as rows. Row i is the i-th slice along axis 0: a
 * scalar for [N] outputs (and for `label` / `value` as [N, 1]), nested arrays otherwise. Values are
 * written as V2 responses write them: NaN/±Infinity as strings, int64 beyond 2^53 as strings.
 */
import * as ort from 'onnxruntime-node';
import { InvalidError } from '../../core/errors.js';
import type { PredictModel } from './predict-plan.js';
import { encodeData, formatShape } from './tensor-values.js';

/** A float as JSON carries it: NaN and ±Infinity become strings. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface PredictResult {
  readonly predictions: unknown[];
  readonly probabilities?: JsonNumber[][];
  readonly outputs?: Record<string, unknown[]>;
}

export function encodePredictions(
  results: Readonly<Record<string, ort.Tensor>>,
  rows: number,
  model: PredictModel,
): PredictResult {
  const label = output(results, 'label');
  const probabilities = output(results, 'probabilities');
  if (label !== undefined && probabilities !== undefined) {
    return {
      predictions: scalarRows(label, 'label', rows),
      probabilities: tensorRows(probabilities, 'probabilities', rows) as JsonNumber[][],
    };
  }
  const value = output(results, 'value');
  if (value !== undefined && label === undefined) return { predictions: scalarRows(value, 'value', rows) };
  const names = model.signature.outputs
    .map((spec) => spec.name)
    .filter((name) => Object.hasOwn(results, name));
  for (const name of Object.keys(results)) if (!names.includes(name)) names.push(name);
  if (names.length === 0) throw new Error('the session returned no outputs');
  const outputs: Record<string, unknown[]> = {};
  for (const name of names) outputs[name] = tensorRows(output(results, name)!, name, rows);
  return { predictions: outputs[names[0]!]!, outputs };
}

function output(results: Readonly<Record<string, unknown>>, name: string): ort.Tensor | undefined {
  if (!Object.hasOwn(results, name)) return undefined;
  const value = results[name];
  if (value instanceof ort.Tensor) return value;
  throw new InvalidError(
    `output '${name}' is ${Array.isArray(value) ? 'a sequence' : `a ${typeof value}`}, not a tensor; the predict protocol supports tensor outputs only`,
    { output: name },
  );
}

/** One value per row when the tensor is [N] or [N, 1]; rows of slices otherwise. */
function scalarRows(tensor: ort.Tensor, name: string, rows: number): unknown[] {
  if (tensor.dims.length === 2 && tensor.dims[0] === rows && tensor.dims[1] === 1) return encodeData(tensor);
  return tensorRows(tensor, name, rows);
}

function tensorRows(tensor: ort.Tensor, name: string, rows: number): unknown[] {
  const dims = tensor.dims;
  if (dims.length === 0 || dims[0] !== rows) {
    throw new InvalidError(
      `output '${name}' has shape ${formatShape(dims)}, not one row per instance (${rows}); send a V2 request to /v2/models/{name}/infer instead`,
      { output: name },
    );
  }
  const flat = encodeData(tensor);
  return dims.length === 1 ? flat : nest(flat, dims, 0, 0);
}

/** The flat row-major values from `offset` as nested arrays of shape dims[depth..]. */
function nest(flat: readonly unknown[], dims: readonly number[], depth: number, offset: number): unknown[] {
  const size = dims[depth]!;
  let stride = 1;
  for (let d = depth + 1; d < dims.length; d++) stride *= dims[d]!;
  const out: unknown[] = new Array(size);
  for (let k = 0; k < size; k++) {
    out[k] =
      depth === dims.length - 1
        ? flat[offset + k]
        : depth === dims.length - 2
          ? flat.slice(offset + k * stride, offset + (k + 1) * stride)
          : nest(flat, dims, depth + 1, offset + k * stride);
  }
  return out;
}
