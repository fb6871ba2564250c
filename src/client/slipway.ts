/** The SDK's entry point: `const sw = await Slipway.connect(); const run = await sw.startRun({ experiment: 'demo' })`. */
import { execFileSync } from 'node:child_process';
import type { Actor } from '../core/context.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../core/errors.js';
import type { CreateRunInput, Run } from '../tracking/index.js';
import { AuditApi, TokensApi } from './access-api.js';
import { ActiveRun, type BatchingOptions } from './active-run.js';
import { ArtifactsApi } from './artifacts-api.js';
import { AutomlApi } from './automl-api.js';
import { BackupApi } from './backup-api.js';
import { type ConnectOptions, resolveCredentials } from './credentials.js';
import { DatasetsApi } from './datasets-api.js';
import { DeploymentsApi } from './deployments-api.js';
import { DriftApi } from './drift-api.js';
import { HttpClient } from './http-client.js';
import { LineageApi } from './lineage-api.js';
import { ModelsApi } from './models-api.js';
import { MonitorsApi } from './monitors-api.js';
import { PipelinesApi } from './pipelines-api.js';
import { ExperimentsApi, RunsApi } from './tracking-api.js';

export interface StartRunOptions extends Omit<CreateRunInput, 'gitCommit'>, BatchingOptions {
  /** Default: the commit of the git checkout the process runs in, when there is one. */
  readonly gitCommit?: string | false;
}

export class Slipway {
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly artifacts: ArtifactsApi;
  readonly tokens: TokensApi;
  readonly audit: AuditApi;
  readonly backup: BackupApi;
  readonly datasets: DatasetsApi;
  readonly models: ModelsApi;
  readonly lineage: LineageApi;
  readonly automl: AutomlApi;
  readonly deployments: DeploymentsApi;
  readonly pipelines: PipelinesApi;
  readonly drift: DriftApi;
  readonly monitors: MonitorsApi;

  private constructor(
    private readonly http: HttpClient,
    /** The token's identity, checked at connect. */
    readonly actor: Actor,
  ) {
    this.experiments = new ExperimentsApi(http);
    this.runs = new RunsApi(http);
    this.artifacts = new ArtifactsApi(http);
    this.tokens = new TokensApi(http);
    this.audit = new AuditApi(http);
    this.backup = new BackupApi(http);
    this.datasets = new DatasetsApi(http);
    this.models = new ModelsApi(http);
    this.lineage = new LineageApi(http);
    this.automl = new AutomlApi(http);
    this.deployments = new DeploymentsApi(http);
    this.pipelines = new PipelinesApi(http);
    this.drift = new DriftApi(http);
    this.monitors = new MonitorsApi(http);
  }

  get url(): string {
    return this.http.url;
  }

  /** Connects and checks the token (one request), so a wrong URL or token fails here, clearly. */
  static async connect(options: ConnectOptions = {}): Promise<Slipway> {
    const credentials = resolveCredentials(options);
    const http = new HttpClient(credentials.url, credentials.token);
    try {
      const actor = await http.request<Actor>('GET', '/api/v1/whoami');
      return new Slipway(http, actor);
    } catch (error) {
      await http.close();
      if (error instanceof UnauthorizedError) {
        throw new UnauthorizedError(
          `${error.message} (token from ${credentials.tokenSource}, server ${credentials.url})`,
        );
      }
      throw error;
    }
  }

  whoami(): Promise<Actor> {
    return this.http.request('GET', '/api/v1/whoami');
  }

  /**
   * Starts a run, creating the experiment if it does not exist yet (as mlflow.set_experiment does),
   * and records the caller's git commit when it runs inside a git checkout.
   */
  async startRun(options: StartRunOptions): Promise<ActiveRun> {
    const { batchSize, maxInFlight, flushIntervalMs, gitCommit, ...input } = options;
    const commit = gitCommit === false ? undefined : (gitCommit ?? currentGitCommit());
    const create = { ...input, ...(commit === undefined ? {} : { gitCommit: commit }) };
    let run: Run;
    try {
      run = await this.runs.create(create);
    } catch (error) {
      if (!(error instanceof NotFoundError) || error.code !== 'EXPERIMENT_NOT_FOUND') throw error;
      await this.experiments.create({ name: input.experiment }).catch((raced: unknown) => {
        if (!(raced instanceof ConflictError)) throw raced;
      });
      run = await this.runs.create(create);
    }
    const batching = {
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(maxInFlight === undefined ? {} : { maxInFlight }),
      ...(flushIntervalMs === undefined ? {} : { flushIntervalMs }),
    };
    return new ActiveRun(run, this.runs, this.artifacts, batching);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

function currentGitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}
