/** Time as a dependency, so services can be driven by a fixed clock in tests; ISO time in and out. */
import { InvalidError } from './errors.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Parses a client-given ISO 8601 time strictly (`2026-01-31T12:00:00Z`), naming the field if it is not one. */
export function parseIsoTime(field: string, value: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new InvalidError(
      `${field} must be an ISO 8601 time such as 2026-01-31T12:00:00.000Z, got '${value}'`,
      {
        field,
        value,
      },
    );
  }
  return time;
}
