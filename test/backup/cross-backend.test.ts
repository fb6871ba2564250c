/**
 * A backup restores into the other dialect: rows are stored dialect-neutrally, and PostgreSQL's run
 * identity is moved past the restored runs so new runs do not collide. Datasets, the model registry
 * and lineage come back identical, and their version numbers carry on.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, PG_URL } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  backupCli,
  captureState,
  emptyInstallation,
  history,
  type Installation,
  populate,
  restoreCli,
  type StartedServer,
  type State,
  startOn,
} from './harness.js';
import { DATASET, MODEL, type RegistryData } from './registry-data.js';

const PAIRS: readonly (readonly [BackendName, BackendName])[] = [
  ['sqlite', 'postgres'],
  ['postgres', 'sqlite'],
];

describe.skipIf(PG_URL === undefined).each(PAIRS)(
  'backup on %s, restore into %s (needs SLIPWAY_TEST_PG_URL)',
  (from, to) => {
    let dir: string;
    let source: TestServer;
    let target: Installation;
    let restored: StartedServer | undefined;
    let before: State;
    let specialRunId: string;
    let registry: RegistryData;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'slipway-cross-'));
      source = await startTestServer(from);
      target = await emptyInstallation(to);
      ({ specialRunId, registry } = await populate(source.sw, { bulkPoints: 25_000 }));
      before = await captureState(source.sw);
    });
    afterAll(async () => {
      await restored?.close();
      await target?.drop();
      await source?.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('restores with --new-admin-token: a new, audited admin token in admin.token; the old ones still work', async () => {
      const file = join(dir, 'backup.tar');
      expect((await backupCli(source.url, source.adminToken, file)).code).toBe(0);
      const result = await restoreCli(target, file, '--new-admin-token');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(join(target.home, 'admin.token'));

      restored = await startOn(target);
      const me = await restored.sw.whoami();
      expect(me).toMatchObject({ name: 'restored-admin', role: 'admin' });
      const original = await restored.connect(source.adminToken);
      expect((await original.whoami()).name).toBe('admin');
      expect((await readFile(join(target.home, 'admin.token'), 'utf8')).trim()).not.toBe(source.adminToken);

      const after = await captureState(restored.sw);
      const minted = after.audit.filter((event) => !before.audit.some((old) => old.id === event.id));
      expect(minted).toHaveLength(1);
      expect(minted[0]).toMatchObject({ action: 'token.create', actor: 'system', resourceType: 'token' });
      expect(after.audit.filter((event) => event !== minted[0])).toEqual(before.audit);
      expect(after.experiments).toEqual(before.experiments);
      expect(after.runs).toEqual(before.runs);
      expect(after.histories).toEqual(before.histories);
      expect(after.artifacts).toEqual(before.artifacts);
      expect(after.tokens.filter((token) => token.name !== 'restored-admin')).toEqual(before.tokens);
      expect(after.registry).toEqual(before.registry);
    });

    it('serves the datasets and model files as they were pushed and registered', async () => {
      for (const [ref, bytes] of registry.datasetBytes) {
        expect((await restored!.sw.datasets.bytes(ref)).equals(bytes), ref).toBe(true);
      }
      const pulled = join(dir, 'pulled.onnx');
      for (const [ref, bytes] of registry.modelBytes) {
        await restored!.sw.models.pull(ref, pulled);
        expect((await readFile(pulled)).equals(bytes), ref).toBe(true);
      }
    });

    it('numbers new dataset and model versions after the restored ones, and moves aliases by compare-and-set', async () => {
      const { sw } = restored!;
      const pushed = await sw.datasets.push(DATASET, Buffer.from('order_id,amount\n7,1.5\n'), {
        format: 'csv',
        run: specialRunId,
      });
      expect(pushed.version).toBe(3);
      const registered = await sw.models.register(MODEL, {
        file: registry.modelBytes.get(`${MODEL}@1`)!,
        datasets: [{ ref: `${DATASET}@3`, role: 'train' }],
      });
      expect(registered.version).toBe(3);
      await sw.models.alias.set(MODEL, 'challenger', 3, { expectedVersion: 2 });
      await expect(sw.models.alias.set(MODEL, 'challenger', 1, { expectedVersion: 2 })).rejects.toMatchObject(
        {
          code: 'ALIAS_CONFLICT',
          details: { currentVersion: 3 },
        },
      );
      const lineage = await sw.lineage.get({ node: `model:${MODEL}@challenger`, direction: 'upstream' });
      expect(lineage.root).toBe(`model:${MODEL}@3`);
      expect(lineage.edges.map((edge) => edge.source)).toContain(`dataset:${DATASET}@3`);
    });

    it('keeps NaN and ±Infinity across dialects', async () => {
      const loss = await history(restored!.sw, specialRunId, 'loss');
      expect(loss.map((point) => point.value)).toEqual([1, Number.NaN, Infinity, -Infinity]);
    });

    it('creates new runs after the restore without colliding with restored ones', async () => {
      for (let i = 0; i < 3; i++) {
        const run = await restored!.sw.runs.create({ experiment: 'churn', name: `new-${i}` });
        await restored!.sw.runs.logMetrics(run.id, [{ key: 'fresh', value: i, step: 0 }]);
        expect((await history(restored!.sw, run.id, 'fresh')).map((point) => point.value)).toEqual([i]);
      }
      // The restored runs kept their own metrics: no new point landed on an old run.
      const runs = await restored!.sw.runs.list({ experiment: 'churn', limit: 1000 });
      for (const run of runs.items.filter((item) => !item.name.startsWith('new-'))) {
        expect(run.metrics.fresh).toBeUndefined();
      }
    });
  },
);
