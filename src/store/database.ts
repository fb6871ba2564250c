/**
 * The metadata database: a Kysely instance plus the few operations whose fastest form differs by
 * dialect (capabilities, not `if (postgres)` scattered through the domains).
 */
import type { Kysely, Transaction } from 'kysely';
import type { InferenceLogRow, Tables } from './tables.js';

export type Db = Kysely<Tables>;
export type Tx = Transaction<Tables>;
/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Tables>;

export type DialectName = 'sqlite' | 'postgres';

/** What a change notification is about (each topic is its own channel per installation). */
export type ChangeTopic = 'deployments';

/** Told about a subscription's notifications and its connection coming and going. */
export interface ChangeHandlers {
  /** A committed change on the topic; the payload is what the writer passed (e.g. a name). */
  message(payload: string): void;
  /** Listening (again): changes made while not listening were not announced, so read afresh. */
  connected(): void;
  /** The listening connection was lost or could not be opened; called once per outage. */
  disconnected(error: unknown): void;
}

export interface ChangeSubscription {
  /** Stops listening and reconnecting; resolves when the connection has ended. */
  close(): Promise<void>;
}

/** Metric points in columnar form, as the bulk insert wants them. */
export interface MetricColumns {
  readonly runSeq: number;
  readonly keys: readonly string[];
  readonly steps: readonly number[];
  readonly timestamps: readonly number[];
  readonly values: readonly (number | null)[];
}

export interface Database {
  readonly db: Db;
  readonly dialect: DialectName;
  /** Inserts many metric rows in as few statements as the dialect allows. */
  insertMetrics(executor: Executor, points: MetricColumns): Promise<void>;
  /** Inserts inference log rows the same way (the serving hot path's writer). */
  insertInferenceLog(executor: Executor, rows: readonly InferenceLogRow[]): Promise<void>;
  /**
   * Announces a change on `topic` to every process of this installation when the transaction
   * `executor` belongs to commits (never if it rolls back). A no-op where the dialect has no
   * notifications: readers there poll.
   */
  notify(executor: Executor, topic: ChangeTopic, payload: string): Promise<void>;
  /**
   * Listens for `notify` on `topic` over a connection of its own, reconnecting until closed; null
   * where the dialect has no notifications (callers then poll).
   */
  listen(topic: ChangeTopic, handlers: ChangeHandlers): ChangeSubscription | null;
  /** True when the error is a unique/primary-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /**
   * A consistent read-only snapshot for backups, without blocking writers. Queries on the snapshot
   * may `.stream()` their rows.
   */
  withSnapshot<T>(read: (snapshot: Db) => Promise<T>): Promise<T>;
  /**
   * After rows were loaded with explicit generated keys (restore), moves identity counters past
   * them so that new rows do not collide.
   */
  resetIdentities(executor: Executor): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
