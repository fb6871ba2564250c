/** `slipway datasets diff|validate|validations` against a real server: tables, --json and exit codes. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetDiff, ValidationReport } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { cliSuite } from '../support/cli-suite.js';
import type { TestServer } from '../support/test-server.js';

async function push(t: TestServer, name: string, csv: string): Promise<number> {
  return (await t.sw.datasets.push(name, Buffer.from(csv), { format: 'csv' })).version;
}

/** 100 orders; in v2 `amount` doubles and one order has a negative amount (row 42). */
function orders(version: 1 | 2): string {
  const lines = ['id,amount,status'];
  for (let i = 0; i < 100; i++) {
    const amount = version === 1 ? i : i === 42 ? -5 : i * 2;
    lines.push(`${i},${amount},${['new', 'paid', 'sent'][i % 3]}`);
  }
  return `${lines.join('\n')}\n`;
}

const PASSING_YAML = `name: orders-basic
expectations:
  - type: unique
    column: id
  - type: values_in_set
    column: status
    values: [new, paid, sent]
`;

const FAILING_JSON = JSON.stringify({
  name: 'orders-strict',
  expectations: [
    { type: 'not_null', column: 'id' },
    { type: 'values_between', column: 'amount', min: 0 },
  ],
});

describe.each(BACKENDS)('slipway datasets checks on %s', (backend) => {
  const suite = cliSuite({
    workPrefix: 'slipway-checks-',
    backend,
    prepare: async ({ server, work }) => {
      await push(server, 'orders', orders(1));
      await push(server, 'orders', orders(2));
      await writeFile(join(work, 'basic.yaml'), PASSING_YAML);
      await writeFile(join(work, 'strict.json'), FAILING_JSON);
      await writeFile(join(work, 'broken.yaml'), 'expectations:\n  - type: not_a_check\n');
    },
  });
  const { run } = suite;

  it('diff prints schema, row counts and a table with the moved column first', async () => {
    const human = await run('datasets', 'diff', 'orders@1', 'orders@2');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('orders@1 -> orders@2: rows 100 -> 100 (+0)');
    const lines = human.stdout.split('\n');
    const header = lines.findIndex((line) => /^COLUMN\s+TYPE\s+PSI\s+NULL RATE\s+MEAN\s+STD/.test(line));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^amount\s+integer\s+\S+ !/);

    const json = await run('--json', 'datasets', 'diff', 'orders@1', '2');
    expect(json.code).toBe(0);
    const diff = json.json<DatasetDiff>();
    expect(diff.columns[0]!.name).toBe('amount');
    expect(diff.columns.find((c) => c.name === 'status')!.psi).toBe(0);

    const missing = await run('datasets', 'diff', 'orders@1', 'orders@5');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DATASET_VERSION_NOT_FOUND');
  });

  it('validate exits 0 when every expectation holds and prints the table', async () => {
    const passed = await run('datasets', 'validate', 'orders@2', '--suite', 'basic.yaml');
    expect(passed.code).toBe(0);
    expect(passed.stdout).toContain("Validation of orders@2 with suite 'orders-basic' (100 rows): PASSED");
    expect(passed.stdout).toMatch(/#\s+EXPECTATION\s+COLUMN\s+RESULT\s+OBSERVED\s+OFFENDING/);
    expect(passed.stdout).toMatch(/0\s+unique\s+id\s+PASS/);
    expect(passed.stderr).toBe('');
  });

  it('validate exits 1 on a failed expectation, showing the offending rows; --json prints the report', async () => {
    const failed = await run('datasets', 'validate', 'orders@2', '-s', 'strict.json');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('FAILED: 1 of 2 expectations failed');
    expect(failed.stdout).toMatch(/1\s+values_between\s+amount\s+FAIL\s+min=-5 max=198\s+1/);
    expect(failed.stdout).toContain('[1] values_between amount: 1 values outside >= 0');
    expect(failed.stdout).toContain('row 42: {"id":42,"amount":-5,"status":"new"}');
    expect(failed.stderr).toContain('validation of orders@2 failed: 1 of 2 expectations failed');

    const json = await run('--json', 'datasets', 'validate', 'orders@2', '--suite', 'strict.json');
    expect(json.code).toBe(1);
    const report = json.json<ValidationReport>();
    expect(report).toMatchObject({ success: false, counts: { passed: 1, failed: 1 } });
    expect(report.results[1]!.examples).toEqual([{ row: 42, values: { id: 42, amount: -5, status: 'new' } }]);

    const onV1 = await run('datasets', 'validate', 'orders@1', '--suite', 'strict.json');
    expect(onV1.code).toBe(0);
  });

  it('reports bad suites and missing files clearly', async () => {
    const broken = await run('datasets', 'validate', 'orders@2', '--suite', 'broken.yaml');
    expect(broken.code).toBe(1);
    expect(broken.stderr.split('\n')[0]).toContain(
      "expectations[0].type: unknown expectation type 'not_a_check'",
    );
    expect(broken.stderr).toContain('INVALID_SUITE');

    const missingFile = await run('datasets', 'validate', 'orders@2', '--suite', 'nope.yaml');
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain("cannot read suite 'nope.yaml'");

    const noSuite = await run('datasets', 'validate', 'orders@2');
    expect(noSuite.code).toBe(2);
  });

  it('validations lists stored reports and shows one', async () => {
    const listed = await run('datasets', 'validations', 'orders@2');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/ID\s+CREATED\s+RESULT\s+PASSED\s+FAILED\s+SUITE\s+BY/);
    const rows = listed.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/FAIL\s+1\s+1\s+orders-strict\s+admin/);
    expect(rows[2]).toMatch(/PASS\s+2\s+0\s+orders-basic\s+admin/);

    const ids = (await run('-q', 'datasets', 'validations', 'orders@2')).stdout.trim().split('\n');
    expect(ids).toHaveLength(3);
    const shown = await run('datasets', 'validations', 'orders@2', ids[2]!);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("Validation of orders@2 with suite 'orders-basic'");

    const paged = await run('datasets', 'validations', 'orders@2', '--limit', '1');
    expect(paged.stdout).toContain('more: --page-token ');
  });
});
