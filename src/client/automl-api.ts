/** SDK methods for AutoML jobs: start, follow until done (with progress), list, cancel. */
import type { Page, PageRequest } from '../core/pagination.js';
import type { AutomlJob, AutomlJobStatus, StartAutomlInput } from '../training/index.js';
import type { HttpClient } from './http-client.js';

export interface WaitOptions {
  /** Called with the job each time it is polled, while it is queued or running. */
  readonly onProgress?: (job: AutomlJob) => void;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

const FINISHED: readonly AutomlJobStatus[] = ['succeeded', 'failed', 'cancelled'];

export class AutomlApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Starts a job; bad input (unknown target, one class, too few rows, ...) fails here, before any
   * work. The job runs in the background: follow it with `wait`.
   */
  start(input: StartAutomlInput): Promise<AutomlJob> {
    return this.http.request('POST', '/api/v1/automl', { body: input });
  }

  get(id: string): Promise<AutomlJob> {
    return this.http.request('GET', `/api/v1/automl/${encodeURIComponent(id)}`);
  }

  list(input: PageRequest & { readonly status?: AutomlJobStatus } = {}): Promise<Page<AutomlJob>> {
    return this.http.request('GET', '/api/v1/automl', { query: { ...input } });
  }

  cancel(id: string): Promise<AutomlJob> {
    return this.http.request('POST', `/api/v1/automl/${encodeURIComponent(id)}/cancel`);
  }

  /** Polls until the job succeeded, failed or was cancelled, and answers it in that state. */
  async wait(id: string, options: WaitOptions = {}): Promise<AutomlJob> {
    const interval = options.intervalMs ?? 1000;
    for (;;) {
      const job = await this.get(id);
      if (FINISHED.includes(job.status)) return job;
      options.onProgress?.(job);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, interval);
        options.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(options.signal?.reason);
          },
          { once: true },
        );
      });
      options.signal?.throwIfAborted();
    }
  }

  /** `start` then `wait`: `const job = await sw.automl.train({ dataset: 'churn@3', target: 'churned' })`. */
  async train(input: StartAutomlInput, options: WaitOptions = {}): Promise<AutomlJob> {
    const job = await this.start(input);
    return this.wait(job.id, options);
  }
}
