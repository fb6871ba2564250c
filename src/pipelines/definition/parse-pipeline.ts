/**
 * A pipeline as written (a TypeScript object or parsed YAML/JSON) → a validated Pipeline, or one
 * InvalidError listing every problem with its path. Shapes first, then cross-step references.
 */
import { checkReferences, type IndexedStep } from './check-references.js';
import {
  describeValue,
  isJsonValue,
  isObject,
  readIdentifier,
  readInteger,
  readName,
  readObject,
  readString,
} from './fields.js';
import { parseSchedules, parseTriggers } from './parse-schedules.js';
import { parseStep } from './parse-step.js';
import { type Path, type Position, Problems } from './problems.js';
import { type JsonValue, PARAM_TYPES, type ParamSpec, type ParamType, type Pipeline } from './types.js';
import { defaultMatches } from './value-types.js';

export interface PipelineSource {
  /** Where the definition came from, for messages (and, later, resolving `fn` modules). */
  readonly file?: string;
}

/** Validates `input`, throwing an InvalidError that lists every problem. */
export function parsePipeline(input: unknown, source: PipelineSource = {}): Pipeline {
  return validatePipeline(input, new Problems(), undefined, source.file);
}

/** The shared core: `problems` may already hold problems found earlier (e.g. duplicate YAML keys). */
export function validatePipeline(
  input: unknown,
  problems: Problems,
  locate?: (path: Path) => Position | undefined,
  file?: string,
): Pipeline {
  const raw = readObject(
    input,
    [],
    ['name', 'description', 'params', 'concurrency', 'steps', 'schedules', 'triggers'],
    ['name', 'steps'],
    problems,
  );
  if (!raw) {
    problems.throwIfAny(locate, file);
    throw new Error('unreachable: a non-object pipeline always has a problem');
  }
  const name = raw.name === undefined ? undefined : readName(raw.name, ['name'], problems);
  const description = readString(raw.description, ['description'], problems, false);
  const params = parseParams(raw.params, problems);
  const concurrency = readInteger(raw.concurrency, ['concurrency'], [1, 64], problems);
  const schedules = parseSchedules(raw.schedules, params, problems);
  const triggers = parseTriggers(raw.triggers, params, problems);

  const rawSteps = Array.isArray(raw.steps) ? raw.steps : [];
  if (raw.steps !== undefined && (!Array.isArray(raw.steps) || raw.steps.length === 0))
    problems.add(['steps'], `must be a non-empty list of steps, got ${describeValue(raw.steps)}`);
  problems.labelStepsWith(rawSteps.map((step: unknown) => (isObject(step) ? step.name : undefined)));

  const steps: IndexedStep[] = [];
  const firstIndex = new Map<string, number>();
  rawSteps.forEach((rawStep: unknown, index: number) => {
    const step = parseStep(rawStep, ['steps', index], problems);
    if (!step) return;
    const earlier = firstIndex.get(step.name);
    if (earlier !== undefined) {
      problems.add(['steps', index, 'name'], `duplicate step name '${step.name}' (also steps[${earlier}])`);
      return;
    }
    firstIndex.set(step.name, index);
    steps.push({ step, index });
  });
  checkReferences(steps, params, problems);
  problems.throwIfAny(locate, file);
  return {
    name: name!,
    ...(description === undefined ? {} : { description }),
    params,
    ...(concurrency === undefined ? {} : { concurrency }),
    steps: steps.map((entry) => entry.step),
    ...(schedules.length === 0 ? {} : { schedules }),
    ...(triggers.length === 0 ? {} : { triggers }),
  };
}

function parseParams(raw: unknown, problems: Problems): Record<string, ParamSpec> {
  const params: Record<string, ParamSpec> = {};
  if (raw === undefined) return params;
  if (!isObject(raw)) {
    problems.add(['params'], `must be an object of param names to specs, got ${describeValue(raw)}`);
    return params;
  }
  for (const [key, value] of Object.entries(raw)) {
    const path = ['params', key];
    if (readIdentifier(key, path, problems) === undefined) continue;
    const spec = readObject(value, path, ['type', 'default', 'description'], ['type'], problems);
    if (!spec || spec.type === undefined) continue;
    if (typeof spec.type !== 'string' || !(PARAM_TYPES as readonly string[]).includes(spec.type)) {
      problems.add(
        [...path, 'type'],
        `unknown type ${describeValue(spec.type)} (known: ${PARAM_TYPES.join(', ')})`,
      );
      continue;
    }
    const type = spec.type as ParamType;
    const before = problems.count;
    const description = readString(spec.description, [...path, 'description'], problems, false);
    if (spec.default !== undefined && (!isJsonValue(spec.default) || !defaultMatches(type, spec.default))) {
      // Kept without its default, so references to it do not report a second, misleading problem.
      problems.add(
        [...path, 'default'],
        `must be ${type === 'integer' ? 'an' : 'a'} ${type}, got ${describeValue(spec.default)}`,
      );
    }
    params[key] = {
      type,
      ...(spec.default === undefined || problems.count > before
        ? {}
        : { default: spec.default as JsonValue }),
      ...(description === undefined ? {} : { description }),
    };
  }
  return params;
}
