/**
 * What the queue executor and its workers agree on: Redis connection options from a URL, queue
 * names per resource tag, job ids, heartbeat keys, the abort channel, and how a failure and an
 * abort reason travel as text.
 */
import type { RedisOptions } from 'ioredis';
import type { Step } from '../definition/index.js';
import { StepFailure } from '../executors/step-failure.js';
import type { StepJob } from '../executors/types.js';

/** Where a queue executor and its workers meet: one Redis, one key prefix. */
export interface QueueTarget {
  readonly redisUrl: string;
  /** The prefix of every key (BullMQ's `prefix`, worker heartbeats, the abort channel). */
  readonly prefix: string;
}

/**
 * ioredis options for a URL. Commands wait through a disconnection (`maxRetriesPerRequest: null`,
 * as BullMQ requires) and reconnects are tried every 200 ms to 2 s, so an outage ends promptly.
 */
export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname === '' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2_000),
  };
}

/** The first resource tag decides the queue; a step without tags goes to `default`. */
export function queueTagOf(step: Step): string {
  return step.resources[0] ?? 'default';
}

export function queueName(tag: string): string {
  return `slipway-steps-${tag.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** Unique per execution of an attempt; BullMQ ids may not contain ':' nor be plain integers. */
export function jobIdOf(job: StepJob, nonce: string): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9_.-]/g, '_');
  const item = job.item === undefined ? '-' : String(job.item.index);
  return [job.pipelineRun, job.step.name, item, String(job.attempt), nonce].map(clean).join('.');
}

export const workerKeyPattern = (prefix: string) => `${prefix}:workers:*`;
export const workerKey = (prefix: string, id: string) => `${prefix}:workers:${id}`;
export const abortChannel = (prefix: string) => `${prefix}:steps:abort`;
/** Set on abort too, so a worker that takes the job after the message was sent still sees it. */
export const abortKey = (prefix: string, jobId: string) => `${prefix}:steps:aborted:${jobId}`;

/** A worker as its heartbeat shows it. */
export interface WorkerInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly queues: readonly string[];
  readonly concurrency: number;
  /** Jobs running now. */
  readonly running: number;
  readonly startedAt: number;
  readonly lastSeenAt: number;
}

/** Why a job failed, as BullMQ keeps it (its failedReason is the thrown error's message). */
export function encodeFailure(failure: { code: string; message: string }): string {
  return JSON.stringify({ code: failure.code, message: failure.message });
}

export function decodeFailure(reason: string): StepFailure {
  try {
    const parsed = JSON.parse(reason) as { code?: unknown; message?: unknown };
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') {
      return new StepFailure(parsed.code, parsed.message);
    }
  } catch {
    // Not ours: BullMQ failed the job itself (e.g. it stalled more often than allowed).
  }
  return new StepFailure('WORKER_LOST', `the queue failed the job: ${reason}`);
}

/** An abort reason as text: the code of a StepFailure (a timeout), else the reason itself. */
export function encodeAbortReason(reason: unknown): string {
  if (reason instanceof StepFailure) return encodeFailure(reason);
  return typeof reason === 'string' ? reason : 'aborted';
}

export function decodeAbortReason(text: string): unknown {
  return text.startsWith('{') ? decodeFailure(text) : text;
}
