/** Step timeouts: "90s", "10m", "2h", "1d" or a number of milliseconds, bounded to (0, 7 days]. */
import { durationMs } from '../../core/duration-text.js';

export const MAX_TIMEOUT_MS = 7 * 24 * 60 * 60 * 1000;

/** Milliseconds, or the reason the value is not a valid timeout. */
export function parseDuration(raw: unknown): { ms: number } | { problem: string } {
  let ms: number;
  if (typeof raw === 'number') {
    ms = raw;
  } else if (typeof raw === 'string') {
    const parsed = durationMs(raw);
    if (parsed === undefined)
      return { problem: `must be a duration such as "90s", "10m" or "2h" (or milliseconds), got '${raw}'` };
    ms = parsed;
  } else {
    return { problem: `must be a duration such as "90s", "10m" or "2h" (or milliseconds), got ${show(raw)}` };
  }
  if (!Number.isFinite(ms) || ms <= 0) return { problem: `must be greater than 0, got ${show(raw)}` };
  if (ms > MAX_TIMEOUT_MS) return { problem: `must be at most 7 days, got ${show(raw)}` };
  return { ms: Math.round(ms) };
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}
