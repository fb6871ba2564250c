/**
 * Request arbitraries for the dataset routes: pushes of raw files (CSV-ish text, JSON lines, whole
 * and damaged Parquet, random bytes) with random query strings, PATCHes of datasets and versions,
 * and validation suites as JSON, as YAML and as neither. fuzz-routes.ts joins these groups to its own.
 */
import fc from 'fast-check';
import YAML from 'yaml';
import {
  csvLike,
  damaged,
  datasetReferences,
  jsonlLike,
  type QueryValue,
  queryString,
  queryText,
  type RouteKit,
  randomBytes,
  rarely,
  rawQueryTail,
  runReference,
  updateFields,
  validUpdate,
  versionSegment,
  withQuery,
} from './fuzz-data-inputs.js';
import { anyJson, anyString, type FieldSpec, numberLike, segmentLike, shortText } from './fuzz-inputs.js';
import type { FuzzRequest, Targets } from './fuzz-routes.js';

export function datasetRouteGroups(
  targets: Targets,
  kit: RouteKit,
): Readonly<Record<string, fc.Arbitrary<FuzzRequest>>> {
  const { json, common, build } = kit;
  const dataset = targets.datasetName;
  const datasetSegment = segmentLike([dataset]);
  const { any: datasetRef, valid: validDatasetRef } = datasetReferences(dataset);
  const runRef = runReference(targets.runId);

  // PUT /datasets/{name}/versions: the file is the raw body, everything else is in the query.
  const content: fc.Arbitrary<readonly [string, Buffer]> = fc.oneof(
    { arbitrary: csvLike(targets.datasetColumns).map((b) => ['csv', b] as const), weight: 6 },
    { arbitrary: jsonlLike(targets.datasetColumns).map((b) => ['jsonl', b] as const), weight: 3 },
    { arbitrary: fc.constant(['parquet', targets.parquet] as const), weight: 1 },
    { arbitrary: damaged([targets.parquet]).map((b) => ['parquet', b] as const), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('csv', 'jsonl', 'parquet'), randomBytes(targets.artifactLimit))
        .map(([format, bytes]) => [format, bytes] as const),
      weight: 2,
    },
  );
  // undefined: no format at all (it is required).
  const formatLike = fc.oneof(
    fc.constantFrom('csv', 'parquet', 'jsonl', 'CSV', ' csv ', 'json', 'xlsx', 'tsv', '', undefined),
    queryText,
  );
  const derivedFrom: fc.Arbitrary<QueryValue> = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 },
    { arbitrary: validDatasetRef, weight: 2 },
    { arbitrary: fc.array(datasetRef, { minLength: 1, maxLength: 3 }), weight: 2 },
    {
      arbitrary: fc.array(datasetRef, { minLength: 2, maxLength: 3 }).map((refs) => refs.join(',')),
      weight: 1,
    },
    { arbitrary: fc.constantFrom(',', ' , ', Array(101).fill(`${dataset}@1`).join(',')), weight: 1 },
  );
  // Half the pushes carry a query the route accepts, the rest anything at all.
  const validPushQuery = fc.record(
    { description: shortText, derivedFrom: validDatasetRef, run: fc.constant(targets.runId) },
    { requiredKeys: [] },
  );
  const fuzzedPushQuery = fc.record(
    {
      format: formatLike,
      description: fc.oneof(shortText, queryText),
      derivedFrom,
      run: runRef,
      unknown: rarely(fc.constantFrom('1', '')),
    },
    { requiredKeys: [] },
  );
  const push = fc
    .tuple(
      datasetSegment,
      content,
      fc.oneof(
        { arbitrary: validPushQuery.map((q) => ({ valid: true, ...q })), weight: 1 },
        { arbitrary: fuzzedPushQuery.map((q) => ({ valid: false, ...q })), weight: 1 },
      ),
      fc.oneof(
        { arbitrary: fc.constant('application/octet-stream'), weight: 8 },
        {
          arbitrary: fc.constantFrom(
            undefined,
            'text/csv',
            'application/json',
            'multipart/form-data; boundary=x',
            '',
          ),
          weight: 1,
        },
      ),
      rawQueryTail,
      common,
    )
    .map(([name, [matching, bytes], { valid, ...params }, contentType, tail, headers]) => {
      const format = valid ? matching : 'format' in params ? params.format : matching;
      const query = queryString({ ...params, format });
      return build(
        'PUT',
        withQuery(`/api/v1/datasets/${name}/versions`, query, tail),
        {
          bytes,
          ...(contentType === undefined ? {} : { contentType }),
          label: `push ${bytes.length} bytes`,
        },
        headers,
      );
    });

  const datasets = fc.oneof(
    { arbitrary: push, weight: 6 },
    {
      arbitrary: json(
        'PATCH',
        datasetSegment.map((s) => `/api/v1/datasets/${s}`),
        updateFields,
        validUpdate,
      ),
      weight: 2,
    },
    {
      arbitrary: json(
        'PATCH',
        fc
          .tuple(datasetSegment, versionSegment(['1', '2']))
          .map(([s, v]) => `/api/v1/datasets/${s}/versions/${v}`),
        updateFields,
        validUpdate,
      ),
      weight: 2,
    },
  );

  return { datasets, validation: validateRequests(targets, kit, datasetSegment) };
}

const LOGICAL_TYPES = ['integer', 'float', 'boolean', 'string', 'timestamp'] as const;

interface ExpectationParts {
  readonly column: fc.Arbitrary<string>;
  readonly bounds: fc.Arbitrary<{ min?: number | string; max?: number | string }>;
  readonly numbers: fc.Arbitrary<{ min?: number; max?: number }>;
  readonly counts: fc.Arbitrary<{ min?: number; max?: number }>;
  readonly values: fc.Arbitrary<unknown[]>;
  readonly pattern: fc.Arbitrary<string>;
  readonly reference: fc.Arbitrary<string>;
}

/** An expectation of any type, its fields drawn from `parts`. */
function expectationOf(parts: ExpectationParts): fc.Arbitrary<Record<string, unknown>> {
  const { column } = parts;
  return fc.oneof(
    fc.record({ type: fc.constant('column_exists'), column }),
    fc.record({ type: fc.constant('column_type'), column, logicalType: fc.constantFrom(...LOGICAL_TYPES) }),
    fc.record(
      { type: fc.constant('not_null'), column, maxNullFraction: fc.double({ min: 0, max: 1, noNaN: true }) },
      { requiredKeys: ['type', 'column'] },
    ),
    fc.tuple(column, parts.bounds).map(([c, b]) => ({ type: 'values_between', column: c, ...b })),
    fc.record({ type: fc.constant('values_in_set'), column, values: parts.values }),
    fc.record({ type: fc.constant('unique'), column }),
    parts.counts.map((b) => ({ type: 'row_count_between', ...b })),
    fc.record({ type: fc.constant('values_match_regex'), column, pattern: parts.pattern }),
    fc.tuple(column, parts.numbers).map(([c, b]) => ({ type: 'mean_between', column: c, ...b })),
    fc.record(
      {
        type: fc.constant('distribution_close_to'),
        column,
        reference: parts.reference,
        maxPsi: fc.double({ min: 0, max: 10, noNaN: true }),
      },
      { requiredKeys: ['type', 'column', 'reference'] },
    ),
  );
}

/** min and/or max from `value`, in order when both are of one type. */
function range<T extends number | string>(value: fc.Arbitrary<T>): fc.Arbitrary<{ min?: T; max?: T }> {
  return fc
    .tuple(value, value, fc.constantFrom('min', 'max', 'both'))
    .map(([a, b, which]): { min?: T; max?: T } => {
      const [low, high]: [T, T] = typeof a === typeof b && a > b ? [b, a] : [a, b];
      return which === 'min' ? { min: low } : which === 'max' ? { max: high } : { min: low, max: high };
    });
}

/** POST …/versions/{n}/validate: suites as JSON, as YAML text, and bodies that are neither. */
function validateRequests(
  targets: Targets,
  kit: RouteKit,
  datasetSegment: fc.Arbitrary<string>,
): fc.Arbitrary<FuzzRequest> {
  const dataset = targets.datasetName;
  const number = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
  // Suites that parse: a missing column or a bound of the wrong kind fails its expectation, not the
  // suite. Strings with a NUL go into the SQL as values, bounds and patterns.
  const valid: ExpectationParts = {
    column: fc.constantFrom(...targets.datasetColumns, 'missing'),
    bounds: range(fc.oneof(number, fc.constantFrom('2024-01-01T00:00:00Z', 'A', 'Oslo', 'z\u0000'))),
    numbers: range(number),
    counts: range(fc.integer({ min: 0, max: 10 })),
    values: fc.array(
      fc.oneof(
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom('Oslo', 'Bergen', 'a\u0000b'),
        shortText,
        fc.boolean(),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    pattern: fc.constantFrom('[A-Z].*', '.*', '\\d+', 'O.*', '(?i)oslo', '\\p{L}+', 'O\u0000?.*'),
    reference: fc.constantFrom(`${dataset}@1`, `${dataset}@2`, `${dataset}@latest`),
  };
  const bound = fc.oneof(number, fc.integer({ min: -10, max: 10 }), anyString, anyJson);
  const wild: ExpectationParts = {
    column: fc.oneof(fc.constantFrom(...targets.datasetColumns, '', 'missing'), anyString),
    bounds: fc.record({ min: bound, max: bound }, { requiredKeys: [] }) as fc.Arbitrary<{
      min?: number | string;
      max?: number | string;
    }>,
    numbers: fc.record({ min: bound, max: bound }, { requiredKeys: [] }) as fc.Arbitrary<{
      min?: number;
      max?: number;
    }>,
    counts: fc.record({ min: numberLike, max: numberLike }, { requiredKeys: [] }) as fc.Arbitrary<{
      min?: number;
      max?: number;
    }>,
    values: fc.array(anyJson, { maxLength: 5 }),
    pattern: fc.oneof(
      fc.constantFrom('(', '[', '(?P<x>a)', '(a*)*b', '\\', 'a{1001}', '(?=a)', '\\1', '\u0000'),
      fc.string({ maxLength: 12 }),
      anyString,
    ),
    reference: fc.oneof(
      fc.constantFrom(`${dataset}@99`, 'nope@1', `${dataset}@champion`, dataset, '@', `${dataset}@0`),
      anyString,
    ),
  };
  const suiteOf = (parts: ExpectationParts) =>
    fc.record(
      { name: shortText, expectations: fc.array(expectationOf(parts), { minLength: 1, maxLength: 6 }) },
      { requiredKeys: ['expectations'] },
    );
  const suite = suiteOf(valid);
  const path = fc
    .tuple(datasetSegment, versionSegment(['1', '2', 'latest']))
    .map(([s, v]) => `/api/v1/datasets/${s}/versions/${v}/validate`);
  const suiteFields: FieldSpec = {
    name: anyString,
    expectations: fc.array(fc.oneof(expectationOf(wild), fc.dictionary(anyString, anyJson, { maxKeys: 3 })), {
      maxLength: 4,
    }),
  };
  const yamlType = fc.constantFrom(
    'application/yaml',
    'text/yaml',
    'application/x-yaml',
    'text/x-yaml; charset=utf-8',
  );
  const yamlText = fc.oneof(
    { arbitrary: suite.map((s) => YAML.stringify(s)), weight: 6 },
    { arbitrary: suiteOf(wild).map((s) => YAML.stringify(s)), weight: 1 },
    { arbitrary: anyString, weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '',
        'expectations:',
        'expectations: [',
        '- a\n- b',
        'a: &x [1]\nb: *y',
        'expectations: !!binary aGVsbG8=',
        '!!js/function "function () {}"',
        'name: a\nname: b\nexpectations: []',
        `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
        // A billion-laughs document: aliases expand exponentially.
        `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\nexpectations: []`,
      ),
      weight: 1,
    },
  );
  const yaml = fc
    .tuple(path, yamlText, yamlType, kit.common)
    .map(([p, text, type, headers]) =>
      kit.build('POST', p, { bytes: Buffer.from(text), contentType: type, label: 'yaml suite' }, headers),
    );
  return fc.oneof(
    { arbitrary: kit.json('POST', path, suiteFields, suite), weight: 3 },
    { arbitrary: yaml, weight: 1 },
  );
}
