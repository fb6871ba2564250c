/**
 * Search spaces: the default one per task, and validation of a user-provided one (parsed from JSON or
 * YAML), with errors naming the path at fault. Parameter names are the trainers' option names, so a
 * trial's params are passed to the trainer as they are.
 */
import { InvalidError } from '../../core/errors.js';
import type { Family, ParamDomain, ParamValue, SearchSpace, Task } from './types.js';

export const TASK_FAMILIES: Readonly<Record<Task, readonly Family[]>> = {
  classification: ['gbdt', 'logistic'],
  regression: ['gbdt', 'ridge'],
};

const GBDT_SPACE = {
  iterations: { type: 'int', min: 50, max: 400, log: true },
  learningRate: { type: 'float', min: 0.02, max: 0.3, log: true },
  maxLeaves: { type: 'int', min: 4, max: 64, log: true },
  minSamplesLeaf: { type: 'int', min: 2, max: 40, log: true },
  lambda: { type: 'float', min: 1e-3, max: 10, log: true },
  featureFraction: { type: 'float', min: 0.5, max: 1 },
  subsample: { type: 'float', min: 0.6, max: 1 },
} as const satisfies Record<string, ParamDomain>;

/**
 * The defaults: GBDT around scikit-learn HistGradientBoosting's region (small leaves floors since
 * folds of small data sets have few rows), and the linear model's L2 over six decades (the penalty is
 * per mean loss, so sklearn's C = 1 is l2 = 1 / rows, about 1e-3 for a thousand rows).
 */
export const DEFAULT_SEARCH_SPACES: Readonly<Record<Task, SearchSpace>> = {
  classification: {
    gbdt: GBDT_SPACE,
    logistic: { l2: { type: 'float', min: 1e-5, max: 10, log: true } },
  },
  regression: {
    gbdt: GBDT_SPACE,
    ridge: { l2: { type: 'float', min: 1e-5, max: 100, log: true } },
  },
};

/** What a trainer accepts for one option: the bounds a domain's values must respect. */
interface ParamSpec {
  readonly kind: 'int' | 'float' | 'enum';
  readonly min?: number;
  /** The bound is exclusive (value must be > min). */
  readonly above?: boolean;
  readonly max?: number;
  readonly values?: readonly string[];
}

const FAMILY_PARAMS: Readonly<Record<Family, Readonly<Record<string, ParamSpec>>>> = {
  gbdt: {
    iterations: { kind: 'int', min: 1 },
    learningRate: { kind: 'float', min: 0, above: true },
    maxLeaves: { kind: 'int', min: 2 },
    maxDepth: { kind: 'int', min: 0 },
    minSamplesLeaf: { kind: 'int', min: 1 },
    minHessianLeaf: { kind: 'float', min: 0 },
    lambda: { kind: 'float', min: 0 },
    minGainToSplit: { kind: 'float', min: 0 },
    subsample: { kind: 'float', min: 0, above: true, max: 1 },
    featureFraction: { kind: 'float', min: 0, above: true, max: 1 },
    maxBins: { kind: 'int', min: 3, max: 255 },
  },
  logistic: {
    l2: { kind: 'float', min: 0 },
    maxIterations: { kind: 'int', min: 1 },
    gradientTolerance: { kind: 'float', min: 0, above: true },
  },
  ridge: {
    l2: { kind: 'float', min: 0 },
    solver: { kind: 'enum', values: ['cholesky', 'lbfgs'] },
    maxIterations: { kind: 'int', min: 1 },
    gradientTolerance: { kind: 'float', min: 0, above: true },
  },
};

function fail(path: string, problem: string, value: unknown): never {
  throw new InvalidError(`${path} ${problem}`, { field: path, value });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNumber(path: string, value: unknown, spec: ParamSpec, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'must be a finite number', value);
  if (integer && !Number.isInteger(value)) fail(path, 'must be an integer', value);
  if (spec.min !== undefined) {
    if (spec.above && !(value > spec.min)) fail(path, `must be > ${spec.min}`, value);
    if (!spec.above && !(value >= spec.min)) fail(path, `must be >= ${spec.min}`, value);
  }
  if (spec.max !== undefined && !(value <= spec.max)) fail(path, `must be <= ${spec.max}`, value);
  return value;
}

function checkChoiceValue(path: string, value: unknown, spec: ParamSpec): ParamValue {
  if (spec.kind === 'enum') {
    if (typeof value !== 'string' || !spec.values!.includes(value)) {
      fail(path, `must be one of ${spec.values!.join(', ')}`, value);
    }
    return value;
  }
  return checkNumber(path, value, spec, spec.kind === 'int');
}

function parseDomain(path: string, value: unknown, spec: ParamSpec): ParamDomain {
  if (!isRecord(value)) fail(path, 'must be an object with a type (choice, int or float)', value);
  const { type } = value;
  if (type === 'choice') {
    if (!Array.isArray(value.values)) fail(`${path}.values`, 'must be a list', value.values);
    if (value.values.length === 0) fail(`${path}.values`, 'must not be empty', value.values);
    const values = value.values.map((item, i) => checkChoiceValue(`${path}.values[${i}]`, item, spec));
    return { type, values };
  }
  if (type !== 'int' && type !== 'float') fail(`${path}.type`, 'must be choice, int or float', type);
  if (spec.kind === 'enum') fail(`${path}.type`, 'must be choice for this parameter', type);
  if (type === 'float' && spec.kind === 'int')
    fail(`${path}.type`, 'must be int or choice (integer parameter)', type);
  const min = checkNumber(`${path}.min`, value.min, spec, type === 'int');
  const max = checkNumber(`${path}.max`, value.max, spec, type === 'int');
  if (min > max) fail(`${path}.min`, `must be <= max (${max})`, min);
  if (value.log !== undefined && typeof value.log !== 'boolean')
    fail(`${path}.log`, 'must be a boolean', value.log);
  const log = value.log === true;
  if (log && !(min > 0)) fail(`${path}.min`, 'must be > 0 for a log range', min);
  return log ? { type, min, max, log } : { type, min, max };
}

/** Validates a user-provided search space for a task; the error names the first offending path. */
export function parseSearchSpace(value: unknown, task: Task): SearchSpace {
  const root = 'searchSpace';
  if (!isRecord(value)) fail(root, 'must be an object of model families', value);
  const families = Object.keys(value);
  if (families.length === 0)
    fail(root, `must name at least one family (${TASK_FAMILIES[task].join(', ')})`, value);
  const space: Partial<Record<Family, Record<string, ParamDomain>>> = {};
  for (const family of families) {
    const path = `${root}.${family}`;
    if (!(family in FAMILY_PARAMS))
      fail(path, `is not a model family (known: gbdt, logistic, ridge)`, family);
    if (!TASK_FAMILIES[task].includes(family as Family)) {
      fail(path, `is not valid for ${task} (use ${TASK_FAMILIES[task].join(' or ')})`, family);
    }
    const params = value[family];
    if (!isRecord(params)) fail(path, 'must be an object of parameter domains', params);
    const specs = FAMILY_PARAMS[family as Family];
    const domains: Record<string, ParamDomain> = {};
    for (const [name, domain] of Object.entries(params)) {
      const spec = specs[name];
      if (spec === undefined) {
        fail(
          `${path}.${name}`,
          `is not a ${family} parameter (known: ${Object.keys(specs).join(', ')})`,
          name,
        );
      }
      domains[name] = parseDomain(`${path}.${name}`, domain, spec);
    }
    space[family as Family] = domains;
  }
  return space;
}
