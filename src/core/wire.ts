/**
 * JSON shapes shared by every API: metric numbers (NaN and ±Infinity travel as strings), errors and
 * pages. The server encodes with these; the SDK decodes with the same functions.
 */
import { z } from 'zod';

export const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;
export type WireNumber = number | (typeof NON_FINITE)[number];

export const WireNumberSchema = z
  .union([z.number(), z.enum(NON_FINITE)])
  .describe('A number; NaN, Infinity and -Infinity are sent as the strings "NaN", "Infinity", "-Infinity".');

export function toWireNumber(value: number): WireNumber {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

export function fromWireNumber(value: WireNumber): number {
  return typeof value === 'number' ? value : Number(value);
}

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable error code, e.g. RUN_NOT_FOUND'),
      message: z.string().describe('What is wrong, naming the field or value at fault'),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: 'Error' });

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item).readonly(), nextPageToken: z.string().optional() });
}

/** `?limit=` and `?pageToken=` as query strings. */
export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().optional().describe('Page size, 1 to 1000 (default 100)'),
  pageToken: z.string().optional().describe('nextPageToken from the previous page'),
});
