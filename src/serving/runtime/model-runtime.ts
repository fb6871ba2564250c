/**
 * The model versions this process serves. A version is loaded once (file from the local cache,
 * session created and warmed) and shared by every deployment route and direct request that uses it;
 * holders acquire and release it, and a version nobody holds is closed after a grace period (its
 * in-flight requests finish first). Loading errors become MODEL_NOT_SERVABLE naming the version.
 */
import { availableParallelism } from 'node:os';
import { SlipwayError, UnprocessableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Registry } from '../../registry/index.js';
import type { ResolvedModel } from '../deployments/entities.js';
import { LoadedModel, type RuntimeOptions } from './loaded-model.js';
import type { ModelFiles } from './model-files.js';

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  // Half the cores run sessions, one run each; the other half is left to the event loop (HTTP, JSON,
  // the inference log). Small models gain more from runs side by side than from splitting one run,
  // and batching makes the wide ones efficient.
  sessionThreads: Math.max(1, Math.floor(availableParallelism() / 2)),
  intraOpThreads: 1,
  maxQueueRows: 10_000,
  timeoutMs: 30_000,
};

/** How long a version nobody holds stays loaded (a deploy that prepared it, a direct request). */
export const IDLE_GRACE_MS = 60_000;

interface Slot {
  readonly loading: Promise<LoadedModel>;
  /** Set once loaded. */
  loaded: LoadedModel | undefined;
  users: number;
  idleTimer: NodeJS.Timeout | undefined;
}

/** Told the rows of every inference run, by version (`churn@3`). */
export type RunObserver = (version: string, rows: number) => void;

export class ModelRuntime {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly registry: Registry,
    private readonly files: ModelFiles,
    private readonly options: RuntimeOptions = DEFAULT_RUNTIME_OPTIONS,
    private readonly observeRun: RunObserver = () => {},
    private readonly logger?: Logger,
  ) {}

  /** Loads (once) and warms the version; pair with release(). */
  async acquire(model: ResolvedModel): Promise<LoadedModel> {
    const key = `${model.model}@${model.version}`;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      const loading = this.load(model);
      const created: Slot = { loading, loaded: undefined, users: 0, idleTimer: undefined };
      slot = created;
      this.slots.set(key, created);
      loading.then(
        (loaded) => {
          created.loaded = loaded;
        },
        () => {
          if (this.slots.get(key) === created) this.slots.delete(key);
        },
      );
    }
    slot.users++;
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    try {
      return await slot.loading;
    } catch (error) {
      slot.users--;
      throw error;
    }
  }

  /** Gives the version back; once nobody holds it, it is closed after `graceMs`. */
  release(model: ResolvedModel, graceMs = 0): void {
    const key = `${model.model}@${model.version}`;
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    slot.users = Math.max(0, slot.users - 1);
    if (slot.users > 0) return;
    clearTimeout(slot.idleTimer);
    const close = () => {
      if (slot.users > 0 || this.slots.get(key) !== slot) return;
      this.slots.delete(key);
      void slot.loading.then((loaded) => loaded.close()).catch(() => {});
    };
    if (graceMs <= 0) close();
    else {
      slot.idleTimer = setTimeout(close, graceMs);
      slot.idleTimer.unref();
    }
  }

  /** Loads and warms versions a change is about to serve, and keeps them for a grace period. */
  async prepare(models: readonly ResolvedModel[]): Promise<void> {
    const acquired: ResolvedModel[] = [];
    try {
      for (const model of models) {
        await this.acquire(model);
        acquired.push(model);
      }
    } finally {
      for (const model of acquired) this.release(model, IDLE_GRACE_MS);
    }
  }

  /** Rows waiting in the batchers of every loaded version. */
  *queuedRows(): Iterable<readonly [version: string, rows: number]> {
    for (const [key, slot] of this.slots) if (slot.loaded !== undefined) yield [key, slot.loaded.queuedRows];
  }

  async close(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    for (const slot of slots) clearTimeout(slot.idleTimer);
    await Promise.all(slots.map((slot) => slot.loading.then((loaded) => loaded.close()).catch(() => {})));
  }

  private async load(model: ResolvedModel): Promise<LoadedModel> {
    const key = `${model.model}@${model.version}`;
    try {
      const version = await this.registry.versions.resolve({ name: model.model, version: model.version });
      if (version.format !== 'onnx')
        throw new Error(`its format is ${version.format}; only ONNX models are served`);
      const file = await this.files.path(version.digest, version.size);
      const loaded = await LoadedModel.open(version, file, this.options, (rows) =>
        this.observeRun(key, rows),
      );
      this.logger?.info({ model: key }, 'model version loaded and warmed');
      return loaded;
    } catch (error) {
      if (error instanceof SlipwayError && error.status === 404) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnprocessableError('MODEL_NOT_SERVABLE', `model version ${key} cannot be served: ${reason}`, {
        model: model.model,
        version: model.version,
        reason,
      });
    }
  }
}
