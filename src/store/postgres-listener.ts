/**
 * LISTEN on one PostgreSQL channel over a connection of its own: a pooled connection goes back to the
 * pool after each query and would lose the subscription. A lost connection is reopened with backoff;
 * every (re)connect is reported once LISTEN is in place, so the caller reads afresh then (whatever
 * was announced while nobody listened is gone).
 */
import pg from 'pg';
import type { ChangeHandlers, ChangeSubscription } from './database.js';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export function listenOnChannel(url: string, channel: string, handlers: ChangeHandlers): ChangeSubscription {
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;
  // Whether the current outage was reported (a failed first connect counts as one).
  let outageReported = false;

  const connect = async (): Promise<void> => {
    timer = undefined;
    const current = new pg.Client({ connectionString: url, keepAlive: true });
    client = current;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed || closed) return;
      failed = true;
      client = undefined;
      current.removeAllListeners('notification');
      void current.end().catch(() => {});
      if (!outageReported) {
        outageReported = true;
        handlers.disconnected(error);
      }
      timer = setTimeout(() => void connect(), retryMs);
      timer.unref();
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
    current.on('error', fail);
    current.on('end', () => fail(new Error('the listening connection ended')));
    current.on('notification', (message) => {
      if (message.channel === channel) handlers.message(message.payload ?? '');
    });
    try {
      await current.connect();
      await current.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      fail(error);
      return;
    }
    if (failed || closed) return;
    retryMs = FIRST_RETRY_MS;
    outageReported = false;
    handlers.connected();
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
