/**
 * Cron expressions in a time zone (croner), as pipeline schedules and monitors use them: the checks
 * that refuse a typo when it is written, and the next tick after a time.
 */
import { Cron } from 'croner';

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why `cron` is not a cron expression croner accepts, or undefined when it is. */
export function cronProblem(cron: string, timezone: string): string | undefined {
  try {
    new Cron(cron, { timezone, paused: true }).nextRun();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** When `cron` fires next after `after` (epoch ms), or null when it never will again. */
export function nextCronTime(cron: string, timezone: string, after: number): number | null {
  const next = new Cron(cron, { timezone, paused: true }).nextRun(new Date(after));
  return next === null ? null : next.getTime();
}
