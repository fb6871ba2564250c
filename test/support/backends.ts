/**
 * The metadata backends every backend-facing suite runs against: SQLite always, PostgreSQL when
 * SLIPWAY_TEST_PG_URL is set. Each PostgreSQL use gets a fresh schema (dropped afterwards), so test
 * files and CI runs never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseUrl } from '../../src/core/config.js';

export type BackendName = 'sqlite' | 'postgres';

export const PG_URL = process.env.SLIPWAY_TEST_PG_URL;
export const REDIS_URL = process.env.SLIPWAY_TEST_REDIS_URL;

/** Backends to run on; PostgreSQL is listed only when SLIPWAY_TEST_PG_URL is set. */
export const BACKENDS: readonly BackendName[] = PG_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

export interface ScratchDatabase {
  readonly url: DatabaseUrl;
  /** The same database as a SLIPWAY_DATABASE_URL value. */
  readonly env: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(backend: BackendName): Promise<ScratchDatabase> {
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-db-'));
    const path = join(dir, 'slipway.db');
    return {
      url: { kind: 'sqlite', path },
      env: `sqlite:${path}`,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (PG_URL === undefined) throw new Error('postgres backend requested without SLIPWAY_TEST_PG_URL');
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const separator = PG_URL.includes('?') ? '&' : '?';
  return {
    url: { kind: 'postgres', url: PG_URL, schema },
    env: `${PG_URL}${separator}schema=${schema}`,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
