/**
 * The metadata Database contract, run against every dialect: migrations, the bulk metric insert,
 * unique-violation detection, snapshot isolation for backups, and failures that name the migration.
 */

import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import {
  currentMigration,
  type Database,
  LATEST_MIGRATION,
  migrateToLatest,
  openDatabase,
} from '../../src/store/index.js';
import { BACKENDS, PG_URL, type ScratchDatabase, scratchDatabase } from '../support/backends.js';

describe.each(BACKENDS)('Database contract on %s', (backend) => {
  let scratch: ScratchDatabase;
  let database: Database;

  beforeEach(async () => {
    scratch = await scratchDatabase(backend);
    database = await openDatabase(scratch.url);
  });
  afterEach(async () => {
    await database.close();
    await scratch.drop();
  });

  async function seedRun(): Promise<number> {
    const now = Date.now();
    await database.db
      .insertInto('experiments')
      .values({
        id: newId(),
        name: `e-${newId().toLowerCase()}`,
        description: '',
        tags: '{}',
        lifecycle: 'active',
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute();
    const experiment = await database.db.selectFrom('experiments').select('id').executeTakeFirstOrThrow();
    const { seq } = await database.db
      .insertInto('runs')
      .values({
        id: newId(),
        experiment_id: experiment.id,
        name: 'r',
        status: 'running',
        parent_run_id: null,
        start_time: now,
        end_time: null,
        git_commit: null,
        created_by: 'test',
        updated_at: now,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    return seq;
  }

  it('applies every migration at open, and re-applying is a no-op', async () => {
    expect(await currentMigration(database.db)).toBe(LATEST_MIGRATION);
    expect(await migrateToLatest(database.db)).toEqual([]);
    const again = await openDatabase(scratch.url);
    await again.close();
  });

  it('bulk-inserts metrics in chunks, storing NaN as NULL and keeping ±Infinity and large integers', async () => {
    const runSeq = await seedRun();
    const count = 2_345;
    const keys = Array.from({ length: count }, (_, i) => `k${i % 7}`);
    const steps = Array.from({ length: count }, (_, i) => i);
    const timestamps = Array.from({ length: count }, (_, i) => 1_700_000_000_000 + i);
    const values = Array.from({ length: count }, (_, i) =>
      i === 0 ? null : i === 1 ? Number.POSITIVE_INFINITY : i === 2 ? Number.NEGATIVE_INFINITY : i / 3,
    );
    await database.db
      .transaction()
      .execute((trx) => database.insertMetrics(trx, { runSeq, keys, steps, timestamps, values }));
    const rows = await database.db
      .selectFrom('metrics')
      .selectAll()
      .where('run_seq', '=', runSeq)
      .orderBy('step')
      .execute();
    expect(rows).toHaveLength(count);
    expect(rows[0]!.value).toBeNull();
    expect(rows[1]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(rows[2]!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(rows[count - 1]).toEqual({
      run_seq: runSeq,
      key: `k${(count - 1) % 7}`,
      step: count - 1,
      timestamp: 1_700_000_000_000 + count - 1,
      value: (count - 1) / 3,
    });
    expect(typeof rows[5]!.timestamp).toBe('number');
  });

  it('bulk-inserts inference log rows (odd batch sizes, inside a transaction or not)', async () => {
    const count = 1_234;
    const rows = Array.from({ length: count }, (_, i) => ({
      id: `log-${String(i).padStart(6, '0')}`,
      at: 1_700_000_000_000 + i,
      request_id: `r${Math.floor(i / 3)}`,
      row_index: i % 3,
      deployment: 'churn',
      revision: 2,
      route: i % 10 === 0 ? 'shadow:churn@5' : 'churn@champion',
      model: 'churn',
      model_version: i % 10 === 0 ? 5 : 3,
      shadow: i % 10 === 0 ? 1 : 0,
      features: JSON.stringify({ tenure: i, plan: i % 2 === 0 ? 'pro' : 'basic' }),
      prediction: JSON.stringify({ prediction: String(i % 2), probabilities: [0.25, 0.75] }),
      latency_ms: i / 8,
    }));
    await database.db.transaction().execute((trx) => database.insertInferenceLog(trx, rows.slice(0, 1_000)));
    await database.insertInferenceLog(database.db, rows.slice(1_000));
    const stored = await database.db.selectFrom('inference_log').selectAll().orderBy('id').execute();
    expect(stored.map((row) => ({ ...row, at: Number(row.at) }))).toEqual(rows);
  });

  it('rolls a failed transaction back completely', async () => {
    const runSeq = await seedRun();
    const attempt = database.db.transaction().execute(async (trx) => {
      await database.insertMetrics(trx, { runSeq, keys: ['a'], steps: [0], timestamps: [0], values: [1] });
      throw new Error('abort');
    });
    await expect(attempt).rejects.toThrow('abort');
    expect(await database.db.selectFrom('metrics').selectAll().execute()).toEqual([]);
  });

  it('recognises unique violations and nothing else as such', async () => {
    const runSeq = await seedRun();
    await database.db.insertInto('run_params').values({ run_seq: runSeq, key: 'a', value: '1' }).execute();
    const duplicate = await database.db
      .insertInto('run_params')
      .values({ run_seq: runSeq, key: 'a', value: '2' })
      .execute()
      .catch((e: unknown) => e);
    expect(database.isUniqueViolation(duplicate)).toBe(true);
    const foreign = await database.db
      .insertInto('run_params')
      .values({ run_seq: 999_999, key: 'a', value: '1' })
      .execute()
      .catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(Error);
    expect(database.isUniqueViolation(foreign)).toBe(false);
    expect(database.isUniqueViolation(new Error('other'))).toBe(false);
  });

  it('gives backups a stable snapshot while writers keep going', async () => {
    const runSeq = await seedRun();
    const counts = await database.withSnapshot(async (snapshot) => {
      const before = await snapshot
        .selectFrom('run_params')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await database.db
        .insertInto('run_params')
        .values({ run_seq: runSeq, key: 'written-during-backup', value: 'x' })
        .execute();
      const after = await snapshot
        .selectFrom('run_params')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return [Number(before.n), Number(after.n)];
    });
    expect(counts).toEqual([0, 0]);
    expect(await database.db.selectFrom('run_params').selectAll().execute()).toHaveLength(1);
  });

  it('answers ping while open', async () => {
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it('announces a change only when its transaction commits, and only to its own installation', async () => {
    const messages: string[] = [];
    let connected!: () => void;
    let committed!: () => void;
    const listening = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const arrived = new Promise<void>((resolve) => {
      committed = resolve;
    });
    const subscription = database.listen('deployments', {
      message(payload) {
        messages.push(payload);
        if (payload === 'committed') committed();
      },
      connected: () => connected(),
      disconnected() {},
    });
    if (backend === 'sqlite') {
      // No notifications on SQLite: readers poll, and announcing is a harmless no-op.
      expect(subscription).toBeNull();
      await database.db.transaction().execute((trx) => database.notify(trx, 'deployments', 'x'));
      return;
    }
    const other = await scratchDatabase(backend);
    const elsewhere = await openDatabase(other.url);
    try {
      await listening;
      await expect(
        database.db.transaction().execute(async (trx) => {
          await database.notify(trx, 'deployments', 'rolled back');
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await elsewhere.db.transaction().execute((trx) => elsewhere.notify(trx, 'deployments', 'other schema'));
      await database.db.transaction().execute((trx) => database.notify(trx, 'deployments', 'committed'));
      // Notifications arrive in commit order: anything wrongly sent would have come first.
      await arrived;
      expect(messages).toEqual(['committed']);
    } finally {
      await subscription?.close();
      await elsewhere.close();
      await other.drop();
    }
  });
});

describe.skipIf(PG_URL === undefined)(
  'PostgreSQL installations sharing a database (needs SLIPWAY_TEST_PG_URL)',
  () => {
    it('start while other schemas of the database are created and dropped', async () => {
      // Migrations look up their bookkeeping tables; that lookup must only read this installation's
      // schema, or a concurrent DROP SCHEMA elsewhere makes start-up fail.
      let churning = true;
      const churn = (async () => {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        try {
          for (let i = 0; churning; i++) {
            const schema = `churn_${process.pid}_${i}`;
            await client.query(
              `create schema ${schema}; create table ${schema}.t (a int primary key, b text default 'x')`,
            );
            await client.query(`drop schema ${schema} cascade`);
          }
        } finally {
          await client.end();
        }
      })();
      try {
        for (let i = 0; i < 15; i++) {
          const scratch = await scratchDatabase('postgres');
          try {
            const database = await openDatabase(scratch.url);
            expect(await currentMigration(database.db)).toBe(LATEST_MIGRATION);
            await database.close();
          } finally {
            await scratch.drop();
          }
        }
      } finally {
        churning = false;
        await churn;
      }
    });
  },
);
