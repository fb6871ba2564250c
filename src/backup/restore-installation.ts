/**
 * `slipway restore` as a function: restores a backup file into the installation the server
 * configuration describes (same SLIPWAY_* variables as the server), offline.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openBlobStore } from '../artifacts/index.js';
import { AuditLog, TokenService } from '../auth/index.js';
import { systemClock } from '../core/clock.js';
import type { ServerConfig } from '../core/config.js';
import { InvalidError } from '../core/errors.js';
import { openDatabase } from '../store/index.js';
import { type MintedToken, mintAdminToken } from './admin-token.js';
import { type RestoreOptions, type RestoreSummary, restoreBackup } from './restore.js';

export interface RestoreInstallationOptions extends RestoreOptions {
  /** Also create a new admin token and write it to `<home>/admin.token`. */
  readonly newAdminToken?: boolean;
}

export interface RestoredInstallation extends RestoreSummary {
  readonly adminToken?: MintedToken;
}

export async function restoreInstallation(
  config: ServerConfig,
  file: string,
  options: RestoreInstallationOptions = {},
): Promise<RestoredInstallation> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw new InvalidError(`backup file '${file}' does not exist or is not a file`, { file });
  }
  const database = await openDatabase(config.database, { migrate: false });
  try {
    const blobs = await openBlobStore(config.artifacts, { s3: config.s3, home: config.home });
    try {
      const summary = await restoreBackup(
        createReadStream(file),
        { database, blobs, workDir: join(config.home, 'tmp') },
        options,
      );
      if (options.newAdminToken !== true) return summary;
      const tokens = new TokenService(database, new AuditLog(database, systemClock), systemClock);
      return { ...summary, adminToken: await mintAdminToken(tokens, config.home) };
    } finally {
      await blobs.close();
    }
  } finally {
    await database.close();
  }
}
