/**
 * Inference log retention on a real server (SQLite, and PostgreSQL when configured): rows older than
 * SLIPWAY_INFERENCE_LOG_RETENTION go, with their labels; newer rows and their labels stay and still
 * feed monitors and live metrics. Old rows are written as the log writer writes them, dated back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const HOUR = 3_600_000;

describe.each(BACKENDS)('inference log retention on %s', (backend) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer(backend, { env: { SLIPWAY_INFERENCE_LOG_RETENTION: '2h' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('deletes rows older than the retention and their labels, and keeps the rest', async () => {
    const { db } = t.server.platform.database;
    const now = Date.now();
    const ages = [5 * HOUR, 3 * HOUR, HOUR, 60_000];
    for (const [i, age] of ages.entries()) {
      const at = now - age;
      await db
        .insertInto('inference_log')
        .values({
          id: newId(at),
          at,
          request_id: `r${i}`,
          row_index: 0,
          deployment: 'churn',
          revision: 1,
          route: 'churn@1',
          model: 'churn',
          model_version: 1,
          shadow: 0,
          features: JSON.stringify({ x: i }),
          prediction: JSON.stringify({ prediction: '1' }),
          latency_ms: 1,
        })
        .execute();
      await db
        .insertInto('inference_labels')
        .values({
          id: newId(at),
          deployment: 'churn',
          request_id: `r${i}`,
          row_index: 0,
          label: JSON.stringify('1'),
          key: null,
          key_value: null,
          predicted_at: at,
          received_at: now,
          received_by: 'test',
          feedback_request_id: 'test',
          late: 0,
        })
        .execute();
    }
    expect(await t.server.platform.monitoring.retention.sweep()).toBe(2);
    const rows = await db.selectFrom('inference_log').select('request_id').orderBy('at').execute();
    expect(rows.map((r) => r.request_id)).toEqual(['r2', 'r3']);
    const labels = await db
      .selectFrom('inference_labels')
      .select('request_id')
      .orderBy('predicted_at')
      .execute();
    expect(labels.map((r) => r.request_id)).toEqual(['r2', 'r3']);
    expect(await t.server.platform.monitoring.retention.sweep()).toBe(0);
  });
});
