/**
 * Live figures per deployment route for `deployments status`: requests, errors and latency
 * percentiles over the last minutes, as this server saw them. Time is cut into 10-second buckets kept
 * in a ring; latencies go into log-spaced bins (10 % apart), so a percentile is exact to one bin.
 */

const BUCKET_MS = 10_000;
const BUCKETS = 36; // six minutes
const MIN_MS = 0.05;
const GROWTH = Math.log(1.1);
const BINS = 160; // up to about 0.05 ms * 1.1^160 = 200 s

interface Bucket {
  start: number;
  requests: number;
  errors: number;
  invalid: number;
  latency: Uint32Array;
}

export interface RouteFigures {
  readonly requests: number;
  /** Server-side failures (5xx): the model threw, timed out, or was overloaded. */
  readonly errors: number;
  /** Requests refused as invalid (4xx). */
  readonly invalid: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export class RouteStats {
  private readonly rings = new Map<string, Bucket[]>();

  record(
    deployment: string,
    route: string,
    latencyMs: number,
    kind: 'ok' | 'error' | 'invalid',
    now = Date.now(),
  ): void {
    const bucket = this.bucketAt(`${deployment}\u0000${route}`, now);
    bucket.requests++;
    if (kind === 'error') bucket.errors++;
    else if (kind === 'invalid') bucket.invalid++;
    else bucket.latency[binOf(latencyMs)]!++;
  }

  /** Figures of the last `windowMs` (whole buckets) for one route of a deployment. */
  figures(deployment: string, route: string, windowMs: number, now = Date.now()): RouteFigures {
    const ring = this.rings.get(`${deployment}\u0000${route}`) ?? [];
    const since = Math.floor(now / BUCKET_MS) * BUCKET_MS - windowMs + BUCKET_MS;
    const latency = new Uint32Array(BINS);
    let requests = 0;
    let errors = 0;
    let invalid = 0;
    for (const bucket of ring) {
      if (bucket === undefined || bucket.start < since) continue;
      requests += bucket.requests;
      errors += bucket.errors;
      invalid += bucket.invalid;
      for (let b = 0; b < BINS; b++) latency[b]! += bucket.latency[b]!;
    }
    return { requests, errors, invalid, p50Ms: percentile(latency, 0.5), p99Ms: percentile(latency, 0.99) };
  }

  private bucketAt(key: string, now: number): Bucket {
    let ring = this.rings.get(key);
    if (ring === undefined) {
      ring = [];
      this.rings.set(key, ring);
    }
    const start = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const slot = Math.floor(now / BUCKET_MS) % BUCKETS;
    let bucket = ring[slot];
    if (bucket === undefined || bucket.start !== start) {
      bucket = { start, requests: 0, errors: 0, invalid: 0, latency: new Uint32Array(BINS) };
      ring[slot] = bucket;
    }
    return bucket;
  }
}

export const MAX_WINDOW_MS = (BUCKETS - 1) * BUCKET_MS;

function binOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BINS - 1, Math.ceil(Math.log(ms / MIN_MS) / GROWTH));
}

/** The upper edge of the bin holding the q-quantile, in ms; null without data. */
function percentile(bins: Uint32Array, q: number): number | null {
  let total = 0;
  for (const count of bins) total += count;
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let b = 0; b < BINS; b++) {
    seen += bins[b]!;
    if (seen >= rank) return MIN_MS * Math.exp(b * GROWTH);
  }
  return null;
}
