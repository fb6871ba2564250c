/**
 * A dataset that breaks its expectations fails the `dataset.validate` step. 422: the request was
 * well formed, the data broke a rule. VALIDATION_FAILED is not in core/errors.ts's catalogue yet.
 */
import { type ErrorDetails, UnprocessableError } from '../../core/errors.js';

export class ValidationFailedError extends UnprocessableError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('VALIDATION_FAILED', message, details);
  }
}
