/** /api/v1/workers: the queue workers alive now, from their heartbeats in Redis. */
import { z } from 'zod';
import type { Platform } from '../../platform.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const WorkerSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  queues: z.array(z.string()),
  concurrency: z.number().int(),
  running: z.number().int(),
  startedAt: z.number().int(),
  lastSeenAt: z.number().int(),
});

const WorkerListSchema = z.object({
  /** False when this server has no Redis (no queue executor): the list is then empty. */
  queue: z.boolean(),
  items: z.array(WorkerSchema),
});

export function workerRoutes(app: ZodApp, platform: Platform): void {
  app.get(
    '/api/v1/workers',
    {
      schema: {
        tags: ['pipelines'],
        summary: 'Queue workers (`slipway worker`) alive now, with their queues and running jobs',
        response: { 200: WorkerListSchema, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const list = await platform.pipelines.workers();
      return { queue: list.queue, items: list.items.map((w) => ({ ...w, queues: [...w.queues] })) };
    },
  );
}
