/**
 * Reads a dataset version into the in-memory Table the trainers take: integer, float and boolean
 * columns become numeric features, strings categorical ones; timestamps are left out (a model would
 * learn the calendar, not the problem). Rows without a target value are dropped, as scikit-learn
 * requires of its users; the caller reports how many.
 */
import { InvalidError } from '../core/errors.js';
import { type ColumnSchema, type DataEngine, type DatasetVersion, ident, literal } from '../data/index.js';
import type { Task } from './automl/index.js';
import type { Feature, Table, Target } from './table.js';

/** Integer targets with at most this many distinct values are taken as class labels. */
export const MAX_INFERRED_CLASSES = 20;

export interface TrainingColumnsInput {
  readonly target: string;
  readonly task?: Task;
  /** Columns not to learn from (ids, leaks). */
  readonly exclude?: readonly string[];
}

export interface TrainingTable {
  readonly table: Table;
  readonly target: Target;
  readonly task: Task;
  /** Columns left out, with why. */
  readonly ignored: readonly { readonly column: string; readonly reason: string }[];
  /** Rows dropped because their target is missing. */
  readonly droppedRows: number;
}

/** Checks the target and the exclusions against the version's schema, before any row is read. */
function planTrainingColumns(
  version: DatasetVersion,
  input: TrainingColumnsInput,
): {
  task: Task | undefined;
  target: ColumnSchema;
  features: ColumnSchema[];
  ignored: TrainingTable['ignored'];
} {
  const ref = `${version.dataset}@${version.version}`;
  const byName = new Map(version.columns.map((column) => [column.name, column]));
  const target = byName.get(input.target);
  if (target === undefined) {
    throw new InvalidError(
      `target '${input.target}' is not a column of ${ref}; its columns are ${version.columns.map((c) => c.name).join(', ')}`,
      { field: 'target', value: input.target },
      'INVALID_TRAINING_DATA',
    );
  }
  for (const [index, name] of (input.exclude ?? []).entries()) {
    if (!byName.has(name)) {
      throw new InvalidError(`exclude names '${name}', which is not a column of ${ref}`, {
        field: `exclude[${index}]`,
        value: name,
      });
    }
  }
  if (input.task === 'regression' && target.type !== 'integer' && target.type !== 'float') {
    throw new InvalidError(
      `target '${target.name}' is a ${target.type} column; regression needs a numeric target`,
      { field: 'target', value: target.name, type: target.type },
      'INVALID_TRAINING_DATA',
    );
  }
  if (target.type === 'timestamp') {
    throw new InvalidError(
      `target '${target.name}' is a timestamp column; AutoML predicts classes or numbers`,
      { field: 'target', value: target.name },
      'INVALID_TRAINING_DATA',
    );
  }
  const excluded = new Set(input.exclude ?? []);
  const ignored: { column: string; reason: string }[] = [];
  const features: ColumnSchema[] = [];
  for (const column of version.columns) {
    if (column.name === target.name) continue;
    if (excluded.has(column.name)) ignored.push({ column: column.name, reason: 'excluded' });
    else if (column.type === 'timestamp') ignored.push({ column: column.name, reason: 'timestamp column' });
    else features.push(column);
  }
  if (features.length === 0) {
    throw new InvalidError(
      `${ref} has no feature columns besides the target '${target.name}'`,
      { field: 'target', value: target.name },
      'INVALID_TRAINING_DATA',
    );
  }
  return { task: input.task ?? inferTask(target), target, features, ignored };
}

/** Strings and booleans are labels, floats are quantities; integers are decided by their values. */
function inferTask(target: ColumnSchema): Task | undefined {
  if (target.type === 'string' || target.type === 'boolean') return 'classification';
  if (target.type === 'float') return 'regression';
  return undefined;
}

export async function loadTrainingTable(
  engine: DataEngine,
  version: DatasetVersion,
  input: TrainingColumnsInput,
): Promise<TrainingTable> {
  const plan = planTrainingColumns(version, input);
  const path = await engine.localFile(version.dataDigest, 'parquet');
  const targetName = ident(plan.target.name);
  const numericTarget = plan.target.type === 'integer' || plan.target.type === 'float';
  const { columns, dropped } = await engine.withConnection(async (connection) => {
    const projection = [
      ...plan.features.map(
        (column) => `CAST(${ident(column.name)} AS ${isNumeric(column) ? 'DOUBLE' : 'VARCHAR'})`,
      ),
      `CAST(${targetName} AS VARCHAR)`,
      numericTarget ? `CAST(${targetName} AS DOUBLE)` : 'NULL',
    ].join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT ${projection} FROM read_parquet(${literal(path)}) WHERE ${targetName} IS NOT NULL`,
    );
    return { columns: reader.getColumnsJS(), dropped: version.rowCount - reader.currentRowCount };
  });
  const rows = version.rowCount - dropped;
  const features: Feature[] = plan.features.map((column, index) => {
    const values = columns[index] ?? [];
    return isNumeric(column)
      ? {
          kind: 'numeric',
          name: column.name,
          values: Float64Array.from(values, (v) => (v === null ? Number.NaN : Number(v))),
        }
      : {
          kind: 'categorical',
          name: column.name,
          values: values.map((v) => (v === null ? null : String(v))),
        };
  });
  const labels = (columns[plan.features.length] ?? []).map(String);
  const task = plan.task ?? (new Set(labels).size <= MAX_INFERRED_CLASSES ? 'classification' : 'regression');
  const target: Target =
    task === 'regression'
      ? { kind: 'regression', values: Float64Array.from(columns[plan.features.length + 1] ?? [], Number) }
      : classificationTarget(labels);
  return { table: { rows, features }, target, task, ignored: plan.ignored, droppedRows: dropped };
}

function isNumeric(column: ColumnSchema): boolean {
  return column.type === 'integer' || column.type === 'float' || column.type === 'boolean';
}

/** Classes in sorted order (numerically when every label is a number), as scikit-learn orders them. */
function classificationTarget(labels: readonly string[]): Target {
  const distinct = [...new Set(labels)];
  const numeric = distinct.every((label) => label.trim() !== '' && Number.isFinite(Number(label)));
  const classes = numeric
    ? distinct.sort((a, b) => Number(a) - Number(b))
    : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(classes.map((label, i) => [label, i]));
  return { kind: 'classification', classes, labels: Int32Array.from(labels, (label) => index.get(label)!) };
}
