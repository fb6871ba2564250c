/**
 * Registering a version from its bytes: an upload is spooled to a scratch file (never held whole in
 * memory beyond what the ONNX parser needs) or a run's artifact is read, the ONNX signature is read
 * before anything is stored, the blob goes in, and then the version row (version-insert.ts). A blob
 * this request stored is removed again when the insert fails.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BlobStore, ByteSource } from '../artifacts/index.js';
import { removeStaleTempFiles, spoolToTempFile } from '../artifacts/index.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError } from '../core/errors.js';
import { normaliseName } from '../core/names.js';
import { isBlobRecorded } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';
import type { ModelVersion } from './entities.js';
import { MAX_ONNX_BYTES, readOnnxSignature } from './onnx-signature.js';
import { type InsertDeps, insertVersion, type ModelFile, precheckVersion } from './version-insert.js';
import {
  checkFeatureCount,
  checkMetadata,
  type RegisterFromSourceInput,
  type RegisterInput,
} from './version-metadata.js';

export interface RegistrationDeps extends InsertDeps {
  readonly blobs: BlobStore;
  readonly tracking: Tracking;
  /** Where uploads are spooled while their ONNX is checked. */
  readonly scratchDir: string;
  readonly maxBytes: number;
}

const SOURCE_PATTERN = /^runs\/([^/]+)\/artifacts\/(.+)$/;

export class VersionRegistration {
  private staleRemoved: Promise<void> | undefined;

  constructor(private readonly deps: RegistrationDeps) {}

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
    this.staleRemoved ??= removeStaleTempFiles(this.deps.scratchDir).catch(() => {});
    await this.staleRemoved;
    const spooled = await spoolToTempFile(body, this.deps.scratchDir, {
      maxBytes: Math.min(this.deps.maxBytes, MAX_ONNX_BYTES),
    });
    try {
      const signature = readOnnxSignature(await readFile(spooled.path));
      const file: ModelFile = { digest: spooled.digest, size: spooled.size, signature };
      checkFeatureCount(metadata.featureNames, signature);
      await precheckVersion(this.deps.database, name, metadata);
      const existed = (await this.deps.blobs.stat(file.digest)) !== undefined;
      await this.deps.blobs.put(createReadStream(spooled.path), { expectedDigest: file.digest });
      try {
        return await insertVersion(this.deps, withBodyDigest(ctx, file.digest), name, file, metadata);
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
    const info = await this.deps.tracking.artifacts.stat(runId, path);
    if (info.size > MAX_ONNX_BYTES) {
      throw new InvalidError(
        `model file is not a valid ONNX model: it is ${info.size} bytes, over the 2 GiB protobuf limit`,
        { format: 'onnx', size: info.size },
        'INVALID_MODEL',
      );
    }
    const bytes = await collect(await this.deps.tracking.artifacts.read(runId, info));
    const signature = readOnnxSignature(bytes);
    checkFeatureCount(metadata.featureNames, signature);
    await precheckVersion(this.deps.database, name, metadata);
    return insertVersion(this.deps, ctx, name, { digest: info.digest, size: info.size, signature }, metadata);
  }

  /** After a failed insert: the blob this request stored goes, unless a row has come to use it. */
  private async removeUnreferencedBlob(digest: string): Promise<void> {
    if (!(await isBlobRecorded(this.deps.database.db, digest))) {
      await this.deps.blobs.delete(digest).catch(() => {});
    }
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

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
