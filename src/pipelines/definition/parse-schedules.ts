/**
 * When a pipeline starts on its own: `schedules` (cron expressions in a time zone, checked with
 * croner, so a typo is refused at apply with its location rather than never firing) and `triggers`
 * on new versions of datasets whose names match a pattern (the new version handed to a param).
 * Param values given here are checked against the pipeline's params like a run's.
 */
import { cronProblem, isTimeZone } from '../../core/cron.js';
import { describeValue, isJsonValue, isObject, readObject, readString } from './fields.js';
import type { Path, Problems } from './problems.js';
import type { DatasetTrigger, JsonValue, ParamSpec, Schedule } from './types.js';
import { defaultMatches } from './value-types.js';

/** Lower-case name characters plus `*` (any run) and `?` (one character). */
const DATASET_PATTERN = /^[a-z0-9*?][a-z0-9._*?-]*$/;

export function parseSchedules(
  raw: unknown,
  params: Readonly<Record<string, ParamSpec>>,
  problems: Problems,
): Schedule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add(['schedules'], `must be a list of schedules, got ${describeValue(raw)}`);
    return [];
  }
  const schedules: Schedule[] = [];
  raw.forEach((entry: unknown, index: number) => {
    const path = ['schedules', index];
    const spec = readObject(entry, path, ['cron', 'timezone', 'params'], ['cron'], problems);
    if (!spec) return;
    const before = problems.count;
    const cron = readString(spec.cron, [...path, 'cron'], problems);
    const timezone = readString(spec.timezone, [...path, 'timezone'], problems) ?? 'UTC';
    if (!isTimeZone(timezone)) {
      problems.add(
        [...path, 'timezone'],
        `unknown time zone '${timezone}' (use an IANA name such as Europe/Paris)`,
      );
    } else if (cron !== undefined) {
      const problem = cronProblem(cron, timezone);
      if (problem !== undefined)
        problems.add([...path, 'cron'], `'${cron}' is not a cron expression: ${problem}`);
    }
    const values = readParamValues(spec.params, [...path, 'params'], params, problems);
    if (problems.count > before || cron === undefined) return;
    schedules.push({ cron, timezone, params: values });
  });
  return schedules;
}

export function parseTriggers(
  raw: unknown,
  params: Readonly<Record<string, ParamSpec>>,
  problems: Problems,
): DatasetTrigger[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add(['triggers'], `must be a list of triggers, got ${describeValue(raw)}`);
    return [];
  }
  const triggers: DatasetTrigger[] = [];
  raw.forEach((entry: unknown, index: number) => {
    const path = ['triggers', index];
    const spec = readObject(entry, path, ['dataset', 'param', 'params'], ['dataset'], problems);
    if (!spec) return;
    const before = problems.count;
    const dataset = readString(spec.dataset, [...path, 'dataset'], problems);
    if (dataset !== undefined && !DATASET_PATTERN.test(dataset)) {
      problems.add(
        [...path, 'dataset'],
        `'${dataset}' is not a dataset name pattern (lower-case name characters, * and ?)`,
      );
    }
    const param = readString(spec.param, [...path, 'param'], problems);
    if (param !== undefined) {
      const declared = params[param];
      if (declared === undefined) problems.add([...path, 'param'], `the pipeline has no param '${param}'`);
      else if (declared.type !== 'string' && declared.type !== 'json') {
        problems.add(
          [...path, 'param'],
          `param '${param}' is ${declared.type}; a dataset version needs a string param`,
        );
      }
    }
    const values = readParamValues(spec.params, [...path, 'params'], params, problems);
    if (problems.count > before || dataset === undefined) return;
    triggers.push({ dataset, ...(param === undefined ? {} : { param }), params: values });
  });
  return triggers;
}

/** Whether a dataset name matches a trigger's pattern. */
export function matchesDatasetPattern(pattern: string, name: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\-]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(name);
}

function readParamValues(
  raw: unknown,
  path: Path,
  params: Readonly<Record<string, ParamSpec>>,
  problems: Problems,
): Record<string, JsonValue> {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    problems.add(path, `must be an object of param values, got ${describeValue(raw)}`);
    return {};
  }
  const values: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    const declared = params[name];
    if (declared === undefined) problems.add([...path, name], `the pipeline has no param '${name}'`);
    else if (!isJsonValue(value) || !defaultMatches(declared.type, value)) {
      problems.add(
        [...path, name],
        `must be ${declared.type === 'integer' ? 'an' : 'a'} ${declared.type}, got ${describeValue(value)}`,
      );
    } else values[name] = value;
  }
  return values;
}
