/**
 * Validation suites: an optional name and a list of expectations, written as JSON or YAML. Parsing
 * checks the shape only (types, required fields, a well-formed reference); whether a named column
 * exists is a question for the data, answered as a failed expectation, not as a bad suite.
 */
import YAML from 'yaml';
import { z } from 'zod';
import { InvalidError } from '../../core/errors.js';
import { parseReference } from '../../core/references.js';
import { LOGICAL_TYPES } from '../entities.js';

export const EXPECTATION_TYPES = [
  'column_exists',
  'column_type',
  'not_null',
  'values_between',
  'values_in_set',
  'unique',
  'row_count_between',
  'values_match_regex',
  'mean_between',
  'distribution_close_to',
] as const;
export type ExpectationType = (typeof EXPECTATION_TYPES)[number];

export const DEFAULT_MAX_PSI = 0.2;
const MAX_EXPECTATIONS = 500;
const MAX_SET_VALUES = 10_000;
const MAX_PATTERN_LENGTH = 2_000;

const Column = z.string().min(1, 'must name a column').max(1_000);
const Bound = z.union([z.number(), z.string()]);
const FiniteNumber = z.number();
const Count = z.number().int().min(0);

const betweenBounds = <T extends { min?: unknown; max?: unknown }>(value: T, ctx: z.RefinementCtx) => {
  if (value.min === undefined && value.max === undefined) {
    ctx.addIssue({ code: 'custom', path: ['min'], message: 'give min, max or both' });
  } else if (
    value.min !== undefined &&
    value.max !== undefined &&
    typeof value.min === typeof value.max &&
    (value.min as number | string) > (value.max as number | string)
  ) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: `must not be below min (${String(value.min)})` });
  }
};

const SCHEMAS = {
  column_exists: z.strictObject({ type: z.literal('column_exists'), column: Column }),
  column_type: z.strictObject({
    type: z.literal('column_type'),
    column: Column,
    logicalType: z.enum(LOGICAL_TYPES),
  }),
  not_null: z.strictObject({
    type: z.literal('not_null'),
    column: Column,
    maxNullFraction: z.number().min(0).max(1).default(0),
  }),
  values_between: z
    .strictObject({
      type: z.literal('values_between'),
      column: Column,
      min: Bound.optional(),
      max: Bound.optional(),
    })
    .superRefine(betweenBounds),
  values_in_set: z.strictObject({
    type: z.literal('values_in_set'),
    column: Column,
    values: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .max(MAX_SET_VALUES),
  }),
  unique: z.strictObject({ type: z.literal('unique'), column: Column }),
  row_count_between: z
    .strictObject({ type: z.literal('row_count_between'), min: Count.optional(), max: Count.optional() })
    .superRefine(betweenBounds),
  values_match_regex: z.strictObject({
    type: z.literal('values_match_regex'),
    column: Column,
    pattern: z.string().min(1).max(MAX_PATTERN_LENGTH),
  }),
  mean_between: z
    .strictObject({
      type: z.literal('mean_between'),
      column: Column,
      min: FiniteNumber.optional(),
      max: FiniteNumber.optional(),
    })
    .superRefine(betweenBounds),
  distribution_close_to: z.strictObject({
    type: z.literal('distribution_close_to'),
    column: Column,
    reference: z
      .string()
      .describe("A dataset version, 'name@N' or 'name@latest'")
      .superRefine((value, ctx) => {
        try {
          parseReference('reference', value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^reference /, '') });
        }
      }),
    maxPsi: z.number().positive().default(DEFAULT_MAX_PSI),
  }),
} as const satisfies Record<ExpectationType, z.ZodType>;

type Schemas = typeof SCHEMAS;
/** An expectation as written (defaults may be left out). */
export type ExpectationInput = z.input<Schemas[ExpectationType]>;
/** An expectation as run, defaults filled in. */
export type Expectation = z.output<Schemas[ExpectationType]>;
export type ExpectationOf<T extends ExpectationType> = z.output<Schemas[T]>;

export interface SuiteInput {
  readonly name?: string;
  readonly expectations: readonly ExpectationInput[];
}

export interface Suite {
  readonly name?: string;
  readonly expectations: readonly Expectation[];
}

const SuiteShape = z.strictObject({
  name: z.string().max(200).optional(),
  expectations: z.array(z.unknown()).min(1, 'must list at least one expectation').max(MAX_EXPECTATIONS),
});

/** Parses a suite given as a value (a JSON body). Throws INVALID_SUITE naming the field at fault. */
export function parseSuite(input: unknown): Suite {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidSuite('suite', "must be an object with 'expectations' (and optionally 'name')");
  }
  const shape = SuiteShape.safeParse(input);
  if (!shape.success) throw fromIssues('', shape.error.issues);
  const expectations = shape.data.expectations.map((raw, index) => parseExpectation(raw, index));
  return { ...(shape.data.name === undefined ? {} : { name: shape.data.name }), expectations };
}

/** Parses a suite written as YAML or JSON text (JSON is YAML). */
export function parseSuiteText(text: string): Suite {
  let value: unknown;
  try {
    value = YAML.parse(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const reason = ((error as Error).message.split('\n')[0] ?? 'unreadable').replace(/:$/, '');
    throw invalidSuite('suite', `is not valid YAML or JSON: ${reason}`);
  }
  return parseSuite(value);
}

function parseExpectation(raw: unknown, index: number): Expectation {
  const at = `expectations[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidSuite(at, 'must be an object with a type');
  }
  const type = (raw as { type?: unknown }).type;
  if (type === undefined) {
    throw invalidSuite(`${at}.type`, `is required (one of: ${EXPECTATION_TYPES.join(', ')})`);
  }
  if (typeof type !== 'string' || !(EXPECTATION_TYPES as readonly string[]).includes(type)) {
    throw invalidSuite(
      `${at}.type`,
      `unknown expectation type '${String(type)}' (known: ${EXPECTATION_TYPES.join(', ')})`,
    );
  }
  const parsed = SCHEMAS[type as ExpectationType].safeParse(raw);
  if (!parsed.success) throw fromIssues(at, parsed.error.issues);
  return parsed.data;
}

function fromIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): InvalidError {
  const first = issues[0];
  if (first === undefined) return invalidSuite(prefix || 'suite', 'is invalid');
  let path = prefix;
  for (const part of first.path)
    path += typeof part === 'number' ? `[${part}]` : `${path === '' ? '' : '.'}${String(part)}`;
  if (first.code === 'unrecognized_keys') {
    const keys = first.keys.map((key) => `'${key}'`).join(', ');
    return invalidSuite(path || 'suite', `unknown field${first.keys.length > 1 ? 's' : ''} ${keys}`);
  }
  const missing = first.code === 'invalid_type' && /received undefined$/.test(first.message);
  return invalidSuite(path || 'suite', missing ? 'is required' : lowerFirst(first.message));
}

function invalidSuite(path: string, problem: string): InvalidError {
  return new InvalidError(`${path}: ${problem}`, { field: path }, 'INVALID_SUITE');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
