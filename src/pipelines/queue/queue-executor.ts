/**
 * The `queue` executor: each attempt becomes a BullMQ job on the queue of the step's first resource
 * tag, run by whichever `slipway worker` takes it. BullMQ does no retries (`attempts: 1`; the engine
 * retries); a worker that dies mid-job loses its lock and BullMQ's stall check gives the job to
 * another worker. An abort (cancel, timeout, shutdown) is published to the workers, which kill the
 * work. While Redis is unreachable the attempt waits, up to the outage limit.
 */
import { randomUUID } from 'node:crypto';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { UnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { StepFailure } from '../executors/step-failure.js';
import type { StepExecutor, StepIo, StepJob, StepResult } from '../executors/types.js';
import { readWorkers } from './list-workers.js';
import {
  abortChannel,
  abortKey,
  decodeFailure,
  encodeAbortReason,
  jobIdOf,
  type QueueTarget,
  queueName,
  queueTagOf,
  redisOptions,
  type WorkerInfo,
} from './queue-wire.js';

export interface QueueExecutorOptions extends QueueTarget {
  /** How long Redis may stay unreachable before a waiting attempt fails with QUEUE_UNAVAILABLE. */
  readonly outageMs: number;
  /** How long an aborted attempt waits for its worker to stop the work before it answers. */
  readonly abortGraceMs?: number;
  /** How often a waiting attempt checks that its job is still in Redis. */
  readonly jobCheckMs?: number;
  /** How long finished jobs stay in Redis, for inspection (seconds). */
  readonly keepFinishedSeconds?: number;
  readonly logger?: Logger;
}

interface QueueOfTag {
  readonly queue: Queue;
  readonly events: QueueEvents;
}

/** What the abort race rejects with: the attempt then answers with the signal's own reason. */
const ABORTED = Symbol('aborted');

export class QueueExecutor implements StepExecutor {
  /** Workers write the step's log to the database themselves. */
  readonly writesLog = true;
  private client: Redis | undefined;
  private readonly queues = new Map<string, QueueOfTag>();
  /** Attempts waiting on Redis, each with how to fail it when Redis stays away too long. */
  private readonly waiting = new Set<(failure: StepFailure) => void>();
  private watchdog: NodeJS.Timeout | undefined;
  private lastAnswer = 0;
  private pinging = false;
  private closed = false;

  constructor(private readonly options: QueueExecutorOptions) {}

  async execute(job: StepJob, io: StepIo): Promise<StepResult> {
    io.signal.throwIfAborted();
    if (this.closed) throw new StepFailure('QUEUE_UNAVAILABLE', 'the queue executor is closed');
    const { queue, events } = this.queueFor(queueTagOf(job.step));
    const id = jobIdOf(job, randomUUID().slice(0, 8));
    const keep = this.options.keepFinishedSeconds ?? 3600;

    let failOutage!: (failure: StepFailure) => void;
    const outage = new Promise<never>((_resolve, reject) => {
      failOutage = reject;
    });
    let onAbort!: () => void;
    const aborted = new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(ABORTED);
    });
    outage.catch(() => {});
    aborted.catch(() => {});
    io.signal.addEventListener('abort', onAbort, { once: true });
    this.watch(failOutage);
    let lostCheck: NodeJS.Timeout | undefined;
    try {
      const added = (await Promise.race([
        queue.add('step', job, {
          jobId: id,
          attempts: 1,
          removeOnComplete: { age: keep },
          removeOnFail: { age: keep },
        }),
        outage,
        aborted,
      ])) as Job<StepJob, StepResult>;
      lostCheck = this.watchJob(queue, id, failOutage);
      return await Promise.race([added.waitUntilFinished(events), outage, aborted]);
    } catch (error) {
      if (error === ABORTED || io.signal.aborted) {
        await this.stop(queue, events, id, io.signal.reason);
        throw io.signal.reason;
      }
      if (error instanceof StepFailure) {
        // Given up while Redis is away: make sure no worker runs it later.
        void this.stop(queue, events, id, error);
        throw error;
      }
      throw decodeFailure(error instanceof Error ? error.message : String(error));
    } finally {
      clearInterval(lostCheck);
      io.signal.removeEventListener('abort', onAbort);
      this.waiting.delete(failOutage);
      if (this.waiting.size === 0) this.unwatch();
    }
  }

  /** The workers whose heartbeats are live on this executor's Redis. */
  async workers(): Promise<WorkerInfo[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        readWorkers(this.redis(), this.options.prefix),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new UnavailableError('Redis did not answer within 5 s')), 5_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connections; with Redis away, gives up waiting after a moment and drops them. */
  async close(): Promise<void> {
    this.closed = true;
    this.unwatch();
    const queues = [...this.queues.values()];
    this.queues.clear();
    const client = this.client;
    this.client = undefined;
    const closing = Promise.all([
      ...queues.flatMap(({ queue, events }) => [queue.close(), events.close()]),
      client?.quit(),
    ]).catch(() => {});
    if (!(await within(closing, 2_000))) {
      for (const { queue, events } of queues) {
        await Promise.all([queue.disconnect(), events.disconnect()]).catch(() => {});
      }
      client?.disconnect();
    }
  }

  /**
   * Tells the worker running the job to stop (and a worker taking it later not to start), removes
   * it if no worker has it yet, and waits a moment for its worker to have stopped: the attempt then
   * ends after its work did, and its log is complete.
   */
  private async stop(queue: Queue, events: QueueEvents, id: string, reason: unknown): Promise<void> {
    const grace = this.options.abortGraceMs ?? 5_000;
    const text = encodeAbortReason(reason);
    const { prefix } = this.options;
    const stopping = (async () => {
      await this.redis()
        .multi()
        .set(abortKey(prefix, id), text, 'PX', 10 * 60_000)
        .publish(abortChannel(prefix), JSON.stringify({ jobId: id, reason: text }))
        .exec();
      const job = await queue.getJob(id);
      if (job === undefined) return;
      const state = await job.getState();
      if (state === 'active') {
        await job.waitUntilFinished(events, grace).catch(() => {});
      } else if (state !== 'completed' && state !== 'failed') {
        await job.remove().catch(() => {});
      }
    })().catch((error: unknown) =>
      this.options.logger?.warn({ err: error, job: id }, 'queued step could not be stopped'),
    );
    await within(stopping, grace);
  }

  private queueFor(tag: string): QueueOfTag {
    let found = this.queues.get(tag);
    if (found === undefined) {
      const connection = redisOptions(this.options.redisUrl);
      const name = queueName(tag);
      const queue = new Queue(name, { connection, prefix: this.options.prefix });
      const events = new QueueEvents(name, { connection, prefix: this.options.prefix });
      const warn = (error: Error) =>
        this.options.logger?.debug({ err: error, queue: name }, 'queue connection error');
      queue.on('error', warn);
      events.on('error', warn);
      found = { queue, events };
      this.queues.set(tag, found);
    }
    return found;
  }

  private redis(): Redis {
    if (this.client === undefined) {
      this.client = new Redis(redisOptions(this.options.redisUrl));
      this.client.on('error', () => {}); // Reconnection is automatic; the outage watchdog judges.
    }
    return this.client;
  }

  /**
   * Fails the attempt if its job vanished from Redis while it waits (a Redis restarted without
   * persistence): no completion would ever arrive.
   */
  private watchJob(queue: Queue, id: string, fail: (failure: StepFailure) => void): NodeJS.Timeout {
    let asking = false;
    const timer = setInterval(() => {
      if (asking) return;
      asking = true;
      queue
        .getJobState(id)
        .then(
          (state) => {
            if (state !== 'unknown') return;
            fail(
              new StepFailure(
                'QUEUE_UNAVAILABLE',
                `the queued job ${id} is no longer in Redis (restarted without persistence?)`,
              ),
            );
          },
          () => {},
        )
        .finally(() => {
          asking = false;
        });
    }, this.options.jobCheckMs ?? 5_000);
    timer.unref();
    return timer;
  }

  /** Pings Redis while attempts wait; fails them all once it has not answered for the outage limit. */
  private watch(fail: (failure: StepFailure) => void): void {
    this.waiting.add(fail);
    if (this.watchdog !== undefined) return;
    this.lastAnswer = Date.now();
    const every = Math.max(50, Math.min(1_000, Math.floor(this.options.outageMs / 4)));
    this.watchdog = setInterval(() => this.check(), every);
    this.watchdog.unref();
  }

  private unwatch(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private check(): void {
    if (!this.pinging) {
      this.pinging = true;
      this.redis()
        .ping()
        .then(
          () => {
            this.lastAnswer = Date.now();
          },
          () => {},
        )
        .finally(() => {
          this.pinging = false;
        });
    }
    const silent = Date.now() - this.lastAnswer;
    if (silent <= this.options.outageMs) return;
    const failure = new StepFailure(
      'QUEUE_UNAVAILABLE',
      `Redis has not answered for ${silent} ms (more than SLIPWAY_QUEUE_OUTAGE_MS, ${this.options.outageMs} ms); the queued attempt was given up`,
    );
    for (const fail of this.waiting) fail(failure);
    this.waiting.clear();
    this.unwatch();
  }
}

/** Whether `promise` settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
