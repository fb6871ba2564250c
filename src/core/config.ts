/**
 * Configuration from the environment, the only place that reads process.env. Every bad value is
 * reported at start-up with the variable's name, what it must be, and what it was.
 */
import { isAbsolute, resolve } from 'node:path';

export type DatabaseUrl =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

export type ArtifactsUrl =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

export interface S3Settings {
  readonly endpoint?: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
}

export interface ServerConfig {
  readonly home: string;
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseUrl;
  readonly artifacts: ArtifactsUrl;
  readonly s3: S3Settings;
  readonly redisUrl?: string;
  readonly maxArtifactBytes: number;
  readonly maxBodyBytes: number;
  readonly logLevel: LogLevel;
  readonly serving: ServingSettings;
  readonly pipelines: PipelineSettings;
}

/** Pipeline engine settings (SLIPWAY_PIPELINE_*). */
export interface PipelineSettings {
  /** Steps running at once on one server, over every run. */
  readonly concurrency: number;
  /** How long a run stays with a server that stopped heartbeating before another takes it over. */
  readonly leaseMs: number;
  /** Queue executor: how long a worker's hold on a job lasts unrenewed before the job counts as stalled. */
  readonly queueLockMs: number;
  /** Queue executor: how long Redis may stay unreachable before a waiting attempt fails. */
  readonly queueOutageMs: number;
  /** Queue executor: the prefix of every Redis key (queues, worker heartbeats, abort channel). */
  readonly queuePrefix: string;
}

/** Inference runtime and log settings (SLIPWAY_INFERENCE_*, SLIPWAY_ONNX_*, SLIPWAY_DEPLOYMENT_POLL_MS). */
export interface ServingSettings {
  /** Sessions per served model version, each on its own thread; undefined: half the cores. */
  readonly onnxSessions: number | undefined;
  /** ONNX Runtime threads per inference run. */
  readonly onnxThreads: number;
  /** Per request, arrival to answer (504 beyond). */
  readonly timeoutMs: number;
  /** Rows queued per model version and batching setting before requests get 503. */
  readonly queueRows: number;
  /** Share of requests written to the inference log. */
  readonly logSample: number;
  /** How often to look for deployment changes made elsewhere when no notification can wake us. */
  readonly deploymentPollMs: number;
  /** Inference log rows (and their labels) older than this are deleted; 0 keeps them forever. */
  readonly logRetentionMs: number;
}

export interface ClientConfig {
  readonly url: string;
  readonly token?: string;
  readonly home: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const DEFAULT_PORT = 7070;
const GIB = 1024 ** 3;

/** Reads the server's configuration; throws ConfigError listing every bad variable at once. */
export function loadServerConfig(env: Env = process.env, cwd = process.cwd()): ServerConfig {
  const problems: string[] = [];
  const home = resolve(cwd, nonEmpty(env.SLIPWAY_HOME) ?? '.slipway');
  const port = parsePort(env.SLIPWAY_PORT, problems);
  const host = nonEmpty(env.SLIPWAY_HOST) ?? '127.0.0.1';
  const database = parseDatabaseUrl(env.SLIPWAY_DATABASE_URL, home, cwd, problems);
  const artifacts = parseArtifactsUrl(env.SLIPWAY_ARTIFACTS_URL, home, cwd, problems);
  const endpoint = nonEmpty(env.SLIPWAY_S3_ENDPOINT);
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    problems.push(`SLIPWAY_S3_ENDPOINT: must be an http(s) URL, got '${endpoint}'`);
  }
  const redisUrl = nonEmpty(env.SLIPWAY_REDIS_URL);
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    problems.push(`SLIPWAY_REDIS_URL: must start with redis:// or rediss://, got '${redisUrl}'`);
  }
  const maxArtifactBytes = parseByteSize(
    'SLIPWAY_MAX_ARTIFACT_BYTES',
    env.SLIPWAY_MAX_ARTIFACT_BYTES,
    5 * GIB,
    problems,
  );
  const maxBodyBytes = parseByteSize(
    'SLIPWAY_MAX_BODY_BYTES',
    env.SLIPWAY_MAX_BODY_BYTES,
    16 * 1024 ** 2,
    problems,
  );
  const logLevel = parseLogLevel(env.SLIPWAY_LOG_LEVEL, problems);
  const serving: ServingSettings = {
    onnxSessions:
      env.SLIPWAY_ONNX_SESSIONS === undefined
        ? undefined
        : parseNumber('SLIPWAY_ONNX_SESSIONS', env.SLIPWAY_ONNX_SESSIONS, 1, [1, 256], true, problems),
    onnxThreads: parseNumber('SLIPWAY_ONNX_THREADS', env.SLIPWAY_ONNX_THREADS, 1, [1, 256], true, problems),
    timeoutMs: parseNumber(
      'SLIPWAY_INFERENCE_TIMEOUT_MS',
      env.SLIPWAY_INFERENCE_TIMEOUT_MS,
      30_000,
      [1, 3_600_000],
      true,
      problems,
    ),
    queueRows: parseNumber(
      'SLIPWAY_INFERENCE_QUEUE_ROWS',
      env.SLIPWAY_INFERENCE_QUEUE_ROWS,
      10_000,
      [1, 10_000_000],
      true,
      problems,
    ),
    logSample: parseNumber(
      'SLIPWAY_INFERENCE_LOG_SAMPLE',
      env.SLIPWAY_INFERENCE_LOG_SAMPLE,
      1,
      [0, 1],
      false,
      problems,
    ),
    deploymentPollMs: parseNumber(
      'SLIPWAY_DEPLOYMENT_POLL_MS',
      env.SLIPWAY_DEPLOYMENT_POLL_MS,
      500,
      [10, 86_400_000],
      true,
      problems,
    ),
    logRetentionMs: parseRetention(env.SLIPWAY_INFERENCE_LOG_RETENTION, problems),
  };
  const pipelines: PipelineSettings = {
    concurrency: parseNumber(
      'SLIPWAY_PIPELINE_CONCURRENCY',
      env.SLIPWAY_PIPELINE_CONCURRENCY,
      32,
      [1, 4096],
      true,
      problems,
    ),
    leaseMs: parseNumber(
      'SLIPWAY_PIPELINE_LEASE_MS',
      env.SLIPWAY_PIPELINE_LEASE_MS,
      15_000,
      [300, 3_600_000],
      true,
      problems,
    ),
    queueLockMs: parseNumber(
      'SLIPWAY_QUEUE_LOCK_MS',
      env.SLIPWAY_QUEUE_LOCK_MS,
      30_000,
      [500, 3_600_000],
      true,
      problems,
    ),
    queueOutageMs: parseNumber(
      'SLIPWAY_QUEUE_OUTAGE_MS',
      env.SLIPWAY_QUEUE_OUTAGE_MS,
      300_000,
      [100, 86_400_000],
      true,
      problems,
    ),
    queuePrefix: parseQueuePrefix(env.SLIPWAY_QUEUE_PREFIX, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    home,
    host,
    port,
    database: database!,
    artifacts: artifacts!,
    s3: {
      ...(endpoint === undefined ? {} : { endpoint }),
      region: nonEmpty(env.SLIPWAY_S3_REGION) ?? nonEmpty(env.AWS_REGION) ?? 'us-east-1',
      // Self-hosted S3-compatible servers rarely have wildcard DNS for virtual-hosted buckets.
      forcePathStyle: endpoint !== undefined,
    },
    ...(redisUrl === undefined ? {} : { redisUrl }),
    maxArtifactBytes,
    maxBodyBytes,
    logLevel,
    serving,
    pipelines,
  };
}

function parseQueuePrefix(raw: string | undefined, problems: string[]): string {
  const text = nonEmpty(raw);
  if (text === undefined) return 'slipway';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) {
    problems.push(`SLIPWAY_QUEUE_PREFIX: must be 1-64 letters, digits, '_' or '-', got '${text}'`);
    return 'slipway';
  }
  return text;
}

const DAY_MS = 86_400_000;
const DURATION_UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: DAY_MS };

/** `30d`, `12h`, `90m`, or `0` (keep forever); default 30 days. */
function parseRetention(raw: string | undefined, problems: string[]): number {
  const text = nonEmpty(raw);
  if (text === undefined) return 30 * DAY_MS;
  if (text === '0') return 0;
  const match = /^(\d+)(m|h|d)$/.exec(text);
  if (match === null || Number(match[1]) === 0) {
    problems.push(
      `SLIPWAY_INFERENCE_LOG_RETENTION: must be a duration such as 30d, 12h or 90m, or 0 to keep rows forever, got '${text}'`,
    );
    return 30 * DAY_MS;
  }
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

function parseNumber(
  name: string,
  raw: string | undefined,
  fallback: number,
  [min, max]: readonly [number, number],
  integer: boolean,
  problems: string[],
): number {
  const text = nonEmpty(raw);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    problems.push(
      `${name}: must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got '${text}'`,
    );
    return fallback;
  }
  return value;
}

/** Reads what the CLI and SDK need to reach a server. */
export function loadClientConfig(env: Env = process.env, cwd = process.cwd()): ClientConfig {
  const problems: string[] = [];
  const home = resolve(cwd, nonEmpty(env.SLIPWAY_HOME) ?? '.slipway');
  const port = parsePort(env.SLIPWAY_PORT, problems);
  const url = nonEmpty(env.SLIPWAY_URL) ?? `http://127.0.0.1:${port === 0 ? DEFAULT_PORT : port}`;
  if (!isHttpUrl(url)) problems.push(`SLIPWAY_URL: must be an http(s) URL, got '${url}'`);
  if (problems.length > 0) throw new ConfigError(problems);
  const token = nonEmpty(env.SLIPWAY_TOKEN);
  return { url: url.replace(/\/+$/, ''), home, ...(token === undefined ? {} : { token }) };
}

export function parseDatabaseUrl(
  raw: string | undefined,
  home: string,
  cwd: string,
  problems: string[],
): DatabaseUrl | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return { kind: 'sqlite', path: resolve(home, 'slipway.db') };
  if (value.startsWith('sqlite:')) {
    const rest = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') {
      problems.push(`SLIPWAY_DATABASE_URL: 'sqlite:' needs a file path, e.g. sqlite:./slipway.db`);
      return undefined;
    }
    return { kind: 'sqlite', path: rest === ':memory:' ? rest : toAbsolute(rest, cwd) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(`SLIPWAY_DATABASE_URL: not a valid PostgreSQL URL: '${redactUrl(value)}'`);
      return undefined;
    }
    const schema = url.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      problems.push(`SLIPWAY_DATABASE_URL: schema must match ^[a-z_][a-z0-9_]{0,62}$, got '${schema}'`);
      return undefined;
    }
    url.searchParams.delete('schema');
    return { kind: 'postgres', url: url.toString(), ...(schema === undefined ? {} : { schema }) };
  }
  problems.push(
    `SLIPWAY_DATABASE_URL: must be sqlite:<path> or postgres://user@host/db, got '${redactUrl(value)}'`,
  );
  return undefined;
}

export function parseArtifactsUrl(
  raw: string | undefined,
  home: string,
  cwd: string,
  problems: string[],
): ArtifactsUrl | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return { kind: 'file', path: resolve(home, 'artifacts') };
  if (value.startsWith('file:')) {
    const rest = value.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (rest === '') {
      problems.push(`SLIPWAY_ARTIFACTS_URL: 'file:' needs a folder, e.g. file:./artifacts`);
      return undefined;
    }
    return { kind: 'file', path: toAbsolute(rest, cwd) };
  }
  if (value.startsWith('s3://')) {
    const [bucket = '', ...rest] = value.slice('s3://'.length).split('/');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      problems.push(`SLIPWAY_ARTIFACTS_URL: '${bucket}' is not a valid S3 bucket name (3-63 of a-z 0-9 . -)`);
      return undefined;
    }
    const prefix = rest.filter((part) => part !== '').join('/');
    return { kind: 's3', bucket, prefix };
  }
  problems.push(`SLIPWAY_ARTIFACTS_URL: must be file:<folder> or s3://bucket/prefix, got '${value}'`);
  return undefined;
}

function parsePort(raw: string | undefined, problems: string[]): number {
  const value = nonEmpty(raw);
  if (value === undefined) return DEFAULT_PORT;
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`SLIPWAY_PORT: must be an integer from 0 to 65535, got '${value}'`);
    return DEFAULT_PORT;
  }
  return port;
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Accepts `1048576`, `512MiB`, `5GB`. */
export function parseByteSize(
  name: string,
  raw: string | undefined,
  fallback: number,
  problems: string[],
): number {
  const value = nonEmpty(raw);
  if (value === undefined) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    problems.push(`${name}: must be a positive size such as 1048576, 512MiB or 5GB, got '${value}'`);
    return fallback;
  }
  return Math.floor(Number(match[1]) * unit);
}

function parseLogLevel(raw: string | undefined, problems: string[]): LogLevel {
  const value = nonEmpty(raw)?.toLowerCase();
  if (value === undefined) return 'info';
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  problems.push(`SLIPWAY_LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return 'info';
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function toAbsolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Hides a password in a URL so it can appear in messages and logs. */
export function redactUrl(value: string): string {
  return value.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
