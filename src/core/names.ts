/** Resource names: `^[a-z0-9][a-z0-9._-]{0,127}$`, with upper case normalised to lower case. */
import { InvalidError } from './errors.js';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

export function normaliseName(field: string, raw: string): string {
  const name = raw.trim().toLowerCase();
  if (NAME_PATTERN.test(name)) return name;
  const problem =
    name === ''
      ? 'must not be empty'
      : name.includes('/')
        ? "must not contain '/'"
        : name.length > 128
          ? 'must be at most 128 characters'
          : 'must start with a letter or digit and contain only a-z, 0-9, ".", "_" and "-"';
  throw new InvalidError(`${field} ${problem}, got '${raw}'`, { field, value: raw });
}
