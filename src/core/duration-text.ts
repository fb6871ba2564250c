/** Durations as users write them: "500ms", "90s", "10m", "2h", "1.5d". */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Whole milliseconds of `text`, or undefined when it is not a duration with a unit. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match === null ? undefined : Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}
