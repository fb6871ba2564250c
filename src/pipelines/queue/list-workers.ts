/** The queue workers alive now, from their heartbeat keys (found with SCAN, never KEYS). */
import { Redis } from 'ioredis';
import { redisOptions, type WorkerInfo, workerKeyPattern } from './queue-wire.js';

/** Reads the heartbeats under `prefix` through an open client; sorted by id. */
export async function readWorkers(client: Redis, prefix: string): Promise<WorkerInfo[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', workerKeyPattern(prefix), 'COUNT', 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await client.mget(...[...new Set(keys)]);
  const workers: WorkerInfo[] = [];
  for (const value of values) {
    if (value === null) continue; // Expired between SCAN and MGET.
    try {
      workers.push(JSON.parse(value) as WorkerInfo);
    } catch {
      // Not a heartbeat of ours.
    }
  }
  return workers.sort((a, b) => a.id.localeCompare(b.id));
}

/** Reads the heartbeats with a connection of its own, for an operator command. */
export async function listWorkers(redisUrl: string, prefix = 'slipway'): Promise<WorkerInfo[]> {
  const client = new Redis({ ...redisOptions(redisUrl), maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    return await readWorkers(client, prefix);
  } finally {
    client.disconnect();
  }
}
