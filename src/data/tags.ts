/** Tag and description rules for datasets and their versions (the same as for experiments and runs). */
import { InvalidError } from '../core/errors.js';
import { applyTagChanges, type TagChanges, type TagRules } from '../core/tags.js';
import { MAX_ENTRIES_PER_CALL, MAX_KEY_LENGTH, MAX_TAG_VALUE_LENGTH } from '../tracking/index.js';
import type { Tags } from './entities.js';

const MAX_DESCRIPTION = 10_000;
const KEY_PATTERN = /^[A-Za-z0-9_\-. /:]+$/;

export function checkDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION) {
    throw new InvalidError(
      `description must be at most ${MAX_DESCRIPTION} characters, got ${description.length}`,
      { field: 'description' },
    );
  }
  return description;
}

const TAG_RULES: TagRules = {
  checkChanges: (changes) => {
    const count = Object.keys(changes).length;
    if (count > MAX_ENTRIES_PER_CALL) {
      throw new InvalidError(`one call sets at most ${MAX_ENTRIES_PER_CALL} tags, got ${count}`, {
        field: 'tags',
        limit: MAX_ENTRIES_PER_CALL,
      });
    }
  },
  checkKey: (key) => {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) {
      throw new InvalidError(
        `tag key must be 1 to ${MAX_KEY_LENGTH} letters, digits, spaces or _ - . / :, got '${key}'`,
        { field: 'tag.key', value: key },
      );
    }
  },
  checkValue: (key, value) => {
    if (value.length > MAX_TAG_VALUE_LENGTH) {
      throw new InvalidError(
        `tag '${key}' value must be at most ${MAX_TAG_VALUE_LENGTH} characters, got ${value.length}`,
        { field: 'tag.value', key },
      );
    }
  },
};

/** `current` with `changes` applied: a null value removes that tag. */
export function mergeTags(current: Tags, changes: TagChanges): Tags {
  return applyTagChanges(current, changes, TAG_RULES);
}
