/** GroupCommit on every backend: writes that arrive together share a transaction, yet fail alone. */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, type Tx } from '../../src/store/index.js';
import { GroupCommit } from '../../src/tracking/group-commit.js';
import { BACKENDS, type ScratchDatabase, scratchDatabase } from '../support/backends.js';

describe.each(BACKENDS)('group commit on %s', (backend) => {
  let scratch: ScratchDatabase;
  let database: Database;
  beforeAll(async () => {
    scratch = await scratchDatabase(backend);
    database = await openDatabase(scratch.url);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  const addExperiment = (trx: Tx, name: string) =>
    trx
      .insertInto('experiments')
      .values({
        id: name,
        name,
        description: '',
        tags: '{}',
        lifecycle: 'active',
        created_at: 0,
        updated_at: 0,
      })
      .execute();
  const stored = async (names: readonly string[]) =>
    (await database.db.selectFrom('experiments').select('name').where('name', 'in', names).execute())
      .map((row) => row.name)
      .sort();

  it('runs jobs submitted together in one transaction and resolves each with its own result', async () => {
    const group = new GroupCommit(database.db, 100);
    const transactions: Tx[] = [];
    const results = await Promise.all(
      ['a1', 'a2', 'a3'].map((name) =>
        group.run(1, async (trx) => {
          transactions.push(trx);
          await addExperiment(trx, name);
          return name.toUpperCase();
        }),
      ),
    );
    expect(results).toEqual(['A1', 'A2', 'A3']);
    expect(new Set(transactions).size).toBe(1);
    expect(await stored(['a1', 'a2', 'a3'])).toEqual(['a1', 'a2', 'a3']);
  });

  it('rolls back only the failing job, which rejects with its own error', async () => {
    const group = new GroupCommit(database.db, 100);
    const failure = new Error('job b2 failed after writing');
    const outcomes = await Promise.allSettled([
      group.run(1, (trx) => addExperiment(trx, 'b1')),
      group.run(1, async (trx) => {
        await addExperiment(trx, 'b2');
        throw failure;
      }),
      group.run(1, (trx) => addExperiment(trx, 'b3')),
      // A database error inside a job (duplicate name) is contained the same way.
      group.run(1, (trx) => addExperiment(trx, 'b1')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBe(failure);
    expect(database.isUniqueViolation((outcomes[3] as PromiseRejectedResult).reason)).toBe(true);
    expect(await stored(['b1', 'b2', 'b3'])).toEqual(['b1', 'b3']);
  });

  it('starts a new transaction when a group would exceed its weight', async () => {
    const group = new GroupCommit(database.db, 5);
    const transactions: Tx[] = [];
    await Promise.all(
      ['c1', 'c2', 'c3'].map((name) =>
        group.run(3, async (trx) => {
          transactions.push(trx);
          await addExperiment(trx, name);
        }),
      ),
    );
    expect(new Set(transactions).size).toBe(3);
    expect(await stored(['c1', 'c2', 'c3'])).toEqual(['c1', 'c2', 'c3']);
  });

  it('fails every job and stores nothing when the transaction itself fails', async () => {
    const group = new GroupCommit(database.db, 100);
    const outcomes = await Promise.allSettled([
      group.run(1, (trx) => addExperiment(trx, 'd1')),
      group.run(1, async (trx) => {
        await addExperiment(trx, 'd2');
        // Leaves no savepoint to roll back to: the group's transaction cannot continue.
        await sql`release savepoint group_commit_job`.execute(trx);
        throw new Error('broke the transaction');
      }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await stored(['d1', 'd2'])).toEqual([]);
    // The next group works normally.
    await group.run(1, (trx) => addExperiment(trx, 'd3'));
    expect(await stored(['d3'])).toEqual(['d3']);
  });
});
