/**
 * Service errors re-addressed to the step's inputs: a service names its own fields (`dataset`,
 * `maxTrials`, `routes[1].weight`); the pipeline's author wrote `inputs.dataset`, `inputs.trials`,
 * `inputs.routes`. Only caller errors (400, 404) are re-addressed; the class and code stay the same.
 */
import { errorFromWire, SlipwayError } from '../../core/errors.js';

/**
 * Runs `work`; a 400/404 whose `details.field` starts with a key of `fields` is re-addressed to that
 * input (keeping the rest of the path), any other 400/404 to the input `fallback` names, if any.
 */
export async function withInputErrors<T>(
  work: () => Promise<T>,
  fields: Readonly<Record<string, string>>,
  fallback?: Fallback,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw readdressed(error, fields, fallback);
  }
}

/** The input an error without a known field is about: one name, or decided by the error (e.g. its code). */
export type Fallback = string | ((error: SlipwayError) => string | undefined);

function readdressed(error: unknown, fields: Readonly<Record<string, string>>, fallback?: Fallback): unknown {
  if (!(error instanceof SlipwayError) || (error.status !== 400 && error.status !== 404)) return error;
  const field = typeof error.details.field === 'string' ? error.details.field : undefined;
  if (field?.startsWith('inputs.')) return error;
  // The message names the input as written (`inputs.routes: routes[1].weight must …`); the field the
  // whole path within it, for tools.
  let input: string | undefined;
  let path: string | undefined;
  if (field !== undefined) {
    const prefix = Object.keys(fields)
      .filter((key) => field === key || field.startsWith(`${key}.`) || field.startsWith(`${key}[`))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix !== undefined) {
      input = fields[prefix]!;
      path = `${input}${field.slice(prefix.length)}`;
    }
  }
  input ??= typeof fallback === 'function' ? fallback(error) : fallback;
  if (input === undefined) return error;
  const rebuilt = errorFromWire(error.status, error.code, `inputs.${input}: ${error.message}`, {
    ...error.details,
    field: `inputs.${path ?? input}`,
  });
  rebuilt.stack = error.stack;
  return rebuilt;
}
