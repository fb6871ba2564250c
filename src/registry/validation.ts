/** Checks of the free-form fields of models and versions, each naming the field and value at fault. */
import { InvalidError } from '../core/errors.js';
import { normaliseAlias } from '../core/references.js';
import { applyTagChanges, type TagChanges, type TagRules } from '../core/tags.js';
import { LATEST } from './entities.js';

export const MAX_DESCRIPTION = 10_000;
export const MAX_KEY_LENGTH = 250;
export const MAX_TAG_VALUE_LENGTH = 5_000;
export const MAX_ENTRIES = 1_000;
export const MAX_FEATURES = 100_000;
export const MAX_COMMENT = 10_000;

export function checkText(field: string, text: string, max = MAX_DESCRIPTION): string {
  if (text.length > max) {
    throw new InvalidError(`${field} must be at most ${max} characters, got ${text.length}`, { field });
  }
  return text;
}

function checkKey(field: string, key: string): void {
  if (key === '' || key.length > MAX_KEY_LENGTH) {
    throw new InvalidError(
      `${field} keys must be 1 to ${MAX_KEY_LENGTH} characters, got '${key.slice(0, 300)}'`,
      {
        field,
        key: key.slice(0, 300),
      },
    );
  }
}

function checkCount(field: string, count: number, max = MAX_ENTRIES): void {
  if (count > max)
    throw new InvalidError(`${field} may have at most ${max} entries, got ${count}`, { field });
}

const TAG_RULES: TagRules = {
  checkChanges: (changes) => checkCount('tags', Object.keys(changes).length),
  checkKey: (key) => checkKey('tags', key),
  checkValue: (key, value) => checkText(`tag '${key}'`, value, MAX_TAG_VALUE_LENGTH),
};

/** Merges tag changes into the current tags; a null value removes the tag. */
export function mergeTags(
  current: Readonly<Record<string, string>>,
  changes: TagChanges,
): Record<string, string> {
  return applyTagChanges(current, changes, TAG_RULES);
}

export function checkMetrics(metrics: Readonly<Record<string, number>>): Record<string, number> {
  checkCount('metrics', Object.keys(metrics).length);
  for (const [key, value] of Object.entries(metrics)) {
    checkKey('metrics', key);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidError(`metric '${key}' must be a finite number, got ${String(value)}`, {
        field: `metrics.${key}`,
        value: String(value),
      });
    }
  }
  return { ...metrics };
}

export function checkFeatureNames(names: readonly string[]): string[] {
  checkCount('featureNames', names.length, MAX_FEATURES);
  const seen = new Set<string>();
  for (const [index, name] of names.entries()) {
    if (name === '' || name.length > MAX_KEY_LENGTH) {
      throw new InvalidError(
        `featureNames[${index}] must be 1 to ${MAX_KEY_LENGTH} characters, got '${name}'`,
        {
          field: `featureNames[${index}]`,
        },
      );
    }
    if (seen.has(name)) {
      throw new InvalidError(`featureNames repeats '${name}'`, {
        field: `featureNames[${index}]`,
        value: name,
      });
    }
    seen.add(name);
  }
  return [...names];
}

/** An alias name that can be set: the pattern, and not the built-in `latest`. */
export function settableAlias(field: string, raw: string): string {
  const alias = normaliseAlias(field, raw);
  if (alias === LATEST) {
    throw new InvalidError(`${field} '${LATEST}' is built in (it always means the newest version)`, {
      field,
      value: raw,
    });
  }
  return alias;
}
