/**
 * SDK backups (admin). A download lands in a temp file beside the destination while every entry is
 * checked against the archive's manifest, and takes the final name only complete and verified: a
 * failed or cut-off download never leaves a backup file that looks usable.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
// The archive reader needs no database: importing it directly keeps the store out of the SDK.
import { verifyArchive } from '../backup/archive-reader.js';
import type { BackupManifest } from '../backup/manifest.js';
import { SlipwayError, UnavailableError } from '../core/errors.js';
import type { HttpClient } from './http-client.js';

export interface DownloadedBackup {
  /** The file written. */
  readonly file: string;
  /** Size of the archive in bytes. */
  readonly bytes: number;
  readonly manifest: BackupManifest;
}

export class BackupApi {
  constructor(private readonly http: HttpClient) {}

  /** The raw archive stream (not verified). Prefer download(). */
  async open(): Promise<Readable> {
    const response = await this.http.raw('GET', '/api/v1/backup', {
      headers: { accept: 'application/x-tar' },
    });
    return response.body as unknown as Readable;
  }

  /** Streams a consistent backup of the server into `file`, atomically and verified. */
  async download(file: string): Promise<DownloadedBackup> {
    const body = await this.open();
    const temp = join(dirname(file), `.${basename(file)}.${randomUUID()}.part`);
    const handle = await open(temp, 'wx', 0o600);
    let bytes = 0;
    async function* saving(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        const data = chunk as Buffer;
        bytes += data.byteLength;
        await handle.write(data);
        yield data;
      }
    }
    try {
      const manifest = await verifyArchive(saving()).catch((error: unknown) => {
        if (error instanceof SlipwayError) throw error;
        throw new UnavailableError(
          `the backup download broke off (${error instanceof Error ? error.message : String(error)}); the server's log says why`,
        );
      });
      await handle.sync();
      await handle.close();
      await rename(temp, file);
      return { file, bytes, manifest };
    } catch (error) {
      body.destroy();
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
  }
}
