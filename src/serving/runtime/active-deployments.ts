/**
 * The deployments this process serves, each at one revision with its models loaded and warmed. A
 * refresh reads every deployment's revision number; for a new revision it loads the versions that
 * revision serves first and only then switches to it, so requests never wait for a load and a
 * version that cannot load leaves the previous revision serving. Versions no revision uses any more
 * are released (closing waits for their in-flight requests). Refreshes run after local changes and
 * when ChangeFollower hears of changes made elsewhere (a notification or its poll).
 */
import type { Logger } from '../../core/logger.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import type { BatchingSpec, DeploymentRevision, ResolvedModel, RoutingKey } from '../deployments/entities.js';
import { parseRoutingKey } from '../deployments/spec.js';
import type { LoadedModel } from './loaded-model.js';
import type { ModelRuntime } from './model-runtime.js';
import { cumulativeBounds, type WeightedRoute } from './router.js';

export interface ActiveRoute extends WeightedRoute {
  readonly reference: string;
  readonly loaded: LoadedModel;
}

export interface ActiveDeployment {
  readonly name: string;
  readonly revision: number;
  readonly routes: readonly ActiveRoute[];
  readonly shadow: {
    readonly reference: string;
    readonly fraction: number;
    readonly loaded: LoadedModel;
  } | null;
  readonly routingKey: RoutingKey | null;
  readonly batching: BatchingSpec;
  /** Every version the revision holds (to release on switching away). */
  readonly models: readonly ResolvedModel[];
}

/** A revision that failed to load is tried again after this long (the old one keeps serving). */
const RETRY_FAILED_MS = 10_000;

export class ActiveDeployments {
  private readonly table = new Map<string, ActiveDeployment>();
  private readonly failed = new Map<string, { revision: number; at: number; message: string }>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly deployments: DeploymentService,
    private readonly runtime: ModelRuntime,
    private readonly logger?: Logger,
  ) {}

  /** The deployment as served now, or undefined if this process serves no revision of it. */
  get(name: string): ActiveDeployment | undefined {
    return this.table.get(name);
  }

  /** Why the deployment's newest revision is not being served, if it failed to load. */
  loadFailure(name: string): { revision: number; message: string } | undefined {
    return this.failed.get(name);
  }

  /** Brings every deployment to its current revision; concurrent calls share one pass (plus one after). */
  refresh(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    await this.running?.catch(() => {});
    const active = [...this.table.values()];
    this.table.clear();
    for (const deployment of active) this.releaseAll(deployment.models);
  }

  private async pass(): Promise<void> {
    const current = await this.deployments.currentRevisions();
    for (const [name, active] of this.table) {
      if (current.has(name)) continue;
      this.table.delete(name);
      this.releaseAll(active.models);
    }
    for (const [name, revision] of current) {
      if (this.table.get(name)?.revision === revision) continue;
      const failure = this.failed.get(name);
      if (failure?.revision === revision && Date.now() - failure.at < RETRY_FAILED_MS) continue;
      try {
        await this.switchTo(await this.deployments.revision(name, revision));
        this.failed.delete(name);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.failed.set(name, { revision, at: Date.now(), message });
        this.logger?.error(
          { deployment: name, revision, err: error },
          'deployment revision not loaded; the previous one keeps serving',
        );
      }
    }
  }

  private async switchTo(revision: DeploymentRevision): Promise<void> {
    const models = [...revision.routes, ...(revision.shadow === null ? [] : [revision.shadow])];
    const acquired: ResolvedModel[] = [];
    const loaded = new Map<string, LoadedModel>();
    try {
      for (const model of models) {
        loaded.set(`${model.model}@${model.version}`, await this.runtime.acquire(model));
        acquired.push(model);
      }
    } catch (error) {
      this.releaseAll(acquired);
      throw error;
    }
    const of = (model: ResolvedModel) => loaded.get(`${model.model}@${model.version}`)!;
    const bounds = cumulativeBounds(revision.routes.map((route) => route.weight));
    const next: ActiveDeployment = {
      name: revision.deployment,
      revision: revision.revision,
      routes: revision.routes.map((route, i) => ({
        reference: route.reference,
        weight: route.weight,
        upper: bounds[i]!,
        loaded: of(route),
      })),
      shadow:
        revision.shadow === null
          ? null
          : {
              reference: revision.shadow.reference,
              fraction: revision.shadow.fraction,
              loaded: of(revision.shadow),
            },
      routingKey: revision.routingKey === null ? null : parseRoutingKey(revision.routingKey),
      batching: revision.batching,
      models: acquired,
    };
    const previous = this.table.get(revision.deployment);
    this.table.set(revision.deployment, next);
    if (previous !== undefined) this.releaseAll(previous.models);
  }

  private releaseAll(models: readonly ResolvedModel[]): void {
    for (const model of models) this.runtime.release(model);
  }
}
