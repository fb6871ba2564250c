/**
 * A large push streams: a 256 MiB CSV generated on the fly goes through the SDK and the server (in
 * this process) without the JavaScript heap growing with it. DuckDB's own memory is native and
 * bounded by its settings, so the measure is V8's heap plus array buffers, sampled throughout.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const MiB = 1024 * 1024;

// A volume test needs one metadata backend only: the bytes never touch the database.
describe('a 256 MiB CSV push (sqlite metadata, folder artifacts)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams the body to disk with bounded JavaScript memory and profiles it', async () => {
    const total = 256 * MiB;
    const hash = createHash('sha256');
    const padding = 'x'.repeat(180);
    let rows = 0;
    let bytes = 0;
    const used = () => {
      const memory = process.memoryUsage();
      return memory.heapUsed + memory.arrayBuffers;
    };
    global.gc?.();
    const before = used();
    let peak = before;
    const sample = () => {
      peak = Math.max(peak, used());
    };
    async function* generate(): AsyncGenerator<Buffer> {
      const header = Buffer.from('id,amount,label,note\n');
      hash.update(header);
      bytes += header.length;
      yield header;
      while (bytes < total) {
        const lines: string[] = [];
        for (let i = 0; i < 4096; i++, rows++) {
          lines.push(`${rows},${(rows % 1000) / 4},k${rows % 17},${padding}${rows}`);
        }
        const chunk = Buffer.from(`${lines.join('\n')}\n`);
        hash.update(chunk);
        bytes += chunk.length;
        sample();
        yield chunk;
      }
    }
    const timer = setInterval(sample, 20);
    let version: Awaited<ReturnType<typeof t.sw.datasets.push>>;
    try {
      version = await t.sw.datasets.push('large', Readable.from(generate()), { format: 'csv' });
    } finally {
      clearInterval(timer);
    }
    sample();
    expect(version).toMatchObject({ dataset: 'large', version: 1, rowCount: rows, sourceSize: bytes });
    expect(version.sourceDigest).toBe(hash.digest('hex'));
    expect(peak - before).toBeLessThan(128 * MiB);
    const profile = await t.sw.datasets.profile('large@1');
    expect(profile.columns.find((c) => c.name === 'label')!.top).toHaveLength(10);
    expect(profile.columns.find((c) => c.name === 'amount')!.numeric).toMatchObject({ min: 0, max: 249.75 });
    expect(await readdir(join(t.home, 'tmp', 'data'))).toEqual([]);
  }, 600_000);
});
