/**
 * Tag changes as every domain takes them: a value sets the tag, null removes it. The merge is one
 * piece of code; the limits and error messages stay each domain's own, passed in as rules.
 */

export type TagChanges = Readonly<Record<string, string | null>>;

/** One domain's checks; each throws that domain's error naming the field and value. */
export interface TagRules {
  /** Refuses too many changes in one call. */
  readonly checkChanges: (changes: TagChanges) => void;
  readonly checkKey: (key: string) => void;
  /** Checks a value being set (removals have none). */
  readonly checkValue: (key: string, value: string) => void;
}

/** `current` with `changes` applied, each key and set value checked first. */
export function applyTagChanges(
  current: Readonly<Record<string, string>>,
  changes: TagChanges,
  rules: TagRules,
): Record<string, string> {
  rules.checkChanges(changes);
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    rules.checkKey(key);
    if (value === null) {
      delete merged[key];
    } else {
      rules.checkValue(key, value);
      merged[key] = value;
    }
  }
  return merged;
}
