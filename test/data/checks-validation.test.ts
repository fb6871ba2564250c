/**
 * Validation suites through the SDK and HTTP: every expectation type passing and failing with its
 * observed value and example rows, JSON and YAML suites, stored reports, and bad suites (each a
 * clear 4xx that stores nothing).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExpectationResult,
  InvalidError,
  NotFoundError,
  type SuiteInput,
  type ValidationReport,
} from '../../src/client/index.js';
import { EXPECTATION_TYPES } from '../../src/data/validation/suite.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

async function push(t: TestServer, name: string, csv: string): Promise<number> {
  return (await t.sw.datasets.push(name, Buffer.from(csv), { format: 'csv' })).version;
}

const ROWS = 20;
const COUNTRIES = ['NL', 'DE', 'FR'];

/**
 * 20 people with known faults: row 3 has no age, row 7 is 150 years old, row 11 lives in 'XX', rows 5
 * and 13 have malformed e-mail addresses; `team` repeats (i % 5); `score` is i / 2 (mean 4.75).
 */
function people(scoreShift = 0): string {
  const lines = ['id,age,country,email,team,score'];
  for (let i = 0; i < ROWS; i++) {
    const age = i === 3 ? '' : i === 7 ? '150' : String(20 + i);
    const country = i === 11 ? 'XX' : COUNTRIES[i % 3];
    const email = i === 5 || i === 13 ? `bad${i}` : `user${i}@example.com`;
    lines.push([i + 1, age, country, email, i % 5, (i / 2 + scoreShift).toFixed(1)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const EMAIL = '[^@ ]+@[^@ ]+\\.[a-z]+';

/** Each line: an expectation that holds, then one that does not. */
const SUITE: SuiteInput = {
  name: 'people-checks',
  expectations: [
    { type: 'column_exists', column: 'id' },
    { type: 'column_exists', column: 'age ' },
    { type: 'column_type', column: 'id', logicalType: 'integer' },
    { type: 'column_type', column: 'score', logicalType: 'integer' },
    { type: 'not_null', column: 'id' },
    { type: 'not_null', column: 'age' },
    { type: 'not_null', column: 'age', maxNullFraction: 0.1 },
    { type: 'values_between', column: 'id', min: 1, max: 20 },
    { type: 'values_between', column: 'age', min: 0, max: 120 },
    { type: 'values_in_set', column: 'country', values: ['NL', 'DE', 'FR', 'XX'] },
    { type: 'values_in_set', column: 'country', values: COUNTRIES },
    { type: 'unique', column: 'id' },
    { type: 'unique', column: 'team' },
    { type: 'row_count_between', min: 10, max: 100 },
    { type: 'row_count_between', min: 50 },
    { type: 'values_match_regex', column: 'email', pattern: '[a-z0-9@.]+' },
    { type: 'values_match_regex', column: 'email', pattern: EMAIL },
    { type: 'mean_between', column: 'score', min: 4, max: 5 },
    { type: 'mean_between', column: 'score', min: 10 },
    { type: 'distribution_close_to', column: 'score', reference: 'people@1' },
    { type: 'distribution_close_to', column: 'score', reference: 'people@2', maxPsi: 0.5 },
  ],
};

/** The fields each expectation type takes (for the random suites). */
const FIELDS_OF: Readonly<Record<string, readonly string[]>> = {
  column_exists: ['column'],
  column_type: ['column', 'logicalType'],
  not_null: ['column', 'maxNullFraction'],
  values_between: ['column', 'min', 'max'],
  values_in_set: ['column', 'values'],
  unique: ['column'],
  row_count_between: ['min', 'max'],
  values_match_regex: ['column', 'pattern'],
  mean_between: ['column', 'min', 'max'],
  distribution_close_to: ['column', 'reference', 'maxPsi'],
};

describe.each(BACKENDS)('dataset validation on %s', (backend) => {
  let t: TestServer;
  let report: ValidationReport;
  beforeAll(async () => {
    t = await startTestServer(backend);
    expect(await push(t, 'people', people())).toBe(1);
    expect(await push(t, 'people', people(100))).toBe(2);
    report = await t.sw.datasets.validate('people@1', SUITE);
  });
  afterAll(async () => {
    await t?.close();
  });

  const result = (index: number): ExpectationResult => {
    const found = report.results.find((entry) => entry.index === index);
    if (found === undefined) throw new Error(`no result for expectation ${index}`);
    return found;
  };

  it('runs every expectation type, pass and fail, with counts', () => {
    expect(report).toMatchObject({
      dataset: 'people',
      version: 1,
      success: false,
      rowCount: ROWS,
      counts: { expectations: 21, passed: 11, failed: 10 },
      createdBy: 'admin',
    });
    expect(report.suite.name).toBe('people-checks');
    expect(report.results.map((entry) => entry.index)).toEqual([...Array(21).keys()]);
    const passing = [0, 2, 4, 6, 7, 9, 11, 13, 15, 17, 19];
    for (const entry of report.results) {
      expect(entry.success, `expectation ${entry.index} (${entry.type})`).toBe(passing.includes(entry.index));
      if (entry.success) expect(entry.examples).toBeUndefined();
      else expect(entry.message).toBeTruthy();
    }
  });

  it('reports a missing column and a wrong type as failed expectations', () => {
    expect(result(0)).toMatchObject({ type: 'column_exists', column: 'id', observed: { exists: true } });
    expect(result(1)).toMatchObject({ success: false, column: 'age ', observed: { exists: false } });
    expect(result(1).message).toContain("column 'age ' does not exist");
    expect(result(2).observed).toMatchObject({ logicalType: 'integer' });
    expect(result(3).observed).toMatchObject({ logicalType: 'float' });
  });

  it('observes null fractions and shows the offending row', () => {
    expect(result(4)).toMatchObject({ observed: { nullCount: 0, nullFraction: 0 }, offendingCount: 0 });
    expect(result(5)).toMatchObject({
      observed: { nullCount: 1, nullFraction: 0.05 },
      offendingCount: 1,
      examples: [{ row: 3, values: { id: 4, age: null, country: 'NL', email: 'user3@example.com' } }],
    });
    expect(result(6)).toMatchObject({ success: true, observed: { nullFraction: 0.05 } });
  });

  it('observes min/max seen, values outside a set, duplicates, row counts, regex misses and means', () => {
    expect(result(7).observed).toEqual({ min: 1, max: 20 });
    expect(result(8)).toMatchObject({ observed: { min: 20, max: 150 }, offendingCount: 1 });
    expect(result(8).examples).toEqual([
      {
        row: 7,
        values: { id: 8, age: 150, country: 'DE', email: 'user7@example.com', team: 2, score: 3.5 },
      },
    ]);
    expect(result(10)).toMatchObject({ observed: { unexpectedCount: 1 }, offendingCount: 1 });
    expect(result(10).examples!.map((row) => row.row)).toEqual([11]);
    expect(result(10).examples![0]!.values.country).toBe('XX');

    expect(result(11)).toMatchObject({ observed: { nonNull: 20, distinct: 20, duplicates: 0 } });
    expect(result(12)).toMatchObject({ observed: { distinct: 5, duplicates: 15 }, offendingCount: 20 });
    expect(result(12).examples!.map((row) => row.row)).toEqual([...Array(10).keys()]);

    expect(result(13).observed).toEqual({ rowCount: 20 });
    expect(result(14)).toMatchObject({ success: false, observed: { rowCount: 20 } });
    expect(result(14).offendingCount).toBeUndefined();

    expect(result(16)).toMatchObject({ observed: { nonMatching: 2, matchFraction: 0.9 }, offendingCount: 2 });
    expect(result(16).examples!.map((row) => [row.row, row.values.email])).toEqual([
      [5, 'bad5'],
      [13, 'bad13'],
    ]);
    expect(result(17).observed).toEqual({ mean: 4.75 });
    expect(result(18)).toMatchObject({ success: false, observed: { mean: 4.75 } });
  });

  it('compares a distribution with a reference version by PSI', () => {
    expect(result(19).observed).toMatchObject({ psi: 0, reference: 'people@1' });
    // All of people@1's scores fall in the lowest decile bin of people@2 (100 above them).
    const shifted = result(20);
    expect(shifted.success).toBe(false);
    expect(shifted.observed.reference).toBe('people@2');
    expect(shifted.observed.psi as number).toBeGreaterThan(5);
  });

  it('accepts YAML (SDK text, text/yaml and application/yaml) and JSON text', async () => {
    const yaml = [
      'name: yaml-suite',
      'expectations:',
      '  - type: not_null',
      '    column: id',
      '  - type: values_in_set',
      '    column: country',
      '    values: [NL, DE, FR, XX]',
      '  - {type: row_count_between, min: 20, max: 20}',
    ].join('\n');
    const viaSdk = await t.sw.datasets.validate('people@1', yaml);
    expect(viaSdk).toMatchObject({ success: true, suite: { name: 'yaml-suite' }, counts: { passed: 3 } });
    expect(viaSdk.suite.expectations[0]).toEqual({ type: 'not_null', column: 'id', maxNullFraction: 0 });

    for (const type of ['text/yaml', 'application/yaml; charset=utf-8']) {
      const response = await t.fetch('/api/v1/datasets/people/versions/1/validate', {
        method: 'POST',
        headers: { 'content-type': type },
        body: yaml,
      });
      expect(response.status).toBe(201);
      expect(((await response.json()) as ValidationReport).success).toBe(true);
    }
    const json = await t.fetch('/api/v1/datasets/people/versions/latest/validate', {
      method: 'POST',
      body: JSON.stringify({ expectations: [{ type: 'mean_between', column: 'score', min: 100 }] }),
    });
    expect(json.status).toBe(201);
    expect(await json.json()).toMatchObject({
      version: 2,
      success: true,
      results: [{ observed: { mean: 104.75 } }],
    });
  });

  it('stores reports, lists them newest first with paging, and fetches one', async () => {
    const stored = await t.sw.datasets.validation('people@1', report.id);
    expect(stored).toEqual(report);

    const all = await t.sw.datasets.validations('people@1');
    expect(all.items.length).toBe(4);
    expect(all.items.at(-1)!.id).toBe(report.id);
    const ids = all.items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort().reverse());

    const first = await t.sw.datasets.validations('people@1', { limit: 3 });
    expect(first.items.map((item) => item.id)).toEqual(ids.slice(0, 3));
    const rest = await t.sw.datasets.validations('people@1', { limit: 3, pageToken: first.nextPageToken! });
    expect(rest.items.map((item) => item.id)).toEqual(ids.slice(3));
    expect(rest.nextPageToken).toBeUndefined();

    expect((await t.sw.datasets.validations('people@2')).items.length).toBe(1);

    const other = await t.sw.datasets.validation('people@2', report.id).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(NotFoundError);
    expect((other as NotFoundError).code).toBe('VALIDATION_REPORT_NOT_FOUND');

    const audit = await t.sw.audit.list({ resource: `validation_report:${report.id}` });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      action: 'dataset.validate',
      after: { dataset: 'people', version: 1, success: false, counts: { failed: 10 } },
    });
  });

  it('refuses bad suites with a clear error naming the expectation, storing nothing', async () => {
    const before = (await t.sw.datasets.validations('people@1')).items.length;
    const cases: [SuiteInput | string, string, string][] = [
      [
        { expectations: [{ type: 'no_such_check' } as never] },
        'INVALID_SUITE',
        "expectations[0].type: unknown expectation type 'no_such_check'",
      ],
      [
        { expectations: [{ type: 'not_null', column: 'id' }, { type: 'unique' } as never] },
        'INVALID_SUITE',
        'expectations[1].column: is required',
      ],
      [
        { expectations: [{ type: 'values_match_regex', column: 'email', pattern: '[a-' }] },
        'INVALID_SUITE',
        'expectations[0].pattern: not a valid regular expression',
      ],
      [
        { expectations: [{ type: 'values_between', column: 'age' }] },
        'INVALID_SUITE',
        'expectations[0].min: give min, max or both',
      ],
      [
        { expectations: [{ type: 'unique', column: 'id', colum: 'x' } as never] },
        'INVALID_SUITE',
        "unknown field 'colum'",
      ],
      [{ expectations: [] }, 'INVALID_SUITE', 'expectations: must list at least one expectation'],
      ['expectations: [unclosed', 'INVALID_SUITE', 'suite: is not valid YAML or JSON'],
      ['just text', 'INVALID_SUITE', "suite: must be an object with 'expectations'"],
    ];
    for (const [suite, code, message] of cases) {
      const error = await t.sw.datasets.validate('people@1', suite).catch((e: unknown) => e);
      expect(error, JSON.stringify(suite)).toBeInstanceOf(InvalidError);
      expect((error as InvalidError).code).toBe(code);
      expect((error as InvalidError).message).toContain(message);
    }

    const missingReference = await t.sw.datasets
      .validate('people@1', {
        expectations: [{ type: 'distribution_close_to', column: 'score', reference: 'people@9' }],
      })
      .catch((e: unknown) => e);
    expect(missingReference).toBeInstanceOf(NotFoundError);
    expect((missingReference as NotFoundError).code).toBe('DATASET_VERSION_NOT_FOUND');
    expect((missingReference as NotFoundError).message).toContain('expectations[0].reference');

    const missingVersion = await t.sw.datasets
      .validate('people@7', { expectations: [{ type: 'unique', column: 'id' }] })
      .catch((e: unknown) => e);
    expect((missingVersion as NotFoundError).code).toBe('DATASET_VERSION_NOT_FOUND');

    const raw = await t.fetch('/api/v1/datasets/people/versions/1/validate', {
      method: 'POST',
      body: '[1,2]',
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { error: { code: string } }).error.code).toBe('INVALID_SUITE');

    expect((await t.sw.datasets.validations('people@1')).items.length).toBe(before);
  });

  it('checks time ranges and category distributions', async () => {
    const days = (month: number) =>
      Array.from(
        { length: 12 },
        (_, i) => `2024-0${month}-${String(i + 10)}T08:00:00Z,${['web', 'app', 'shop'][i % 3]}`,
      );
    await push(t, 'events', `at,channel\n${days(3).join('\n')}\n2025-01-01T00:00:00Z,web\n`);
    await push(t, 'events', `at,channel\n${days(4).join('\n').replaceAll('shop', 'web')}\n`);
    const checked = await t.sw.datasets.validate('events@1', {
      expectations: [
        { type: 'values_between', column: 'at', min: '2024-01-01T00:00:00Z', max: '2024-12-31T23:59:59Z' },
        { type: 'values_between', column: 'at', min: 'yesterday' },
        { type: 'distribution_close_to', column: 'channel', reference: 'events@1' },
        { type: 'distribution_close_to', column: 'channel', reference: 'events@2' },
      ],
    });
    expect(checked.results[0]).toMatchObject({
      success: false,
      offendingCount: 1,
      observed: { min: '2024-03-10T08:00:00.000Z', max: '2025-01-01T00:00:00.000Z' },
      examples: [{ row: 12, values: { at: '2025-01-01T00:00:00.000Z', channel: 'web' } }],
    });
    expect(checked.results[1]).toMatchObject({ success: false });
    expect(checked.results[1]!.message).toContain("bound 'yesterday' is not an ISO 8601 time");
    expect(checked.results[2]).toMatchObject({ success: true, observed: { psi: 0, bins: 3 } });
    // events@2 has no 'shop' (an EPSILON share) where events@1 has 4 of 13 rows.
    expect(checked.results[3]).toMatchObject({
      success: false,
      observed: { bins: 3, reference: 'events@2' },
    });
  });

  it('handles awkward column names, and expectations that do not suit a column fail with a reason', async () => {
    await push(t, 'awkward', 'file_row_number,amount due,"say ""hi"""\n10,5,a\n20,-1,b\n30,7,\n');
    const awkward = await t.sw.datasets.validate('awkward@1', {
      expectations: [
        { type: 'values_between', column: 'amount due', min: 0 },
        { type: 'not_null', column: 'say "hi"' },
        { type: 'values_between', column: 'say "hi"', min: 1, max: 2 },
        { type: 'mean_between', column: 'say "hi"', min: 0 },
      ],
    });
    expect(awkward.results[0]!.examples).toEqual([
      { row: 1, values: { file_row_number: 20, 'amount due': -1, 'say "hi"': 'b' } },
    ]);
    expect(awkward.results[1]!.examples!.map((row) => row.row)).toEqual([2]);
    expect(awkward.results[2]).toMatchObject({ success: false, observed: {} });
    expect(awkward.results[2]!.message).toContain(
      'values_between takes numbers for integer and float columns',
    );
    expect(awkward.results[3]!.message).toContain('mean_between needs an integer or float column');
  });

  it('lets viewers read reports but not run suites', async () => {
    const token = (await t.sw.tokens.create({ name: `viewer-${backend}`, role: 'viewer' })).token;
    const viewer = await t.connect(token);
    expect((await viewer.datasets.validation('people@1', report.id)).id).toBe(report.id);
    const refused = await viewer.datasets
      .validate('people@1', { expectations: [{ type: 'unique', column: 'id' }] })
      .catch((e: unknown) => e);
    expect((refused as { status: number }).status).toBe(403);
  });

  it('answers random suites with a report or a 4xx, never a server error', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean()), { maxLength: 3 }),
    );
    /** Mostly a plausible value for the field, sometimes anything. */
    const mostly = <T>(plausible: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: plausible, weight: 5 }, { arbitrary: value, weight: 1 });
    const bound = fc.oneof(
      fc.integer({ min: -50, max: 200 }),
      fc.double({ noNaN: true }),
      fc.string({ maxLength: 4 }),
    );
    const fields = {
      column: mostly(fc.constantFrom('id', 'age', 'country', 'email', 'team', 'score', 'nope', 'say "hi"')),
      min: mostly(bound),
      max: mostly(bound),
      values: mostly(
        fc.array(fc.oneof(fc.constantFrom('NL', 'DE', 'x'), fc.integer({ min: 0, max: 5 })), {
          minLength: 1,
        }),
      ),
      pattern: mostly(
        fc.oneof(
          fc.constantFrom('[a-', '.*', '(a|b', '\\d+', "it's", '[a-z0-9@.]+'),
          fc.string({ maxLength: 6 }),
        ),
      ),
      reference: mostly(fc.constantFrom('people@1', 'people@2', 'people@9', 'nope@1', 'people', 'people@x')),
      maxPsi: mostly(fc.double({ min: 0.001, max: 10, noNaN: true })),
      maxNullFraction: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
      logicalType: mostly(fc.constantFrom('integer', 'float', 'string', 'boolean', 'timestamp')),
    };
    // Mostly a known type with its own fields (the column always), so that suites get past parsing
    // and run; sometimes an unknown type or any fields.
    const type = fc.oneof(
      { arbitrary: fc.constantFrom(...EXPECTATION_TYPES), weight: 9 },
      { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
    );
    const expectation = fc.tuple(type, fc.integer({ min: 0, max: 9 })).chain(([name, dice]) => {
      // A random type name may be 'constructor' or 'toString': only the table's own keys count.
      const own = Object.hasOwn(FIELDS_OF, name) ? FIELDS_OF[name] : undefined;
      const keys = dice === 0 || own === undefined ? Object.keys(fields) : own;
      const always: readonly string[] =
        dice === 0 ? [] : keys.filter((key) => key === 'column' || key === 'reference');
      return fc
        .subarray(keys.filter((key) => !always.includes(key)))
        .chain((chosen) =>
          fc.record(
            Object.fromEntries(
              [...always, ...chosen].map((key) => [key, fields[key as keyof typeof fields]]),
            ),
          ),
        )
        .map((rest) => ({ type: name, ...rest }));
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(expectation, { minLength: 1, maxLength: 3 }), async (expectations) => {
        const response = await t.fetch('/api/v1/datasets/people/versions/2/validate', {
          method: 'POST',
          body: JSON.stringify({ expectations }),
        });
        const text = await response.text();
        expect([201, 400, 404], text).toContain(response.status);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }),
      { numRuns: 150 },
    );
    // The random suites reached the data, not only the parser.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
  });
});
