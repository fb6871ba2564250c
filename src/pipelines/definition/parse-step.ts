/**
 * One step as written → a validated Step with its defaults, or problems at exact paths. Only the
 * step's own shape is checked here; references to other steps are checked in check-references.ts.
 */
import { BUILTIN_SCHEMAS, isBuiltinKind } from './builtins.js';
import { parseDuration } from './duration.js';
import { isExpressionProblem, parseExpression } from './expression-parser.js';
import {
  describeValue,
  isJsonValue,
  isObject,
  readBoolean,
  readIdentifier,
  readInteger,
  readName,
  readObject,
  readString,
  readStringList,
} from './fields.js';
import type { Path, Problems } from './problems.js';
import { isProblem, parseInputValue } from './references.js';
import {
  BUILTIN_KINDS,
  type Foreach,
  type InputValue,
  OUTPUT_TYPES,
  type OutputType,
  type ParsedExpression,
  type RetryPolicy,
  type Step,
  type StepKind,
} from './types.js';

const COMMON_FIELDS = [
  'name',
  'kind',
  'inputs',
  'after',
  'retries',
  'timeout',
  'cache',
  'resources',
  'when',
  'foreach',
];
const KIND_FIELDS: Readonly<Record<StepKind, readonly string[]>> = {
  fn: ['module', 'export', 'outputs'],
  command: ['argv', 'env', 'cwd', 'outputs'],
  ...Object.fromEntries(BUILTIN_KINDS.map((kind) => [kind, []])),
} as unknown as Record<StepKind, readonly string[]>;
const KINDS = Object.keys(KIND_FIELDS);

export const DEFAULT_RETRIES: RetryPolicy = { count: 0, backoffMs: 1000, factor: 2 };
export const DEFAULT_RESOURCES: readonly string[] = ['default'];
const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;
const EXPORT_NAME = /^[A-Za-z_$][\w$]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The step, or undefined when its name or kind is unusable (its other problems are still recorded). */
export function parseStep(raw: unknown, path: Path, problems: Problems): Step | undefined {
  if (!isObject(raw)) {
    problems.add(path, `must be an object with a name and a kind, got ${describeValue(raw)}`);
    return undefined;
  }
  const kind = raw.kind;
  const knownKind = typeof kind === 'string' && KINDS.includes(kind) ? (kind as StepKind) : undefined;
  if (kind !== undefined && knownKind === undefined)
    problems.add(
      [...path, 'kind'],
      `unknown kind ${typeof kind === 'string' ? `'${kind}'` : describeValue(kind)} (known: ${KINDS.join(', ')})`,
    );
  const allowed = [...COMMON_FIELDS, ...(knownKind ? KIND_FIELDS[knownKind] : [])];
  const required = [
    'name',
    'kind',
    ...(knownKind === 'fn' ? ['module'] : knownKind === 'command' ? ['argv'] : []),
  ];
  readObject(
    raw,
    path,
    knownKind ? allowed : [...COMMON_FIELDS, ...KINDS.flatMap((k) => KIND_FIELDS[k as StepKind])],
    required,
    problems,
  );

  const name = raw.name === undefined ? undefined : readIdentifier(raw.name, [...path, 'name'], problems);
  const common = {
    name: name ?? '',
    inputs: parseInputs(raw.inputs, knownKind, [...path, 'inputs'], problems),
    after: readStringList(raw.after, [...path, 'after'], problems) ?? [],
    retries: parseRetries(raw.retries, [...path, 'retries'], problems),
    cache: readBoolean(raw.cache, [...path, 'cache'], problems) ?? true,
    resources: parseResources(raw.resources, [...path, 'resources'], problems),
    ...optional('timeoutMs', parseTimeout(raw.timeout, [...path, 'timeout'], problems)),
    ...optional('when', parseCondition(raw.when, [...path, 'when'], problems)),
    ...optional('foreach', parseForeach(raw.foreach, [...path, 'foreach'], problems)),
  };
  if (name === undefined || knownKind === undefined) return undefined;

  if (knownKind === 'fn') {
    const exportName = readString(raw.export, [...path, 'export'], problems) ?? 'default';
    if (!EXPORT_NAME.test(exportName))
      problems.add([...path, 'export'], `must be a JavaScript export name, got '${exportName}'`);
    return {
      ...common,
      kind: 'fn',
      module: parseModule(raw.module, [...path, 'module'], problems),
      export: exportName,
      outputs: parseOutputs(raw.outputs, [...path, 'outputs'], problems),
    };
  }
  if (knownKind === 'command')
    return {
      ...common,
      kind: 'command',
      argv: parseArgv(raw.argv, [...path, 'argv'], problems),
      env: parseEnv(raw.env, [...path, 'env'], problems),
      ...optional('cwd', readString(raw.cwd, [...path, 'cwd'], problems)),
      outputs: parseOutputs(raw.outputs, [...path, 'outputs'], problems),
    };
  if (knownKind === 'gate') {
    const conditionPath = [...path, 'inputs', 'condition'];
    const source = isObject(raw.inputs) ? raw.inputs.condition : undefined;
    if (source !== undefined && typeof source !== 'string')
      problems.add(conditionPath, `must be an expression string, got ${describeValue(source)}`);
    const condition =
      typeof source === 'string' ? parseCondition(source, conditionPath, problems) : undefined;
    return { ...common, kind: 'gate', condition: condition ?? { source: 'false', ast: FALSE } };
  }
  return { ...common, kind: knownKind };
}

const FALSE = { type: 'literal', value: false, column: 1 } as const;

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function parseInputs(
  raw: unknown,
  kind: StepKind | undefined,
  path: Path,
  problems: Problems,
): Record<string, InputValue> {
  const inputs: Record<string, InputValue> = {};
  const schema = kind && isBuiltinKind(kind) ? BUILTIN_SCHEMAS[kind].inputs : undefined;
  if (raw !== undefined && !isObject(raw)) problems.add(path, `must be an object, got ${describeValue(raw)}`);
  const given = isObject(raw) ? raw : {};
  for (const [key, value] of Object.entries(given)) {
    if (schema && !Object.hasOwn(schema, key)) {
      const expected = Object.entries(schema).map(([input, spec]) =>
        'optional' in spec ? `${input}?` : input,
      );
      problems.add([...path, key], `unknown input '${key}' for ${kind} (expects: ${expected.join(', ')})`);
      continue;
    }
    if (!schema && readIdentifier(key, [...path, key], problems) === undefined) continue;
    if (kind === 'gate') continue;
    if (!isJsonValue(value)) {
      problems.add([...path, key], `must be a JSON value, got ${describeValue(value)}`);
      continue;
    }
    const parsed = parseInputValue(value);
    if (isProblem(parsed)) problems.add([...path, key], parsed.problem);
    else inputs[key] = parsed;
  }
  for (const [key, spec] of Object.entries(schema ?? {}))
    if (!('optional' in spec) && given[key] === undefined)
      problems.add([...path, key], `required input of ${kind} is missing`);
  return inputs;
}

function parseRetries(raw: unknown, path: Path, problems: Problems): RetryPolicy {
  if (raw === undefined) return DEFAULT_RETRIES;
  const retries = readObject(
    raw,
    path,
    ['count', 'backoffMs', 'factor', 'maxBackoffMs'],
    ['count'],
    problems,
  );
  if (!retries) return DEFAULT_RETRIES;
  const count = readInteger(retries.count, [...path, 'count'], [0, 20], problems) ?? 0;
  const backoffMs =
    readInteger(retries.backoffMs, [...path, 'backoffMs'], [0, MAX_BACKOFF_MS], problems) ?? 1000;
  let factor = DEFAULT_RETRIES.factor;
  if (retries.factor !== undefined) {
    if (typeof retries.factor === 'number' && retries.factor >= 1 && retries.factor <= 100)
      factor = retries.factor;
    else
      problems.add(
        [...path, 'factor'],
        `must be a number from 1 to 100, got ${describeValue(retries.factor)}`,
      );
  }
  const maxBackoffMs = readInteger(
    retries.maxBackoffMs,
    [...path, 'maxBackoffMs'],
    [0, MAX_BACKOFF_MS],
    problems,
  );
  if (maxBackoffMs !== undefined && maxBackoffMs < backoffMs)
    problems.add([...path, 'maxBackoffMs'], `must be at least backoffMs (${backoffMs}), got ${maxBackoffMs}`);
  return { count, backoffMs, factor, ...optional('maxBackoffMs', maxBackoffMs) };
}

function parseTimeout(raw: unknown, path: Path, problems: Problems): number | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseDuration(raw);
  if ('problem' in parsed) {
    problems.add(path, parsed.problem);
    return undefined;
  }
  return parsed.ms;
}

function parseResources(raw: unknown, path: Path, problems: Problems): readonly string[] {
  if (raw === undefined) return DEFAULT_RESOURCES;
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.add(path, `must be a non-empty list of queue names, got ${describeValue(raw)}`);
    return DEFAULT_RESOURCES;
  }
  const names = raw.map((tag, i) => readName(tag, [...path, i], problems));
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

/** A `when` or gate condition; problems name the column within the expression. */
function parseCondition(raw: unknown, path: Path, problems: Problems): ParsedExpression | undefined {
  const source = readString(raw, path, problems);
  if (source === undefined) return undefined;
  const ast = parseExpression(source);
  if (isExpressionProblem(ast)) {
    problems.add(path, `column ${ast.column}: ${ast.problem} in '${source}'`);
    return undefined;
  }
  return { source, ast };
}

function parseForeach(raw: unknown, path: Path, problems: Problems): Foreach | undefined {
  if (raw === undefined) return undefined;
  const foreach = readObject(raw, path, ['items', 'concurrency'], ['items'], problems);
  if (!foreach || foreach.items === undefined) return undefined;
  const concurrency = readInteger(foreach.concurrency, [...path, 'concurrency'], [1, 64], problems);
  const itemsPath = [...path, 'items'];
  if (!isJsonValue(foreach.items)) {
    problems.add(itemsPath, `must be a list or a reference, got ${describeValue(foreach.items)}`);
    return undefined;
  }
  const items = parseInputValue(foreach.items);
  if (isProblem(items)) problems.add(itemsPath, items.problem);
  else if (items.kind === 'template')
    problems.add(itemsPath, 'must be a list or exactly one reference, not text');
  else if (items.kind === 'const' && !Array.isArray(items.value))
    problems.add(itemsPath, `must be a list or a reference, got ${describeValue(items.value)}`);
  else return { items, ...optional('concurrency', concurrency) };
  return undefined;
}

function parseOutputs(raw: unknown, path: Path, problems: Problems): Record<string, OutputType> {
  const outputs: Record<string, OutputType> = {};
  if (raw === undefined) return outputs;
  if (!isObject(raw)) {
    problems.add(path, `must be an object of output names to types, got ${describeValue(raw)}`);
    return outputs;
  }
  for (const [key, type] of Object.entries(raw)) {
    if (readIdentifier(key, [...path, key], problems) === undefined) continue;
    if (typeof type === 'string' && (OUTPUT_TYPES as readonly string[]).includes(type))
      outputs[key] = type as OutputType;
    else
      problems.add([...path, key], `unknown type ${describeValue(type)} (known: ${OUTPUT_TYPES.join(', ')})`);
  }
  return outputs;
}

function parseModule(raw: unknown, path: Path, problems: Problems): string {
  const module = readString(raw, path, problems);
  if (module === undefined) return '';
  if (!/^(\.{1,2}\/|\/)/.test(module))
    problems.add(
      path,
      `must be a path relative to the pipeline file ('./…', '../…') or absolute, got '${module}'`,
    );
  return module;
}

function parseArgv(raw: unknown, path: Path, problems: Problems): InputValue[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    if (raw !== undefined)
      problems.add(path, `must be a non-empty list of strings, got ${describeValue(raw)}`);
    return [];
  }
  const argv: InputValue[] = [];
  raw.forEach((element, i) => {
    const text = readString(element, [...path, i], problems, false);
    if (text === undefined) return;
    const parsed = parseInputValue(text);
    if (isProblem(parsed)) problems.add([...path, i], parsed.problem);
    else argv.push(parsed);
  });
  return argv;
}

function parseEnv(raw: unknown, path: Path, problems: Problems): Record<string, InputValue> {
  const env: Record<string, InputValue> = {};
  if (raw === undefined) return env;
  if (!isObject(raw)) {
    problems.add(path, `must be an object of variable names to values, got ${describeValue(raw)}`);
    return env;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!ENV_NAME.test(key)) {
      problems.add([...path, key], `'${key}' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)`);
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      problems.add(
        [...path, key],
        `must be a string, number, boolean or reference, got ${describeValue(value)}`,
      );
      continue;
    }
    const parsed = parseInputValue(value);
    if (isProblem(parsed)) problems.add([...path, key], parsed.problem);
    else env[key] = parsed;
  }
  return env;
}
