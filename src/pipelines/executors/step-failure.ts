/**
 * Why an attempt failed, as the step shows it. Codes: STEP_FAILED (the work threw or exited
 * non-zero), STEP_TIMEOUT, OUTPUT_INVALID, GATE_CLOSED, INPUT_INVALID, WORKER_LOST,
 * QUEUE_UNAVAILABLE (Redis away too long); or the code of a Slipway error a built-in raised
 * (e.g. APPROVAL_REQUIRED).
 */
import { SlipwayError } from '../../core/errors.js';
import type { ErrorInfo } from '../entities.js';

export class StepFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

export function failureOf(error: unknown): ErrorInfo {
  if (error instanceof StepFailure || error instanceof SlipwayError) {
    return { code: error.code, message: error.message };
  }
  return { code: 'STEP_FAILED', message: error instanceof Error ? error.message : String(error) };
}
