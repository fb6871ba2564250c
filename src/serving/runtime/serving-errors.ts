/**
 * The errors a model version's request path raises: a full queue (503 with a Retry-After hint), a
 * request not answered in time (504), and a failed inference (500). They extend the core catalogue's
 * classes so the Fastify error handler maps them like any other SlipwayError.
 */
import { SlipwayError, UnavailableError } from '../../core/errors.js';

/** How messages name the model: 'model version churn@3', or 'the model version' when unlabelled. */
export function modelSubject(label: string | undefined): string {
  return label === undefined ? 'the model version' : `model version ${label}`;
}

/** 503: the batcher's queue bound would be exceeded; the HTTP layer sends `Retry-After`. */
export class QueueFullError extends UnavailableError {
  readonly retryAfterSeconds: number = 1;

  constructor(label: string | undefined, queuedRows: number, limit: number) {
    super(
      `the queue of ${modelSubject(label)} is full (${queuedRows} rows queued, limit ${limit}); retry later`,
      { model: label ?? null, queuedRows, limit, retryAfterSeconds: 1 },
    );
  }
}

/** 504: the request was not answered within the batcher's timeout (queued time included). */
export class InferenceTimeoutError extends SlipwayError {
  constructor(label: string | undefined, timeoutMs: number) {
    super('INFERENCE_TIMEOUT', 504, `${modelSubject(label)} did not answer within ${timeoutMs} ms`, {
      model: label ?? null,
      timeoutMs,
    });
  }
}

/** 500: the runtime threw while running the request (alone, after any batch it was in failed). */
export class InferenceFailedError extends SlipwayError {
  constructor(label: string | undefined, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('INFERENCE_FAILED', 500, `${modelSubject(label)} failed: ${reason}`, {
      model: label ?? null,
      reason,
    });
    this.cause = cause;
  }
}

/** 503: submit after drain() began; the caller retries against the version that replaces it. */
export function unloadingError(label: string | undefined): UnavailableError {
  return new UnavailableError(`${modelSubject(label)} is being unloaded`, { model: label ?? null });
}
