/**
 * Reads labels and logged predictions as a model version's metrics need them: class indices (in the
 * version's class order) and probability rows for classifiers, numbers for regressors. Pure.
 *
 * A logged prediction is `{ prediction, probabilities? }` (row-oriented predict) or the V2 outputs
 * by name (`{ label, probabilities }` for Slipway's models; `output_label`/`output_probability`
 * from skl2onnx). Outputs that carry no known name are recognised by shape: an array of one number
 * per class is the probabilities, a scalar the label or value.
 */

/** What a label may be: the class (its name, or for numbers and booleans also its index) or the value. */
export type LabelValue = string | number | boolean;

const LABEL_FIELDS = ['prediction', 'label', 'output_label', 'labels', 'predictions'];
const PROBABILITY_FIELDS = ['probabilities', 'probability', 'output_probability', 'scores'];
const VALUE_FIELDS = ['prediction', 'value', 'variable', 'output', 'predictions', 'y'];

/** A classifier's answer for one row, as class indices; undefined when the log does not say. */
export interface ClassAnswer {
  readonly predicted: number;
  /** One per class, in class order; undefined when the answer had none. */
  readonly probabilities: Float64Array | undefined;
}

/**
 * The class index of `label` among `classes`: a label names a class; a number or boolean that
 * names none is taken as the index (true = 1, the positive class). Undefined when it is neither.
 */
export function classOfLabel(label: LabelValue, classes: readonly string[]): number | undefined {
  const named = classes.indexOf(String(label));
  if (named >= 0) return named;
  if (typeof label === 'boolean') {
    const digit = classes.indexOf(label ? '1' : '0');
    return digit >= 0 ? digit : label ? 1 : 0;
  }
  if (typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < classes.length)
    return label;
  return undefined;
}

/** A regression label as a number: numbers, numeric strings, booleans as 1/0; undefined otherwise. */
export function valueOfLabel(label: LabelValue): number | undefined {
  if (typeof label === 'boolean') return label ? 1 : 0;
  const value = typeof label === 'number' ? label : label.trim() === '' ? Number.NaN : Number(label);
  return Number.isFinite(value) ? value : undefined;
}

export function classAnswer(prediction: unknown, classes: readonly string[]): ClassAnswer | undefined {
  const fields = asRecord(prediction);
  if (fields === undefined) return undefined;
  const probabilities = probabilitiesIn(fields, classes);
  const label = pick(fields, LABEL_FIELDS, isScalar) ?? firstScalar(fields);
  let predicted = label === undefined ? undefined : classOfLabel(unwrap(label) as LabelValue, classes);
  if (predicted === undefined && probabilities !== undefined) predicted = argMax(probabilities);
  return predicted === undefined ? undefined : { predicted, probabilities };
}

/** A regressor's answer for one row; undefined when the log holds no finite number. */
export function valueAnswer(prediction: unknown): number | undefined {
  const fields = asRecord(prediction);
  if (fields === undefined) return undefined;
  const value = unwrap(pick(fields, VALUE_FIELDS, isScalar) ?? firstScalar(fields));
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A scalar, or a one-element array holding one (a [N, 1] output's row). */
function isScalar(value: unknown): boolean {
  const inner = unwrap(value);
  return typeof inner === 'string' || typeof inner === 'number' || typeof inner === 'boolean';
}

function unwrap(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function pick(
  fields: Readonly<Record<string, unknown>>,
  names: readonly string[],
  accept: (value: unknown) => boolean,
): unknown {
  for (const name of names) if (name in fields && accept(fields[name])) return fields[name];
  return undefined;
}

function firstScalar(fields: Readonly<Record<string, unknown>>): unknown {
  return Object.values(fields).find(isScalar);
}

/** The row's class probabilities: a named field, else the first array of one number per class. */
function probabilitiesIn(
  fields: Readonly<Record<string, unknown>>,
  classes: readonly string[],
): Float64Array | undefined {
  for (const name of PROBABILITY_FIELDS) {
    const row = probabilityRow(fields[name], classes);
    if (row !== undefined) return row;
  }
  for (const value of Object.values(fields)) {
    if (Array.isArray(value) && value.length === classes.length) {
      const row = probabilityRow(value, classes);
      if (row !== undefined) return row;
    }
  }
  return undefined;
}

/** An array in class order, or a map class -> probability (a ZipMap output). */
function probabilityRow(value: unknown, classes: readonly string[]): Float64Array | undefined {
  let numbers: unknown[];
  if (Array.isArray(value)) numbers = value;
  else {
    const map = asRecord(value);
    if (map === undefined) return undefined;
    numbers = classes.map((c) => map[c]);
  }
  if (numbers.length !== classes.length) return undefined;
  const row = new Float64Array(numbers.length);
  for (let c = 0; c < numbers.length; c++) {
    const p = numbers[c];
    const number = typeof p === 'number' ? p : typeof p === 'string' ? Number(p) : Number.NaN;
    if (!Number.isFinite(number)) return undefined;
    row[c] = number;
  }
  return row;
}

function argMax(row: Float64Array): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}
