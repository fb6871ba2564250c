/** Checks of the free-form fields of models and versions, each naming the field and value at fault. */
import { InvalidError } from '../core/errors.js';
import { normaliseAlias } from '../core/references.js';
import { applyTagChanges, type TagChanges, type TagRules } from '../core/tags.js';
import { LATEST, type ModelFeature } from './entities.js';

export const MAX_DESCRIPTION = 10_000;
export const MAX_KEY_LENGTH = 250;
export const MAX_TAG_VALUE_LENGTH = 5_000;
export const MAX_ENTRIES = 1_000;
export const MAX_FEATURES = 100_000;
export const MAX_COMMENT = 10_000;
export const MAX_CATEGORIES = 100_000;

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
  return checkDistinctStrings('featureNames', names, MAX_FEATURES, 1);
}

export function checkFeatures(features: readonly ModelFeature[]): ModelFeature[] {
  checkFeatureNames(features.map((feature) => feature.name));
  return features.map((feature, index) => {
    const field = `features[${index}]`;
    if (feature.type !== 'numeric' && feature.type !== 'categorical') {
      throw new InvalidError(
        `${field}.type must be 'numeric' or 'categorical', got '${String(feature.type)}'`,
        {
          field: `${field}.type`,
          value: String(feature.type),
        },
      );
    }
    if (feature.categories === undefined) return { name: feature.name, type: feature.type };
    if (feature.type === 'numeric') {
      throw new InvalidError(`${field}.categories is only for categorical features`, {
        field: `${field}.categories`,
      });
    }
    return {
      name: feature.name,
      type: feature.type,
      categories: checkDistinctStrings(`${field}.categories`, feature.categories, MAX_CATEGORIES, 0),
    };
  });
}

export function checkClasses(classes: readonly string[]): string[] {
  const checked = checkDistinctStrings('classes', classes, MAX_CATEGORIES, 0);
  if (checked.length < 2) {
    throw new InvalidError(`classes must list at least 2 classes, got ${checked.length}`, {
      field: 'classes',
    });
  }
  return checked;
}

/** A list of at most `max` distinct strings, each `minLength` to MAX_KEY_LENGTH characters. */
function checkDistinctStrings(
  field: string,
  values: readonly string[],
  max: number,
  minLength: 0 | 1,
): string[] {
  checkCount(field, values.length, max);
  const seen = new Set<string>();
  for (const [index, value] of values.entries()) {
    if (typeof value !== 'string' || value.length < minLength || value.length > MAX_KEY_LENGTH) {
      throw new InvalidError(
        `${field}[${index}] must be a string of ${minLength} to ${MAX_KEY_LENGTH} characters, got '${String(value)}'`,
        { field: `${field}[${index}]` },
      );
    }
    if (seen.has(value)) {
      throw new InvalidError(`${field} repeats '${value}'`, { field: `${field}[${index}]`, value });
    }
    seen.add(value);
  }
  return [...values];
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
