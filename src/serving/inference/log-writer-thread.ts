/**
 * The thread that writes the inference log: it makes the rows (row form, JSON, ids) and runs the
 * inserts and commits over a database connection of its own, so none of that, nor SQLite's fsync on
 * commit, takes time from the event loop that answers requests. Started by ThreadLogWriter.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DatabaseUrl } from '../../core/config.js';
import { openDatabase } from '../../store/index.js';
import { logRecords } from './log-records.js';
import type { FromLogThread, ToLogThread } from './log-writer.js';

const port = parentPort!;
const post = (message: FromLogThread) => port.postMessage(message);
const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

try {
  // The server that started this thread has migrated the schema already.
  const database = await openDatabase(workerData as DatabaseUrl, { migrate: false });
  port.on('message', (message: ToLogThread) => {
    if (message.kind === 'close') {
      port.removeAllListeners('message');
      void database.close().finally(() => port.close());
      return;
    }
    database.insertInferenceLog(database.db, logRecords(message.entries)).then(
      () => post({ kind: 'written', id: message.id }),
      (error: unknown) => post({ kind: 'failed', id: message.id, error: errorMessage(error) }),
    );
  });
  post({ kind: 'ready' });
} catch (error) {
  post({ kind: 'failed', id: 0, error: errorMessage(error) });
  port.close();
}
