/** `slipway datasets` against a real server: push, list, show, versions, rows, pull, tag, update. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset, DatasetVersion, RowsPage } from '../../src/client/index.js';
import { cliSuite } from '../support/cli-suite.js';

const CSV = `id,price,city\n${Array.from({ length: 50 }, (_, i) => `${i + 1},${(i * 1.5).toFixed(1)},${['oslo', 'lima', 'pune'][i % 3]}`).join('\n')}\n`;

describe('slipway datasets', () => {
  const suite = cliSuite({
    workPrefix: 'slipway-datasets-cli-',
    prepare: async ({ work }) => {
      await writeFile(join(work, 'sales.csv'), CSV);
      await writeFile(join(work, 'sales.txt'), CSV);
    },
  });
  const { run } = suite;

  it('pushes a file, taking the format from its extension, and lists the dataset', async () => {
    const pushed = await run('datasets', 'push', 'sales', 'sales.csv', '-d', 'weekly sales');
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain('sales@1: 50 rows, 3 columns');
    const quiet = await run('-q', 'datasets', 'push', 'sales', 'sales.csv');
    expect(quiet.stdout.trim()).toBe('sales@1');
    const listed = await run('datasets');
    expect(listed.stdout).toMatch(/NAME\s+LATEST/);
    expect(listed.stdout).toContain('sales');
    const json = await run('--json', 'datasets', 'list');
    expect(json.json<{ items: Dataset[] }>().items[0]).toMatchObject({ name: 'sales', latestVersion: 1 });
  });

  it('needs --format when the extension says nothing, and exits 1 on unreadable data', async () => {
    const unknown = await run('datasets', 'push', 'sales', 'sales.txt');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--format');
    await writeFile(join(suite.work, 'ragged.csv'), 'a,b\n1,2\n3\n');
    const ragged = await run('datasets', 'push', 'broken', 'ragged.csv');
    expect(ragged.code).toBe(1);
    expect(ragged.stderr).toContain('line 3 has 1 fields but the header has 2');
    const forced = await run('-q', 'datasets', 'push', 'sales', 'sales.txt', '--format', 'csv');
    expect(forced.code).toBe(0);
  });

  it('shows a version with its schema and profile, and lists versions', async () => {
    const shown = await run('datasets', 'show', 'sales@1');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Dataset sales@1');
    expect(shown.stdout).toMatch(/price\s+float\s+DOUBLE\s+no/);
    expect(shown.stdout).toMatch(/city\s+0 \(0%\)\s+3\s+lima \(17\), oslo \(17\), pune \(16\)/);
    expect(shown.stdout).toMatch(/price\s+0 \(0%\)\s+50\s+min 0\s+p50 36\.75\s+max 73\.5/);
    const json = await run('--json', 'datasets', 'show', 'sales');
    expect(json.json<DatasetVersion>()).toMatchObject({ dataset: 'sales', version: 1, rowCount: 50 });
    const versions = await run('datasets', 'versions', 'sales');
    expect(versions.stdout).toMatch(/@1\s+csv\s+50\s+3/);
  });

  it('previews rows and pulls the original bytes or the Parquet form', async () => {
    const rows = await run('datasets', 'rows', 'sales@1', '--limit', '2', '--offset', '1');
    expect(rows.stdout).toMatch(/id\s+price\s+city/);
    expect(rows.stdout).toMatch(/2\s+1\.5\s+lima/);
    expect(rows.stdout).toContain('rows 2-3 of 50');
    const json = await run('--json', 'datasets', 'rows', 'sales@1', '--limit', '1');
    expect(json.json<RowsPage>().rows).toEqual([{ id: 1, price: 0, city: 'oslo' }]);

    const pulled = await run('datasets', 'pull', 'sales@1', '-o', 'copy.csv');
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain('sha256 verified');
    expect(await readFile(join(suite.work, 'copy.csv'), 'utf8')).toBe(CSV);
    expect((await run('datasets', 'pull', 'sales@1')).code).toBe(0);
    expect(await readFile(join(suite.work, 'sales-v1.csv'), 'utf8')).toBe(CSV);
    await run('datasets', 'pull', 'sales@1', '--parquet', '-o', 'sales.parquet');
    expect((await readFile(join(suite.work, 'sales.parquet'))).subarray(0, 4).toString()).toBe('PAR1');
    const missing = await run('datasets', 'pull', 'sales@9', '-o', 'x.csv');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("dataset 'sales' has no version 9");
  });

  it('tags versions and updates datasets', async () => {
    const tagged = await run('datasets', 'tag', 'sales@1', 'stage=raw', 'owner=me');
    expect(tagged.stdout).toContain('sales@1 tags: stage=raw, owner=me');
    const untagged = await run('--json', 'datasets', 'tag', 'sales@1', 'owner=');
    expect(untagged.json<DatasetVersion>().tags).toEqual({ stage: 'raw' });
    const updated = await run('datasets', 'update', 'sales', '-d', 'all sales', '--tag', 'team=ops');
    expect(updated.stdout).toContain('all sales');
    expect(updated.stdout).toContain('team=ops');
    expect((await run('datasets', 'tag', 'sales@1', 'novalue')).code).toBe(2);
  });
});
