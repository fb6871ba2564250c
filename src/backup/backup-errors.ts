/** The errors a backup or restore raises, with their stable codes (see ERROR_CATALOGUE). */
import { ConflictError, type ErrorDetails, InvalidError, UnprocessableError } from '../core/errors.js';

/** The archive is damaged, truncated, or not a Slipway backup at all. */
export function invalidBackup(message: string, details: ErrorDetails = {}): InvalidError {
  return new InvalidError(message, details, 'BACKUP_INVALID');
}

/** A well-formed backup that this Slipway is too old to restore. */
export function unsupportedBackup(message: string, details: ErrorDetails = {}): UnprocessableError {
  return new UnprocessableError('BACKUP_UNSUPPORTED', message, details);
}

export function targetNotEmpty(message: string, details: ErrorDetails = {}): ConflictError {
  return new ConflictError('RESTORE_TARGET_NOT_EMPTY', message, details);
}
