/** /healthz (the process is up) and /readyz (the database and the artifact store answer). */
import type { Platform } from '../../platform.js';
import type { ZodApp } from '../zod-app.js';

export function healthRoutes(app: ZodApp, { database, blobs }: Platform, isClosing: () => boolean): void {
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    const probe = async (name: string, check: () => Promise<void>) => {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = error instanceof Error ? error.message : String(error);
      }
    };
    await Promise.all([probe('database', () => database.ping()), probe('artifacts', () => blobs.check())]);
    if (isClosing()) checks.server = 'shutting down';
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
}
