/**
 * The one error hierarchy. Every failure a caller can cause or observe is a SlipwayError with a
 * stable `code` (documented in ERROR_CATALOGUE), an HTTP status, a message naming the field or value
 * at fault, and structured `details`. The server maps these to HTTP in one place; the SDK rebuilds
 * them from responses, so `instanceof NotFoundError` works on both sides of the wire.
 */

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class SlipwayError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: string, status: number, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
  }

  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** 400: the request itself is malformed or a field has a bad value. */
export class InvalidError extends SlipwayError {
  constructor(message: string, details: ErrorDetails = {}, code = 'INVALID_ARGUMENT') {
    super(code, 400, message, details);
  }
}

/** 401: no token, or a token the server does not know. */
export class UnauthorizedError extends SlipwayError {
  constructor(message = 'missing or unknown bearer token', details: ErrorDetails = {}) {
    super('UNAUTHENTICATED', 401, message, details);
  }
}

/** 403: the token is valid but its role is too low. */
export class ForbiddenError extends SlipwayError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('PERMISSION_DENIED', 403, message, details);
  }
}

/** 404: a named resource does not exist. `code` is specific, e.g. RUN_NOT_FOUND. */
export class NotFoundError extends SlipwayError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, 404, message, details);
  }
}

/** 409: a duplicate, an immutable value, or a lost compare-and-set race. */
export class ConflictError extends SlipwayError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, 409, message, details);
  }
}

/** 413: a body or artifact over the configured limit. */
export class TooLargeError extends SlipwayError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('PAYLOAD_TOO_LARGE', 413, message, details);
  }
}

/** 422: valid input that breaks a domain rule (e.g. a run in a deleted experiment). */
export class UnprocessableError extends SlipwayError {
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(code, 422, message, details);
  }
}

/** 503: a backend is down or the server is shutting down; safe to retry. */
export class UnavailableError extends SlipwayError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('UNAVAILABLE', 503, message, details);
  }
}

/** 500: stored data failed its integrity check. Never a user mistake; the operator must act. */
export class IntegrityError extends SlipwayError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('BLOB_CORRUPT', 500, message, details);
  }
}

/** Every stable error code with its status and meaning; the README's catalogue is generated from it. */
export const ERROR_CATALOGUE: Readonly<Record<string, { status: number; meaning: string }>> = {
  INVALID_ARGUMENT: { status: 400, meaning: 'a field is missing, of the wrong type, or out of range' },
  INVALID_JSON: { status: 400, meaning: 'the body is not valid JSON' },
  INVALID_FILTER: { status: 400, meaning: 'a run search filter or order-by does not parse' },
  INVALID_PAGE_TOKEN: { status: 400, meaning: 'a pageToken that this server did not issue for this query' },
  INVALID_ARTIFACT_PATH: {
    status: 400,
    meaning: 'an artifact path that is empty, absolute or escapes the run',
  },
  DIGEST_MISMATCH: { status: 400, meaning: 'uploaded bytes do not match the digest the client declared' },
  BACKUP_INVALID: {
    status: 400,
    meaning: 'a backup archive that is damaged, truncated or not a Slipway backup',
  },
  INVALID_REFERENCE: {
    status: 400,
    meaning: "a model or dataset reference that is not 'name@version' or 'name@alias'",
  },
  DATA_UNREADABLE: {
    status: 400,
    meaning: 'a dataset file that is empty, ragged, has duplicate columns or does not parse as its format',
  },
  INVALID_SUITE: {
    status: 400,
    meaning: 'a validation suite that does not parse or names an unknown expectation',
  },
  INVALID_MODEL: {
    status: 400,
    meaning: 'a model file that is not a valid model of its format (e.g. corrupt ONNX)',
  },
  INVALID_TRAINING_DATA: {
    status: 400,
    meaning:
      'training data AutoML cannot learn from: unknown or one-class target, all-null column, too few rows',
  },
  UNAUTHENTICATED: { status: 401, meaning: 'no bearer token, or an unknown, revoked or expired one' },
  PERMISSION_DENIED: { status: 403, meaning: "the token's role is too low for this operation" },
  ROUTE_NOT_FOUND: { status: 404, meaning: 'no such endpoint' },
  EXPERIMENT_NOT_FOUND: { status: 404, meaning: 'no experiment with that id or name' },
  RUN_NOT_FOUND: { status: 404, meaning: 'no run with that id' },
  METRIC_NOT_FOUND: { status: 404, meaning: 'the run has no metric with that key' },
  ARTIFACT_NOT_FOUND: { status: 404, meaning: 'the run has no artifact at that path' },
  BLOB_NOT_FOUND: { status: 404, meaning: 'no blob with that digest in the artifact store' },
  TOKEN_NOT_FOUND: { status: 404, meaning: 'no token with that id or name' },
  DATASET_NOT_FOUND: { status: 404, meaning: 'no dataset with that name' },
  DATASET_VERSION_NOT_FOUND: { status: 404, meaning: 'the dataset has no such version' },
  VALIDATION_REPORT_NOT_FOUND: {
    status: 404,
    meaning: 'no validation report with that id for the dataset version',
  },
  MODEL_NOT_FOUND: { status: 404, meaning: 'no model with that name' },
  MODEL_VERSION_NOT_FOUND: { status: 404, meaning: 'the model has no such version' },
  ALIAS_NOT_FOUND: { status: 404, meaning: 'the model has no alias with that name' },
  LINEAGE_NODE_NOT_FOUND: { status: 404, meaning: 'the lineage node names nothing that exists' },
  AUTOML_JOB_NOT_FOUND: { status: 404, meaning: 'no AutoML job with that id' },
  DEPLOYMENT_NOT_FOUND: { status: 404, meaning: 'no deployment with that name' },
  DEPLOYMENT_REVISION_NOT_FOUND: { status: 404, meaning: 'the deployment has no such revision' },
  PIPELINE_NOT_FOUND: { status: 404, meaning: 'no pipeline with that name' },
  PIPELINE_VERSION_NOT_FOUND: { status: 404, meaning: 'the pipeline has no such version' },
  PIPELINE_RUN_NOT_FOUND: { status: 404, meaning: 'no pipeline run with that id' },
  STEP_NOT_FOUND: { status: 404, meaning: 'the pipeline (or its run) has no step with that name' },
  MONITOR_NOT_FOUND: { status: 404, meaning: 'no monitor with that name' },
  MONITOR_REPORT_NOT_FOUND: { status: 404, meaning: 'the monitor has no such report (or none yet)' },
  POLICY_NOT_FOUND: { status: 404, meaning: 'the deployment has no champion/challenger policy' },
  EXPERIMENT_EXISTS: { status: 409, meaning: 'an experiment (perhaps deleted) already has that name' },
  TOKEN_EXISTS: { status: 409, meaning: 'a token already has that name' },
  MODEL_EXISTS: { status: 409, meaning: 'a model (perhaps deleted) already has that name' },
  ALIAS_CONFLICT: {
    status: 409,
    meaning: 'the alias no longer points where expectedVersion said; details give where it points now',
  },
  APPROVAL_REQUIRED: {
    status: 409,
    meaning: "the model's policy protects this alias and the version is not approved",
  },
  DEPLOYMENT_EXISTS: { status: 409, meaning: 'a deployment already has that name; change it with PATCH' },
  MONITOR_EXISTS: { status: 409, meaning: 'a monitor already has that name; change it with PATCH' },
  DEPLOYMENT_REVISION_CONFLICT: {
    status: 409,
    meaning: 'the deployment is no longer at expectedRevision; details give its current revision',
  },
  ALIAS_IN_USE: { status: 409, meaning: 'a deployment routes to the alias, so it cannot be deleted' },
  NO_PREVIOUS_VERSION: { status: 409, meaning: 'the alias has no earlier version to roll back to' },
  PARAM_IMMUTABLE: { status: 409, meaning: 'a param already has a different value; params never change' },
  LAST_ADMIN_TOKEN: { status: 409, meaning: 'revoking the last live admin token would lock everyone out' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, meaning: 'an Idempotency-Key was reused with a different request' },
  RESTORE_TARGET_NOT_EMPTY: {
    status: 409,
    meaning: 'restore needs an empty database; the configured one already holds data',
  },
  PIPELINE_RUN_ACTIVE: {
    status: 409,
    meaning: 'the pipeline run is still queued or running; cancel it or wait for it to finish',
  },
  VALIDATION_FAILED: {
    status: 422,
    meaning: 'a dataset version failed expectations a pipeline step required (the details list them)',
  },
  EXPERIMENT_DELETED: { status: 422, meaning: 'the experiment is deleted; restore it first' },
  MONITOR_NO_REFERENCE: {
    status: 422,
    meaning:
      'the monitor has no reference: the model version has no training dataset in its lineage; give one',
  },
  MONITOR_WINDOW_EMPTY: { status: 422, meaning: "the monitor's window holds no logged predictions yet" },
  MONITOR_NO_FEATURES: {
    status: 422,
    meaning:
      'no feature of the window can be compared with the reference (none shared, or none of a testable type)',
  },
  MODEL_NOT_SERVABLE: {
    status: 422,
    meaning:
      'a model version cannot be loaded and warmed for serving (corrupt file, not ONNX, fails its warm-up run)',
  },
  MODEL_DELETED: { status: 422, meaning: 'the model is deleted; restore it first' },
  BACKUP_UNSUPPORTED: {
    status: 422,
    meaning: 'a backup from a newer Slipway (format or migration this version does not know)',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the body or artifact is over the configured limit' },
  HEADERS_TOO_LARGE: { status: 431, meaning: 'the request line and headers are over the HTTP server limit' },
  REQUEST_TIMEOUT: { status: 408, meaning: 'the request did not arrive completely in time' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'the Content-Type is not accepted by this endpoint' },
  UNAVAILABLE: { status: 503, meaning: 'a backend is unreachable or the server is stopping; retry later' },
  INFERENCE_FAILED: { status: 500, meaning: "the model threw at run time; the message is the runtime's" },
  INFERENCE_TIMEOUT: { status: 504, meaning: 'the model did not answer within the request timeout' },
  BLOB_CORRUPT: { status: 500, meaning: 'a stored blob no longer matches its digest (storage fault)' },
  INTERNAL: { status: 500, meaning: 'a bug; the message and request id help report it' },
};

/** Rebuilds the right subclass from a wire error, so SDK callers can use instanceof. */
export function errorFromWire(
  status: number,
  code: string,
  message: string,
  details: ErrorDetails = {},
): SlipwayError {
  switch (status) {
    case 400:
      return new InvalidError(message, details, code);
    case 401:
      return new UnauthorizedError(message, details);
    case 403:
      return new ForbiddenError(message, details);
    case 404:
      return new NotFoundError(code, message, details);
    case 409:
      return new ConflictError(code, message, details);
    case 413:
      return new TooLargeError(message, details);
    case 422:
      return new UnprocessableError(code, message, details);
    case 503:
      return new UnavailableError(message, details);
    default:
      return code === 'BLOB_CORRUPT'
        ? new IntegrityError(message, details)
        : new SlipwayError(code, status, message, details);
  }
}
