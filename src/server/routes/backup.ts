/** GET /api/v1/backup (admin): the whole installation as a tar archive, from a consistent snapshot. */
import { openBackup } from '../../backup/index.js';
import type { Platform } from '../../platform.js';
import type { ZodApp } from '../zod-app.js';

export function backupRoutes(app: ZodApp, { database, blobs, clock }: Platform): void {
  app.get(
    '/api/v1/backup',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Download a backup (admin): database and artifacts as one tar archive',
        description:
          'Streams application/x-tar: manifest.json, blobs/sha256/<digest>, tables/<table>/<n>.jsonl. ' +
          'Consistent while the server keeps running. Restore it with `slipway restore <file>`.',
      },
    },
    async (request, reply) => {
      const backup = await openBackup({ database, blobs, clock });
      const { tables, blobs: blobTotals, createdAt } = backup.manifest;
      request.log.info(
        { reqId: request.id, actor: request.actor?.name, tables, blobs: blobTotals },
        'backup started',
      );
      backup.done.then(
        () => request.log.info({ reqId: request.id, tables, blobs: blobTotals }, 'backup sent'),
        (error: unknown) => request.log.warn({ reqId: request.id, err: error }, 'backup failed'),
      );
      const stamp = createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
      return reply
        .header('content-type', 'application/x-tar')
        .header('content-disposition', `attachment; filename="slipway-backup-${stamp}.tar"`)
        .send(backup.stream);
    },
  );
}
