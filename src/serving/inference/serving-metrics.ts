/**
 * Prometheus metrics of inference, per deployment and model version: requests by outcome, latency,
 * batch sizes, queue depth, shadow traffic and disagreements, and inference-log entries dropped.
 * They live in their own registry, which the server's /metrics merges with its HTTP metrics.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Outcome = 'ok' | 'invalid' | 'failed' | 'timeout' | 'overloaded' | 'error';

export class ServingMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'deployment' | 'model_version' | 'outcome'>;
  private readonly latency: Histogram<'deployment' | 'model_version'>;
  private readonly batches: Histogram<'model_version'>;
  private readonly shadows: Counter<'deployment' | 'event'>;
  private readonly dropped: Counter;

  /** `queueRows` lists every loaded version's queued rows when metrics are scraped. */
  constructor(queueRows: () => Iterable<readonly [version: string, rows: number]>) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'slipway_inference_requests_total',
      help: 'Inference requests by deployment, model version and outcome (ok, invalid, failed, timeout, overloaded, error)',
      labelNames: ['deployment', 'model_version', 'outcome'] as const,
      registers,
    });
    this.latency = new Histogram({
      name: 'slipway_inference_duration_seconds',
      help: 'Inference latency from arrival to answer, by deployment and model version',
      labelNames: ['deployment', 'model_version'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.batches = new Histogram({
      name: 'slipway_inference_batch_rows',
      help: 'Rows per inference run (dynamic batching joins requests), by model version',
      labelNames: ['model_version'] as const,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024],
      registers,
    });
    this.shadows = new Counter({
      name: 'slipway_shadow_events_total',
      help: 'Shadow traffic by deployment: requests copied, failures, and answers that disagree with the primary',
      labelNames: ['deployment', 'event'] as const,
      registers,
    });
    this.dropped = new Counter({
      name: 'slipway_inference_log_dropped_total',
      help: 'Inference log entries dropped because the log buffer was full',
      registers,
    });
    new Gauge({
      name: 'slipway_inference_queue_rows',
      help: 'Rows waiting in dynamic-batching queues, by model version',
      labelNames: ['model_version'] as const,
      registers,
      collect() {
        this.reset();
        for (const [version, rows] of queueRows()) this.set({ model_version: version }, rows);
      },
    });
  }

  request(deployment: string, version: string, outcome: Outcome, seconds: number): void {
    this.requests.inc({ deployment, model_version: version, outcome });
    if (outcome === 'ok') this.latency.observe({ deployment, model_version: version }, seconds);
  }

  batch(version: string, rows: number): void {
    this.batches.observe({ model_version: version }, rows);
  }

  shadow(deployment: string, event: 'request' | 'failure' | 'disagreement'): void {
    this.shadows.inc({ deployment, event });
  }

  logDropped(entries: number): void {
    this.dropped.inc(entries);
  }
}

/** The outcome label of an error's code. */
export function outcomeOf(code: string | undefined, status: number): Outcome {
  if (code === 'INFERENCE_FAILED') return 'failed';
  if (code === 'INFERENCE_TIMEOUT') return 'timeout';
  if (status === 503) return 'overloaded';
  return status < 500 ? 'invalid' : 'error';
}
