/**
 * A queue worker (`slipway worker`): takes step jobs from the queues of its resource tags and runs
 * each with doStepWork on this machine, writing the step's log straight to the metadata database.
 * It announces itself with a heartbeat key that expires when it stops answering, and stops a job
 * when an abort for it is published. Stopping is graceful (running jobs finish; no new ones are
 * taken) unless forced, when running jobs are abandoned: their locks lapse and BullMQ's stall check
 * hands them to another worker.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../store/index.js';
import { StepLog } from '../engine/step-log.js';
import { failureOf } from '../executors/step-failure.js';
import { doStepWork, type StepWorkDeps } from '../executors/step-work.js';
import type { StepJob, StepResult } from '../executors/types.js';
import {
  abortChannel,
  abortKey,
  decodeAbortReason,
  encodeFailure,
  type QueueTarget,
  queueName,
  redisOptions,
  type WorkerInfo,
  workerKey,
} from './queue-wire.js';

export interface QueueWorkerOptions extends QueueTarget {
  /** Resource tags whose queues this worker serves. */
  readonly queues: readonly string[];
  /** Jobs run at once per queue. */
  readonly concurrency: number;
  /** How long a job's lock lasts unrenewed; a worker silent this long has its jobs taken over. */
  readonly lockMs: number;
  /** How often the heartbeat key is refreshed (it expires after three times this). */
  readonly heartbeatMs?: number;
  readonly logger?: Logger;
}

export interface QueueWorkerDeps {
  readonly database: Database;
  readonly clock: Clock;
  /** What doStepWork needs: code cache, thread pool, file transfer and built-in services. */
  readonly work: StepWorkDeps;
}

/** Aborts a job with this to leave it to stall detection instead of failing it. */
const ABANDON = 'abandon';

export class QueueWorker {
  readonly id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 4)}`;
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly startedAt = Date.now();
  private client: Redis | undefined;
  private subscriber: Redis | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: QueueWorkerDeps,
    private readonly options: QueueWorkerOptions,
  ) {}

  async start(): Promise<void> {
    const { prefix } = this.options;
    const connection = redisOptions(this.options.redisUrl);
    this.client = new Redis(connection);
    this.client.on('error', () => {});
    this.subscriber = new Redis(connection);
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (_channel: string, message: string) => this.onAbort(message));
    await this.subscriber.subscribe(abortChannel(prefix));
    await this.beat();
    const every = this.options.heartbeatMs ?? 5_000;
    this.heartbeat = setInterval(() => void this.beat(), every);
    for (const tag of this.options.queues) {
      const worker = new Worker<StepJob, StepResult>(
        queueName(tag),
        (job, _token, signal) => this.process(job, signal),
        {
          connection,
          prefix,
          concurrency: this.options.concurrency,
          lockDuration: this.options.lockMs,
          stalledInterval: this.options.lockMs,
          // A job whose worker died goes back to waiting; one that kills workers twice fails.
          maxStalledCount: 2,
        },
      );
      worker.on('error', (error) =>
        this.options.logger?.warn({ err: error, queue: tag }, 'queue worker connection error'),
      );
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  /**
   * Graceful: takes no more jobs and waits for running ones. Forced: abandons running jobs (their
   * work is killed; another worker takes them over once their locks lapse).
   */
  async stop(options: { force?: boolean } = {}): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (options.force === true) for (const controller of this.running.values()) controller.abort(ABANDON);
    await Promise.all(this.workers.map((worker) => worker.close(options.force === true)));
    await this.client?.del(workerKey(this.options.prefix, this.id)).catch(() => {});
    await this.deps.work.threads.close();
    for (const client of [this.subscriber, this.client]) {
      await client?.quit().catch(() => client.disconnect());
    }
  }

  info(): WorkerInfo {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      queues: this.options.queues,
      concurrency: this.options.concurrency,
      running: this.running.size,
      startedAt: this.startedAt,
      lastSeenAt: Date.now(),
    };
  }

  private async beat(): Promise<void> {
    const ttl = 3 * (this.options.heartbeatMs ?? 5_000);
    await this.client
      ?.set(workerKey(this.options.prefix, this.id), JSON.stringify(this.info()), 'PX', ttl)
      .catch(() => {}); // Redis away: the key lapses and we announce ourselves again on its return.
  }

  private onAbort(message: string): void {
    try {
      const { jobId, reason } = JSON.parse(message) as { jobId: string; reason: string };
      this.running.get(jobId)?.abort(decodeAbortReason(reason));
    } catch {
      // Not an abort message of ours.
    }
  }

  private async process(job: Job<StepJob, StepResult>, cancel?: AbortSignal): Promise<StepResult> {
    const id = job.id ?? '';
    const data = job.data;
    const controller = new AbortController();
    this.running.set(id, controller);
    cancel?.addEventListener('abort', () => controller.abort(ABANDON), { once: true });
    const key = { pipelineRun: data.pipelineRun, step: data.step.name, item: data.item?.index ?? -1 };
    let log: StepLog | undefined;
    try {
      const aborted = await this.client?.get(abortKey(this.options.prefix, id));
      if (aborted !== null && aborted !== undefined) controller.abort(decodeAbortReason(aborted));
      controller.signal.throwIfAborted(); // Cancelled before any worker took it: nothing to run.
      await this.recordWorker(key);
      log = await StepLog.open(this.deps.database, this.deps.clock, key);
      if (job.attemptsStarted > 1 || job.stalledCounter > 0) {
        log.write(`--- resumed on worker ${this.id}: the worker running it stopped answering ---\n`);
      }
      const output = log;
      return await doStepWork(
        data,
        { log: (text) => output.write(text), signal: controller.signal },
        this.deps.work,
      );
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason === ABANDON) {
        await log?.flush();
        // Never settle: the job stays active, its lock lapses, and another worker takes it over.
        return new Promise<never>(() => {});
      }
      throw new Error(encodeFailure(failureOf(reason ?? error)));
    } finally {
      await log?.flush();
      this.running.delete(id);
    }
  }

  /** The step row names the worker running it, rather than the server that queued it. */
  private async recordWorker(key: { pipelineRun: string; step: string; item: number }): Promise<void> {
    await this.deps.database.db
      .updateTable('pipeline_steps')
      .set({ worker: this.id })
      .where('pipeline_run_id', '=', key.pipelineRun)
      .where('step', '=', key.step)
      .where('item', '=', key.item)
      .where('status', '=', 'running')
      .execute()
      .catch((error: unknown) =>
        this.options.logger?.warn({ err: error, ...key }, 'step worker not recorded'),
      );
  }
}
