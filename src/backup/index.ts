/**
 * Backup and restore of a whole installation (metadata database and artifacts) as one tar archive:
 * taken from a consistent snapshot while the server runs, restored offline into an empty
 * installation on either database dialect and either blob store.
 */
export { type MintedToken, mintAdminToken } from './admin-token.js';
export { type ArchiveEntry, readArchive, verifyArchive } from './archive-reader.js';
export { BACKUP_TABLES, type BackupTable } from './backup-tables.js';
export { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest, parseManifest } from './manifest.js';
export { type RestoreOptions, type RestoreSummary, type RestoreTarget, restoreBackup } from './restore.js';
export {
  type RestoredInstallation,
  type RestoreInstallationOptions,
  restoreInstallation,
} from './restore-installation.js';
export { type BackupOptions, type BackupSource, type OpenedBackup, openBackup } from './write-backup.js';
