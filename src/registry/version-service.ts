/**
 * Model versions: immutable, numbered per model, each an ONNX file whose signature is read from the
 * file before anything is stored. A version comes from an upload (spooled to a scratch file, never
 * held whole in memory beyond what the ONNX parser needs) or from an artifact already in a run.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteSource } from '../artifacts/index.js';
import { removeStaleTempFiles, spoolToTempFile } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { IntegrityError, InvalidError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { normaliseName } from '../core/names.js';
import {
  decodePageToken,
  isOffsetCursor,
  type Page,
  type PageRequest,
  pageOf,
  pageSize,
} from '../core/pagination.js';
import { parseReference, type Reference } from '../core/references.js';
import { loadDatasetVersion } from '../data/index.js';
import { datasetNode, type EdgeInput, type LineageRecorder, modelNode, runNode } from '../lineage/index.js';
import { type Database, type Executor, mutate } from '../store/index.js';
import type { ModelVersionRow } from '../store/tables.js';
import type { Tracking } from '../tracking/index.js';
import {
  type DatasetLink,
  type DatasetRole,
  type ModelSignature,
  type ModelVersion,
  toModelVersion,
} from './entities.js';
import {
  aliasesByVersion,
  assertActive,
  findModelRow,
  lockModel,
  parseModelReference,
  resolveRow,
  versionEntity,
} from './model-loader.js';
import type { ModelService } from './model-service.js';
import { MAX_ONNX_BYTES, readOnnxSignature } from './onnx-signature.js';
import { checkFeatureNames, checkMetrics, checkText, mergeTags } from './validation.js';

export interface DatasetReferenceInput {
  /** `train@3`, or a bare name for its latest version. */
  readonly ref: string;
  readonly role: DatasetRole;
}

export interface RegisterInput {
  /** The run that produced the model (default: the source's run). */
  readonly run?: string;
  readonly datasets?: readonly DatasetReferenceInput[];
  readonly metrics?: Readonly<Record<string, number>>;
  readonly description?: string;
  readonly featureNames?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export interface RegisterFromSourceInput extends RegisterInput {
  /** `runs/<runId>/artifacts/<path>` */
  readonly source: string;
}

export interface ModelArtifact {
  readonly version: ModelVersion;
  /** The bytes, verified against the digest as they stream. */
  readonly stream: Readable;
}

interface Metadata {
  readonly run?: string;
  readonly datasets: readonly {
    readonly ref: Reference;
    readonly role: DatasetRole;
    readonly field: string;
  }[];
  readonly metrics: Record<string, number>;
  readonly description: string;
  readonly featureNames?: readonly string[];
  readonly tags: Record<string, string>;
}

interface ModelFile {
  readonly digest: string;
  readonly size: number;
  readonly signature: ModelSignature;
}

/** A page cursor is the last version number shown; anything else is INVALID_PAGE_TOKEN, not a database error. */
const isVersionCursor = (cursor: unknown): cursor is number =>
  isOffsetCursor(cursor) && cursor <= 2 ** 31 - 1;

const SOURCE_PATTERN = /^runs\/([^/]+)\/artifacts\/(.+)$/;

export class VersionService {
  private staleRemoved: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly lineage: LineageRecorder,
    private readonly tracking: Tracking,
    private readonly models: ModelService,
    private readonly scratchDir: string,
    private readonly maxBytes: number,
  ) {}

  /** Registers an uploaded ONNX file as the model's next version, creating the model on first use. */
  async register(
    ctx: RequestContext,
    rawName: string,
    body: ByteSource,
    input: RegisterInput = {},
  ): Promise<ModelVersion> {
    const name = normaliseName('model name', rawName);
    const metadata = checkMetadata(input);
    // Spool files a killed process left behind go on the first upload after start-up.
    this.staleRemoved ??= removeStaleTempFiles(this.scratchDir).catch(() => {});
    await this.staleRemoved;
    const spooled = await spoolToTempFile(body, this.scratchDir, {
      maxBytes: Math.min(this.maxBytes, MAX_ONNX_BYTES),
    });
    try {
      const signature = readOnnxSignature(await readFile(spooled.path));
      const file: ModelFile = { digest: spooled.digest, size: spooled.size, signature };
      checkFeatureCount(metadata.featureNames, signature);
      await this.precheck(name, metadata);
      const existed = (await this.blobs.stat(file.digest)) !== undefined;
      await this.blobs.put(createReadStream(spooled.path), { expectedDigest: file.digest });
      try {
        return await this.insert(withBodyDigest(ctx, file.digest), name, file, metadata);
      } catch (error) {
        if (!existed) await this.removeUnreferencedBlob(file.digest);
        throw error;
      }
    } finally {
      await rm(spooled.path, { force: true });
    }
  }

  /** Registers an artifact already stored under a run (`runs/<runId>/artifacts/<path>`). */
  async registerFromSource(
    ctx: RequestContext,
    rawName: string,
    input: RegisterFromSourceInput,
  ): Promise<ModelVersion> {
    const name = normaliseName('model name', rawName);
    const match = SOURCE_PATTERN.exec(input.source.trim());
    if (match === null) {
      throw new InvalidError(`source must be 'runs/<runId>/artifacts/<path>', got '${input.source}'`, {
        field: 'source',
        value: input.source,
      });
    }
    const [, runId, path] = match as unknown as [string, string, string];
    const metadata = checkMetadata({ ...input, run: input.run ?? runId });
    const info = await this.tracking.artifacts.stat(runId, path);
    if (info.size > MAX_ONNX_BYTES) {
      throw new InvalidError(
        `model file is not a valid ONNX model: it is ${info.size} bytes, over the 2 GiB protobuf limit`,
        { format: 'onnx', size: info.size },
        'INVALID_MODEL',
      );
    }
    const bytes = await collect(await this.tracking.artifacts.read(runId, info));
    const signature = readOnnxSignature(bytes);
    checkFeatureCount(metadata.featureNames, signature);
    await this.precheck(name, metadata);
    return this.insert(ctx, name, { digest: info.digest, size: info.size, signature }, metadata);
  }

  /** Newest first. */
  async list(rawName: string, input: PageRequest = {}): Promise<Page<ModelVersion>> {
    const db = this.database.db;
    const model = await findModelRow(db, rawName);
    const limit = pageSize(input.limit);
    const query = JSON.stringify(['model-versions', model.id]);
    const before = decodePageToken(input.pageToken, query, isVersionCursor);
    let select = db.selectFrom('model_versions').selectAll().where('model_id', '=', model.id);
    if (before !== undefined) select = select.where('version', '<', before);
    const rows = await select
      .orderBy('version', 'desc')
      .limit(limit + 1)
      .execute();
    const aliases = await aliasesByVersion(db, model.id);
    return pageOf(
      rows,
      limit,
      (row) => toModelVersion(model.name, row, aliases.get(Number(row.version)) ?? []),
      (row) => Number(row.version),
      query,
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

  /**
   * User mistakes (a deleted model, an unknown run or dataset) are found before the blob is stored,
   * so a refused request leaves nothing behind; the transaction checks them again.
   */
  private async precheck(name: string, metadata: Metadata): Promise<void> {
    const db = this.database.db;
    const model = await db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    if (model !== undefined) assertActive(model);
    await this.resolveLinks(db, metadata);
  }

  private async resolveLinks(executor: Executor, metadata: Metadata): Promise<DatasetLink[]> {
    if (metadata.run !== undefined) {
      const run = await executor
        .selectFrom('runs')
        .select('id')
        .where('id', '=', metadata.run)
        .executeTakeFirst();
      if (run === undefined) {
        throw new NotFoundError('RUN_NOT_FOUND', `run '${metadata.run}' does not exist`, {
          run: metadata.run,
        });
      }
    }
    const links: DatasetLink[] = [];
    for (const { ref, role, field } of metadata.datasets) {
      const loaded = await loadDatasetVersion(executor, ref, field);
      const link = { dataset: loaded.dataset.name, version: Number(loaded.row.version), role };
      if (!links.some((l) => l.dataset === link.dataset && l.version === link.version && l.role === role)) {
        links.push(link);
      }
    }
    return links;
  }

  private async insert(
    ctx: RequestContext,
    name: string,
    file: ModelFile,
    metadata: Metadata,
  ): Promise<ModelVersion> {
    return mutate(this.database, ctx, async (trx) => {
      let model = await trx.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
      if (model === undefined) {
        await this.models.insert(trx, ctx, { name, description: '', tags: {} });
        model = await findModelRow(trx, name);
      }
      assertActive(model);
      model = await lockModel(trx, model.id);
      const links = await this.resolveLinks(trx, metadata);
      const last = await trx
        .selectFrom('model_versions')
        .select((eb) => eb.fn.max('version').as('last'))
        .where('model_id', '=', model.id)
        .executeTakeFirst();
      const version = (last?.last === null || last?.last === undefined ? 0 : Number(last.last)) + 1;
      const now = this.clock.now();
      await trx
        .insertInto('blobs')
        .values({ digest: file.digest, size: file.size, created_at: now })
        .onConflict((oc) => oc.column('digest').doNothing())
        .execute();
      const row: ModelVersionRow = {
        id: newId(now),
        model_id: model.id,
        version,
        format: 'onnx',
        artifact_digest: file.digest,
        size: file.size,
        signature: JSON.stringify(file.signature),
        feature_names: metadata.featureNames === undefined ? null : JSON.stringify(metadata.featureNames),
        metrics: JSON.stringify(metadata.metrics),
        run_id: metadata.run ?? null,
        datasets: JSON.stringify(links),
        description: metadata.description,
        tags: JSON.stringify(metadata.tags),
        approval_status: 'pending',
        approval_comment: null,
        approved_by: null,
        approved_at: null,
        card: '{}',
        created_by: ctx.actor.name,
        created_at: now,
      };
      await trx.insertInto('model_versions').values(row).execute();
      const target = modelNode(model.name, version);
      const edges: EdgeInput[] = links.map((link) => ({
        source: datasetNode(link.dataset, link.version),
        target,
        relation: link.role === 'train' ? 'trained_on' : 'validated_on',
      }));
      if (metadata.run !== undefined) {
        const run = runNode(metadata.run);
        edges.push({ source: run, target, relation: 'produced' });
        for (const link of links) {
          edges.push({ source: datasetNode(link.dataset, link.version), target: run, relation: 'input' });
        }
      }
      await this.lineage.record(trx, ctx, edges);
      const entity = toModelVersion(model.name, row, []);
      await this.audit.record(trx, ctx, {
        action: 'model.version.register',
        resourceType: 'model_version',
        resourceId: `${model.name}@${version}`,
        after: entity,
      });
      return entity;
    });
  }

  /** After a failed insert: the blob this request stored goes, unless a row has come to use it. */
  private async removeUnreferencedBlob(digest: string): Promise<void> {
    const row = await this.database.db
      .selectFrom('blobs')
      .select('digest')
      .where('digest', '=', digest)
      .executeTakeFirst();
    if (row === undefined) await this.blobs.delete(digest).catch(() => {});
  }
}

/**
 * An upload's Idempotency-Key fingerprint (method, URL and parsed body) cannot see the raw body:
 * folding in the file's digest makes a retry with other bytes IDEMPOTENCY_KEY_REUSED instead of a
 * replay of the first upload's answer.
 */
function withBodyDigest(ctx: RequestContext, digest: string): RequestContext {
  if (ctx.idempotency === undefined) return ctx;
  const fingerprint = createHash('sha256').update(`${ctx.idempotency.fingerprint}\n${digest}`).digest('hex');
  return { ...ctx, idempotency: { ...ctx.idempotency, fingerprint } };
}

function checkMetadata(input: RegisterInput): Metadata {
  const datasets = (input.datasets ?? []).map((entry, index) => {
    const field = `datasets[${index}].ref`;
    if (entry.role !== 'train' && entry.role !== 'validation') {
      throw new InvalidError(
        `datasets[${index}].role must be 'train' or 'validation', got '${String(entry.role)}'`,
        {
          field: `datasets[${index}].role`,
          value: entry.role,
        },
      );
    }
    return { ref: parseReference(field, entry.ref, { defaultAlias: 'latest' }), role: entry.role, field };
  });
  const run = input.run?.trim();
  return {
    ...(run === undefined || run === '' ? {} : { run }),
    datasets,
    metrics: checkMetrics(input.metrics ?? {}),
    description: checkText('description', input.description ?? ''),
    ...(input.featureNames === undefined ? {} : { featureNames: checkFeatureNames(input.featureNames) }),
    tags: mergeTags({}, input.tags ?? {}),
  };
}

/** A tabular model (one [N, F] input with F known) must name exactly F features. */
function checkFeatureCount(featureNames: readonly string[] | undefined, signature: ModelSignature): void {
  if (featureNames === undefined || signature.inputs.length !== 1) return;
  const input = signature.inputs[0]!;
  const width = input.shape?.length === 2 ? input.shape[1] : undefined;
  if (typeof width === 'number' && width !== featureNames.length) {
    throw new InvalidError(
      `featureNames has ${featureNames.length} names but input '${input.name}' has ${width} columns`,
      { field: 'featureNames', count: featureNames.length, columns: width },
    );
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
