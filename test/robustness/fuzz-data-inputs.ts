/**
 * Inputs for fuzzing the routes of datasets, the model registry and lineage: query strings, files
 * that are, nearly are, or are not CSV, JSON lines, Parquet or ONNX (whole, damaged, random bytes),
 * dataset references and version path segments; and the builders fuzz-routes.ts lends these groups.
 */
import fc from 'fast-check';
import {
  anyJson,
  anyString,
  type BodyCase,
  encodeSegment,
  type FieldSpec,
  nameLike,
  segmentLike,
  shortText,
  stringMap,
  validKey,
} from './fuzz-inputs.js';
import type { FuzzRequest } from './fuzz-routes.js';

export type Method = FuzzRequest['method'];

/** What fuzz-routes.ts lends these groups: its JSON-route builder, headers and request builder. */
export interface RouteKit {
  readonly json: (
    method: Method,
    path: fc.Arbitrary<string>,
    fields: FieldSpec,
    valid?: fc.Arbitrary<unknown>,
  ) => fc.Arbitrary<FuzzRequest>;
  readonly common: fc.Arbitrary<Record<string, string>>;
  readonly build: (
    method: Method,
    path: string,
    body: BodyCase,
    headers: Readonly<Record<string, string>>,
  ) => FuzzRequest;
}

export type QueryValue = string | readonly string[] | undefined;

/** Strings short enough that a query string holding a few stays under the header limit. */
export const queryText = anyString.filter((s) => s.length < 2_000);

/** `?a=1&b=2&b=3`, each name and value %-encoded; undefined values are left out. */
export function queryString(params: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of typeof value === 'string' ? [value] : value) {
      parts.push(`${encodeSegment(name)}=${encodeSegment(item)}`);
    }
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Now and then something a query parser has to cope with, appended as sent. */
export const rawQueryTail: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 12 },
  { arbitrary: fc.constantFrom('&%ZZ', '&=x', '&&', '&unknown=1', '&a[b]=1', '&%00=%00', '&x'), weight: 1 },
);

/** A query parameter the route does not know: present in one request in eight. */
export const rarely = (value: fc.Arbitrary<string>): fc.Arbitrary<string | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 7 }, { arbitrary: value, weight: 1 });

export const withQuery = (path: string, query: string, tail: string) =>
  query === '' && tail !== '' ? `${path}?${tail.slice(1)}` : `${path}${query}${tail}`;

/** Bytes with a few bytes overwritten, cut short, or with garbage before them. */
export function damaged(files: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const file = fc.constantFrom(...files);
  return fc.oneof(
    fc
      .tuple(
        file,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      )
      .map(([bytes, flips]) => {
        const copy = Buffer.from(bytes);
        for (const [at, value] of flips) copy[at % copy.length] = value;
        return copy;
      }),
    fc.tuple(file, fc.nat()).map(([bytes, cut]) => bytes.subarray(0, cut % bytes.length)),
    fc
      .tuple(file, fc.uint8Array({ minLength: 1, maxLength: 16 }))
      .map(([bytes, junk]) => Buffer.concat([Buffer.from(junk), bytes])),
  );
}

export const randomBytes = (limit: number): fc.Arbitrary<Buffer> =>
  fc.oneof(
    { arbitrary: fc.uint8Array({ maxLength: 2_000 }).map((a) => Buffer.from(a)), weight: 6 },
    { arbitrary: fc.constant(Buffer.alloc(0)), weight: 1 },
    // Around the server's SLIPWAY_MAX_ARTIFACT_BYTES, which also bounds pushes and uploads.
    {
      arbitrary: fc
        .tuple(fc.integer({ min: limit - 2, max: limit + 2 }), fc.constantFrom('a', '1,2\n', '\u0000'))
        .map(([size, unit]) => Buffer.alloc(size, unit)),
      weight: 1,
    },
  );

const CELLS = [
  '',
  'NaN',
  'nan',
  'inf',
  '-Infinity',
  'true',
  'FALSE',
  'null',
  'NULL',
  '2024-01-01',
  '2024-13-45',
  '2024-01-01T00:00:00Z',
  '2024-01-01 25:61:00',
  '"quoted, with comma"',
  '"unterminated',
  '""',
  '"a ""b"" c"',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '170141183460469231731687303715884105728',
  '0x1F',
  '1e400',
  '-0',
  '1,5',
  '\\N',
  '😀',
  '\u0000',
] as const;

/** Text that is, or is nearly, a CSV file: odd headers, separators, quoting, ragged rows. */
export function csvLike(columns: readonly string[]): fc.Arbitrary<Buffer> {
  const cell = fc.oneof(
    { arbitrary: fc.integer().map(String), weight: 3 },
    { arbitrary: fc.double().map(String), weight: 2 },
    { arbitrary: fc.constantFrom(...CELLS), weight: 3 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }), weight: 1 },
  );
  const header = fc.oneof(
    { arbitrary: fc.shuffledSubarray([...columns], { minLength: 1 }), weight: 3 },
    {
      arbitrary: fc.array(
        fc.oneof(fc.constantFrom(...columns, '', 'a a', '"q"'), fc.string({ maxLength: 8 })),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      weight: 2,
    },
  );
  return fc
    .tuple(
      header,
      fc.constantFrom(',', ',', ',', ';', '\t', '|'),
      fc.constantFrom('\n', '\n', '\r\n', '\r'),
      fc.array(fc.array(cell, { minLength: 0, maxLength: 7 }), { maxLength: 30 }),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([names, separator, newline, rows, ragged, bom]) => {
      const lines = [names.join(separator)];
      for (const row of rows) {
        const cells = ragged ? row : names.map((_, i) => row[i] ?? '');
        lines.push(cells.join(separator));
      }
      return Buffer.from(`${bom ? '\ufeff' : ''}${lines.join(newline)}${newline}`);
    });
}

/** JSON lines: mostly objects with the target's columns, sometimes anything at all. */
export function jsonlLike(columns: readonly string[]): fc.Arbitrary<Buffer> {
  const value = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    shortText,
    fc.boolean(),
    fc.constant(null),
    anyJson,
  );
  const line = fc.oneof(
    { arbitrary: fc.dictionary(fc.constantFrom(...columns), value).map((o) => JSON.stringify(o)), weight: 5 },
    { arbitrary: anyJson.map((v) => JSON.stringify(v) ?? 'undefined'), weight: 1 },
    { arbitrary: fc.constantFrom('', '{', '{"a":1}{"a":2}', '[1,2]', '{"a":NaN}', 'garbage'), weight: 1 },
  );
  return fc
    .tuple(fc.array(line, { maxLength: 20 }), fc.constantFrom('\n', '\r\n'))
    .map(([lines, newline]) => Buffer.from(lines.join(newline)));
}

/** name@N, name@latest, bare names and nonsense. */
export function referenceLike(name: string, versions: readonly number[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...versions.map((v) => `${name}@${v}`), `${name}@latest`, name), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        `${name}@0`,
        `${name}@-1`,
        `${name}@99`,
        `${name}@1.5`,
        `${name}@9999999999999999999`,
        `${name}@champion`,
        `${name}@`,
        '@1',
        'nope@1',
        `${name.toUpperCase()}@1`,
      ),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(nameLike, fc.integer({ min: -2, max: 5 })).map(([n, v]) => `${n}@${v}`),
      weight: 1,
    },
    { arbitrary: anyString, weight: 1 },
  );
}

/** A version path segment: mostly ones that exist, then numbers at and over the edges, then anything. */
export function versionSegment(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 12 },
    {
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '01',
        '1.0',
        '1e0',
        '99',
        '2147483648',
        '99999999999999999999',
        'LATEST',
      ),
      weight: 2,
    },
    { arbitrary: segmentLike(['1']), weight: 2 },
  );
}

/** References to the target dataset's versions: any (mostly valid ones), and only valid ones. */
export function datasetReferences(dataset: string) {
  return {
    any: referenceLike(dataset, [1, 2]),
    valid: fc.constantFrom(`${dataset}@1`, `${dataset}@2`, `${dataset}@latest`, dataset),
  };
}

/** A run id: mostly the target run, sometimes another. */
export function runReference(runId: string): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(runId), weight: 4 },
    { arbitrary: fc.ulid(), weight: 1 },
    { arbitrary: queryText, weight: 1 },
  );
}

/** `{ description, tags }` of a PATCH of a dataset, a dataset version or a model. */
export const updateFields: FieldSpec = {
  description: anyString,
  tags: stringMap(fc.option(anyString, { nil: null })),
};
export const validUpdate = fc.record(
  {
    description: shortText,
    tags: fc.dictionary(validKey, fc.option(shortText, { nil: null }), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);
