/**
 * SDK methods for the model registry: one method per REST operation. Versions are named by
 * reference: `churn@3`, `churn@champion`, or `churn` for the newest version.
 */

import type { Page, PageRequest } from '../core/pagination.js';
import type {
  AliasMove,
  CardFields,
  CreateModelInput,
  ListModelsInput,
  Model,
  ModelAlias,
  ModelCard,
  ModelDetails,
  ModelVersion,
  PolicyInput,
  RegisterInput,
  UpdateModelInput,
} from '../registry/index.js';
import type { HttpClient } from './http-client.js';
import { splitReference, versionPath } from './references.js';
import { downloadVerified, type UploadSource, uploadBody } from './transfer.js';

export type ModelFileSource = UploadSource;

/** Register from a local file (path, bytes or stream), or from an artifact already in a run. */
export type RegisterOptions = RegisterInput &
  (
    | { readonly file: ModelFileSource; readonly source?: undefined }
    | { readonly source: string; readonly file?: undefined }
  );

export interface PulledModel {
  readonly model: string;
  /** The resolved version number. */
  readonly version: number;
  readonly digest: string;
  readonly size: number;
  /** The local file written. */
  readonly file: string;
}

export interface ModelCreateOptions {
  /** Sent as Idempotency-Key: a retry with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

const id = encodeURIComponent;

export class ModelAliasesApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Points `alias` at `version`. With `expectedVersion` it is a compare-and-set (ConflictError
   * ALIAS_CONFLICT with details.currentVersion when the alias moved); null: it must not exist yet.
   */
  set(
    name: string,
    alias: string,
    version: number,
    options: { expectedVersion?: number | null } = {},
  ): Promise<ModelAlias> {
    return this.http.request('PUT', aliasPath(name, alias), {
      body: {
        version,
        ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
      },
    });
  }

  get(name: string, alias: string): Promise<ModelAlias> {
    return this.http.request('GET', aliasPath(name, alias));
  }

  async list(name: string): Promise<readonly ModelAlias[]> {
    const list = await this.http.request<{ items: ModelAlias[] }>(
      'GET',
      `/api/v1/models/${id(name)}/aliases`,
    );
    return list.items;
  }

  /** Every move, newest first. */
  history(name: string, alias: string, page: PageRequest = {}): Promise<Page<AliasMove>> {
    return this.http.request('GET', `${aliasPath(name, alias)}/history`, { query: { ...page } });
  }

  /** Moves the alias back to the version it pointed at before its latest move. */
  rollback(name: string, alias: string, options: { expectedVersion?: number } = {}): Promise<ModelAlias> {
    return this.http.request('POST', `${aliasPath(name, alias)}/rollback`, { body: { ...options } });
  }

  delete(name: string, alias: string, options: { expectedVersion?: number } = {}): Promise<ModelAlias> {
    return this.http.request('DELETE', aliasPath(name, alias), { query: { ...options } });
  }
}

export class ModelsApi {
  readonly alias: ModelAliasesApi;

  constructor(private readonly http: HttpClient) {
    this.alias = new ModelAliasesApi(http);
  }

  create(input: CreateModelInput, options: ModelCreateOptions = {}): Promise<Model> {
    return this.http.request('POST', '/api/v1/models', {
      body: input,
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
    });
  }

  list(input: ListModelsInput = {}): Promise<Page<Model>> {
    return this.http.request('GET', '/api/v1/models', { query: { ...input } });
  }

  /** The model with its newest version and where each alias points. */
  get(name: string): Promise<ModelDetails> {
    return this.http.request('GET', `/api/v1/models/${id(name)}`);
  }

  update(name: string, input: UpdateModelInput): Promise<Model> {
    return this.http.request('PATCH', `/api/v1/models/${id(name)}`, { body: input });
  }

  delete(name: string): Promise<Model> {
    return this.http.request('DELETE', `/api/v1/models/${id(name)}`);
  }

  restore(name: string): Promise<Model> {
    return this.http.request('POST', `/api/v1/models/${id(name)}/restore`);
  }

  setPolicy(name: string, policy: PolicyInput): Promise<Model> {
    return this.http.request('PUT', `/api/v1/models/${id(name)}/policy`, { body: policy });
  }

  /**
   * Registers the next version of `name` (creating the model on first use): `{ file: 'model.onnx' }`
   * streams a local file, `{ source: 'runs/<id>/artifacts/model.onnx' }` uses a run's artifact.
   */
  async register(
    name: string,
    options: RegisterOptions,
    create: ModelCreateOptions = {},
  ): Promise<ModelVersion> {
    const path = `/api/v1/models/${id(name)}/versions`;
    const { file, source, ...input } = options;
    if (source !== undefined) {
      return this.http.request('POST', path, {
        body: { source, ...input },
        ...(create.idempotencyKey === undefined ? {} : { idempotencyKey: create.idempotencyKey }),
      });
    }
    const { headers, body } = await uploadBody(file);
    if (create.idempotencyKey !== undefined) headers['idempotency-key'] = create.idempotencyKey;
    const response = await this.http.raw('POST', path + uploadQuery(input), { headers, body });
    return (await response.body.json()) as ModelVersion;
  }

  /** Newest first. */
  versions(name: string, page: PageRequest = {}): Promise<Page<ModelVersion>> {
    return this.http.request('GET', `/api/v1/models/${id(name)}/versions`, { query: { ...page } });
  }

  /** One version by reference (`churn@3`, `churn@champion`, `churn`); `version` states the resolved number. */
  version(ref: string): Promise<ModelVersion> {
    return this.http.request('GET', versionPath('models', ref));
  }

  approve(ref: string, comment?: string): Promise<ModelVersion> {
    return this.http.request('POST', `${versionPath('models', ref)}/approve`, {
      body: comment === undefined ? {} : { comment },
    });
  }

  reject(ref: string, comment?: string): Promise<ModelVersion> {
    return this.http.request('POST', `${versionPath('models', ref)}/reject`, {
      body: comment === undefined ? {} : { comment },
    });
  }

  card(ref: string): Promise<ModelCard> {
    return this.http.request('GET', `${versionPath('models', ref)}/card`);
  }

  /** The card rendered as markdown. */
  async cardMarkdown(ref: string): Promise<string> {
    const response = await this.http.raw('GET', `${versionPath('models', ref)}/card`, {
      headers: { accept: 'text/markdown' },
    });
    return response.body.text();
  }

  /** Replaces the hand-written part of the card. */
  setCard(ref: string, fields: CardFields): Promise<ModelCard> {
    return this.http.request('PUT', `${versionPath('models', ref)}/card`, { body: fields });
  }

  /**
   * Downloads a version's model file to `destination` atomically: the file appears only complete
   * and verified against the version's digest.
   */
  async pull(ref: string, destination: string): Promise<PulledModel> {
    const response = await this.http.raw('GET', `${versionPath('models', ref)}/artifact`);
    const digest = String(response.headers['x-content-sha256'] ?? '');
    const version = Number(response.headers['x-model-version']);
    // The size is what arrived, not the stated content-length.
    const size = await downloadVerified(response.body, destination, digest, `model ${ref}`);
    return {
      model: splitReference(ref).name.toLowerCase(),
      version,
      digest,
      size,
      file: destination,
    };
  }
}

function aliasPath(name: string, alias: string): string {
  return `/api/v1/models/${id(name)}/aliases/${id(alias)}`;
}

/** The upload's metadata as query parameters (repeatable ones repeated). */
function uploadQuery(input: RegisterInput): string {
  const params = new URLSearchParams();
  if (input.run !== undefined) params.append('run', input.run);
  for (const dataset of input.datasets ?? []) {
    params.append(dataset.role === 'validation' ? 'validationDataset' : 'dataset', dataset.ref);
  }
  for (const [key, value] of Object.entries(input.metrics ?? {})) params.append('metric', `${key}=${value}`);
  if (input.featureNames !== undefined) params.append('featureNames', input.featureNames.join(','));
  if (input.features !== undefined) params.append('features', JSON.stringify(input.features));
  if (input.classes !== undefined) params.append('classes', JSON.stringify(input.classes));
  if (input.description !== undefined) params.append('description', input.description);
  for (const [key, value] of Object.entries(input.tags ?? {})) params.append('tag', `${key}=${value}`);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
