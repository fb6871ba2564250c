/**
 * slipway worker: runs queued pipeline steps (the `queue` executor) until SIGINT/SIGTERM; the first
 * signal lets running steps finish, a second abandons them to another worker.
 * slipway workers list: the workers alive now, as the server sees them in Redis.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadServerConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { LineageRecorder } from '../../lineage/index.js';
import { CodeCache, FnPool, QueueWorker, StepFiles } from '../../pipelines/index.js';
import { openPlatform } from '../../platform.js';
import { type CliContext, collectList, parseInteger, UsageError } from '../context.js';
import { formatTime } from '../format.js';
import { untilSignal } from './server.js';

export function registerWorkers(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description(
      'Run queued pipeline steps (executor "queue") from Redis (SLIPWAY_REDIS_URL) until SIGINT/SIGTERM',
    )
    .option('--queues <tags>', 'resource tags whose queues to serve, comma-separated', collectList)
    .option('--concurrency <n>', 'steps run at once per queue (default 1)', parseInteger('--concurrency'))
    .action((options: { queues?: string[]; concurrency?: number }) => runWorker(ctx, options));

  const workers = program.command('workers').description('Queue workers');
  workers
    .command('list')
    .description('Queue workers alive now: queues, concurrency, running steps, last heartbeat')
    .action(async () => {
      const sw = await ctx.client();
      const list = await sw.pipelines.workers();
      ctx.emit(
        list,
        () =>
          list.queue
            ? ctx.table(
                ['ID', 'HOST', 'PID', 'QUEUES', 'CONCURRENCY', 'RUNNING', 'LAST SEEN'],
                list.items.map((w) => [
                  w.id,
                  w.host,
                  String(w.pid),
                  w.queues.join(','),
                  String(w.concurrency),
                  String(w.running),
                  formatTime(new Date(w.lastSeenAt).toISOString()),
                ]),
              )
            : 'the server has no queue executor (start it with SLIPWAY_REDIS_URL set)',
        () => list.items.map((w) => w.id),
      );
    });
}

async function runWorker(
  ctx: CliContext,
  options: { queues?: string[]; concurrency?: number },
): Promise<void> {
  const config = loadServerConfig(ctx.io.env, ctx.io.cwd);
  if (config.redisUrl === undefined) {
    throw new UsageError('slipway worker needs Redis: set SLIPWAY_REDIS_URL to the server’s Redis');
  }
  const concurrency = options.concurrency ?? 1;
  if (concurrency < 1) throw new UsageError(`--concurrency must be at least 1, got ${concurrency}`);
  const queues = options.queues === undefined || options.queues.length === 0 ? ['default'] : options.queues;
  const logger = createLogger(config.logLevel);
  const platform = await openPlatform(config, { logger });
  const root = join(config.home, 'pipelines');
  const worker = new QueueWorker(
    {
      database: platform.database,
      clock: platform.clock,
      work: {
        code: new CodeCache(platform.blobs, join(root, 'code')),
        threads: new FnPool(Math.max(concurrency * queues.length, Math.min(4, availableParallelism()))),
        files: new StepFiles(platform.tracking),
        builtins: { ...platform, lineage: new LineageRecorder(platform.clock) },
        scratchRoot: join(root, 'scratch'),
      },
    },
    {
      redisUrl: config.redisUrl,
      prefix: config.pipelines.queuePrefix,
      queues,
      concurrency,
      lockMs: config.pipelines.queueLockMs,
      logger,
    },
  );
  try {
    await worker.start();
    ctx.print(`worker ${worker.id} ready: queues ${queues.join(',')}, concurrency ${concurrency}`);
    await untilSignal();
    ctx.note('stopping: waiting for running steps (signal again to abandon them to another worker)');
    const stopping = worker.stop();
    const forced = untilSignal().then(() => worker.stop({ force: true }));
    await Promise.race([stopping, forced]);
  } finally {
    await platform.close();
  }
}
