/**
 * A feedback call's input, checked whole before anything is written: every bad item is a 400 naming
 * its path (`labels[3].label`), and more than MAX_LABELS labels is a 413.
 */
import { InvalidError, TooLargeError } from '../../core/errors.js';
import type { LabelValue } from './label-decoding.js';

/** Labels per call. */
export const MAX_LABELS = 10_000;
/** A label received more than this after its prediction counts as late (still accepted). */
export const DEFAULT_LATE_AFTER_SECONDS = 86_400;
const MAX_TEXT = 1024;

/** One label: by request id (and row, default 0), or by the value of the call's `key` feature. */
export interface FeedbackItem {
  readonly requestId?: string;
  /** The row within the request (default 0). */
  readonly rowIndex?: number;
  /** With `key`: the value of that feature in the logged prediction. */
  readonly id?: string | number;
  readonly label: LabelValue;
}

export interface FeedbackInput {
  /** A feature name: each item's `id` is matched against it, the newest served prediction winning. */
  readonly key?: string;
  readonly labels: readonly FeedbackItem[];
  /** Labels arriving more than this many seconds after their prediction are late (default 86400). */
  readonly lateAfterSeconds?: number;
}

/** A checked item: what it refers to, and its label. */
export type CheckedItem =
  | {
      readonly index: number;
      readonly by: 'request';
      readonly requestId: string;
      readonly rowIndex: number;
      readonly label: LabelValue;
    }
  | { readonly index: number; readonly by: 'key'; readonly id: string; readonly label: LabelValue };

export interface CheckedInput {
  readonly key: string | undefined;
  readonly items: readonly CheckedItem[];
  readonly lateAfterMs: number;
}

function invalid(field: string, message: string, value?: unknown): InvalidError {
  return new InvalidError(`${field} ${message}`, {
    field,
    ...(value === undefined ? {} : { value: typeof value === 'string' ? value.slice(0, 200) : value }),
  });
}

function checkLabel(field: string, value: unknown): LabelValue {
  if (typeof value === 'string') {
    if (value.length > MAX_TEXT)
      throw invalid(field, `must be at most ${MAX_TEXT} characters, got ${value.length}`);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, 'must be a finite number', String(value));
    return value;
  }
  if (typeof value === 'boolean') return value;
  throw invalid(
    field,
    `must be a string, number or boolean, got ${value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
  );
}

function checkText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalid(
      field,
      `must be a non-empty string, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`,
    );
  if (value.length > MAX_TEXT)
    throw invalid(field, `must be at most ${MAX_TEXT} characters, got ${value.length}`);
  return value;
}

export function checkFeedbackInput(input: FeedbackInput): CheckedInput {
  if (typeof input !== 'object' || input === null || !Array.isArray(input.labels))
    throw invalid(
      'labels',
      'must be an array of { requestId, rowIndex?, label } or, with key, { id, label }',
    );
  if (input.labels.length > MAX_LABELS)
    throw new TooLargeError(`labels holds ${input.labels.length} items, at most ${MAX_LABELS} per call`, {
      field: 'labels',
      limit: MAX_LABELS,
      count: input.labels.length,
    });
  const key = input.key === undefined ? undefined : checkText('key', input.key);
  if (key?.includes('"')) throw invalid('key', 'must not contain a double quote', key);
  const late = input.lateAfterSeconds ?? DEFAULT_LATE_AFTER_SECONDS;
  if (typeof late !== 'number' || !Number.isFinite(late) || late < 0)
    throw invalid('lateAfterSeconds', 'must be a number of seconds, 0 or more', String(late));
  const items = input.labels.map((raw, index): CheckedItem => {
    const at = `labels[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw invalid(at, 'must be an object with a label');
    const item = raw as unknown as Record<string, unknown>;
    if (key !== undefined) {
      if (item.requestId !== undefined)
        throw invalid(`${at}.requestId`, 'must be left out when key is given (use id)');
      const id = item.id;
      if (typeof id === 'number' && Number.isFinite(id))
        return { index, by: 'key', id: String(id), label: checkLabel(`${at}.label`, item.label) };
      return {
        index,
        by: 'key',
        id: checkText(`${at}.id`, id),
        label: checkLabel(`${at}.label`, item.label),
      };
    }
    if (item.id !== undefined) throw invalid(`${at}.id`, 'needs key (the feature it names)');
    const requestId = checkText(`${at}.requestId`, item.requestId);
    const rowIndex = item.rowIndex ?? 0;
    if (typeof rowIndex !== 'number' || !Number.isSafeInteger(rowIndex) || rowIndex < 0)
      throw invalid(`${at}.rowIndex`, 'must be a whole number, 0 or more', rowIndex);
    return { index, by: 'request', requestId, rowIndex, label: checkLabel(`${at}.label`, item.label) };
  });
  return { key, items, lateAfterMs: late * 1000 };
}
