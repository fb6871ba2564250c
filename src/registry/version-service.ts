/**
 * Model versions: immutable, numbered per model, each an ONNX file whose signature is read from the
 * file before anything is stored. This is the service other domains use: registering goes through
 * version-registration.ts; listing, resolving references and opening artifacts are here.
 */
import type { Readable } from 'node:stream';
import type { BlobStore, ByteSource } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { IntegrityError } from '../core/errors.js';
import type { Page, PageRequest } from '../core/pagination.js';
import { parseReference, type Reference } from '../core/references.js';
import type { LineageRecorder } from '../lineage/index.js';
import { type Database, type Executor, highestFirstPage } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';
import { type ModelVersion, toModelVersion } from './entities.js';
import {
  aliasesByVersion,
  findModelRow,
  parseModelReference,
  resolveRow,
  versionEntity,
} from './model-loader.js';
import type { ModelService } from './model-service.js';
import type { RegisterFromSourceInput, RegisterInput } from './version-metadata.js';
import { VersionRegistration } from './version-registration.js';

export interface ModelArtifact {
  readonly version: ModelVersion;
  /** The bytes, verified against the digest as they stream. */
  readonly stream: Readable;
}

/** A page cursor is the last version number shown; anything else is INVALID_PAGE_TOKEN, not a database error. */
export class VersionService {
  private readonly registration: VersionRegistration;

  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    audit: AuditLog,
    clock: Clock,
    lineage: LineageRecorder,
    tracking: Tracking,
    models: ModelService,
    scratchDir: string,
    maxBytes: number,
  ) {
    this.registration = new VersionRegistration({
      database,
      blobs,
      audit,
      clock,
      lineage,
      tracking,
      models,
      scratchDir,
      maxBytes,
    });
  }

  /** Registers an uploaded ONNX file as the model's next version, creating the model on first use. */
  register(
    ctx: RequestContext,
    rawName: string,
    body: ByteSource,
    input: RegisterInput = {},
  ): Promise<ModelVersion> {
    return this.registration.register(ctx, rawName, body, input);
  }

  /** Registers an artifact already stored under a run (`runs/<runId>/artifacts/<path>`). */
  registerFromSource(
    ctx: RequestContext,
    rawName: string,
    input: RegisterFromSourceInput,
  ): Promise<ModelVersion> {
    return this.registration.registerFromSource(ctx, rawName, input);
  }

  /** Newest first. */
  async list(rawName: string, input: PageRequest = {}): Promise<Page<ModelVersion>> {
    const db = this.database.db;
    const model = await findModelRow(db, rawName);
    const aliases = await aliasesByVersion(db, model.id);
    return highestFirstPage(
      db.selectFrom('model_versions').selectAll().where('model_id', '=', model.id),
      'version',
      input,
      JSON.stringify(['model-versions', model.id]),
      (row) => Number(row.version),
      (row) => toModelVersion(model.name, row, aliases.get(Number(row.version)) ?? []),
    );
  }

  /**
   * Resolves `churn@3`, `churn@champion`, `churn@latest` or `churn` (latest) to the version it names
   * now. Serving and lineage resolve model references through this.
   */
  async resolve(reference: string | Reference, executor: Executor = this.database.db): Promise<ModelVersion> {
    const ref = typeof reference === 'string' ? parseModelReference(reference) : reference;
    return versionEntity(executor, await resolveRow(executor, ref));
  }

  /** `selector` is what follows '@': a version number, an alias, or `latest`. */
  async get(rawName: string, selector: string): Promise<ModelVersion> {
    return this.resolve(parseReference('model version', `${rawName}@${selector}`));
  }

  async openArtifact(reference: string | Reference): Promise<ModelArtifact> {
    const version = await this.resolve(reference);
    // Metadata naming a blob the store no longer has (or has with another length) is a storage
    // fault: refused before the first byte, so no reader receives `size` wrong bytes.
    const blob = await this.blobs.stat(version.digest);
    if (blob === undefined || blob.size !== version.size) {
      throw new IntegrityError(
        `model ${version.model}@${version.version} should be ${version.size} bytes in blob ${version.digest}, which ${blob === undefined ? 'is missing' : `has ${blob.size}`}`,
        {
          digest: version.digest,
          expected: version.size,
          ...(blob === undefined ? {} : { size: blob.size }),
        },
      );
    }
    return { version, stream: await this.blobs.get(version.digest) };
  }
}
