/**
 * `manifest.json`, the archive's first entry: what the backup holds, so a reader can check every
 * later entry against it and refuse a truncated archive even when it ends on an entry boundary.
 */
import { z } from 'zod';
import { invalidBackup, unsupportedBackup } from './backup-errors.js';

export const BACKUP_FORMAT = 'slipway-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** Table names are interpolated into entry names and SQL identifiers: keep them plain. */
const TABLE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

const ManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int().positive(),
  createdAt: z.string(),
  slipwayVersion: z.string(),
  migration: z.string().min(1),
  sourceDialect: z.string(),
  tables: z.record(z.string().regex(TABLE_NAME), z.number().int().nonnegative()),
  blobs: z.object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
});

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly formatVersion: number;
  /** ISO time the snapshot was taken. */
  readonly createdAt: string;
  readonly slipwayVersion: string;
  /** The newest migration applied to the source database: restore recreates exactly this schema. */
  readonly migration: string;
  /** 'sqlite' or 'postgres'; informational, a backup restores into either. */
  readonly sourceDialect: string;
  /** Row count of every table, in the order the archive holds (and restore loads) them. */
  readonly tables: Readonly<Record<string, number>>;
  readonly blobs: { readonly count: number; readonly bytes: number };
}

/** Parses and checks the manifest's bytes; throws BACKUP_INVALID or BACKUP_UNSUPPORTED. */
export function parseManifest(bytes: Uint8Array): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw invalidBackup('the archive manifest is not valid JSON');
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== BACKUP_FORMAT) {
    throw invalidBackup(`not a Slipway backup: manifest format is '${String(format)}'`, { format });
  }
  const version = (json as { formatVersion?: unknown }).formatVersion;
  if (typeof version === 'number' && version > BACKUP_FORMAT_VERSION) {
    throw unsupportedBackup(
      `backup format version ${version} is newer than this Slipway reads (${BACKUP_FORMAT_VERSION}); upgrade Slipway`,
      { formatVersion: version, supported: BACKUP_FORMAT_VERSION },
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined ? '' : issue.path.join('.');
    throw invalidBackup(`the archive manifest is malformed at '${path}': ${issue?.message ?? 'invalid'}`, {
      path,
    });
  }
  if (parsed.data.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw invalidBackup(`unknown backup format version ${parsed.data.formatVersion}`);
  }
  return parsed.data as BackupManifest;
}
