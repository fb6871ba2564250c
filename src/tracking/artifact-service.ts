/**
 * Run artifacts: files under a run (`model/model.onnx`), stored as content-addressed blobs. The blob
 * is written completely first; only then does one transaction map the path to its digest.
 */
import type { Readable } from 'node:stream';
import {
  type BlobStore,
  type ByteSource,
  normaliseArtifactPath,
  normaliseArtifactPrefix,
} from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import { toIso } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { IntegrityError, NotFoundError } from '../core/errors.js';
import { type Database, mutate, recordBlobs } from '../store/index.js';
import type { RunArtifactRow } from '../store/tables.js';
import type { ArtifactInfo } from './entities.js';
import { findRunRow } from './run-loader.js';

export class ArtifactService {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly maxBytes: number,
  ) {}

  async put(
    ctx: RequestContext,
    runId: string,
    rawPath: string,
    source: ByteSource,
    options: { expectedDigest?: string } = {},
  ): Promise<ArtifactInfo> {
    const path = normaliseArtifactPath(rawPath);
    await findRunRow(this.database.db, runId);
    const blob = await this.blobs.put(source, { maxBytes: this.maxBytes, ...options });
    return mutate(this.database, ctx, async (trx) => {
      const run = await findRunRow(trx, runId);
      const now = this.clock.now();
      await recordBlobs(trx, [blob], now);
      const previous = await trx
        .selectFrom('run_artifacts')
        .selectAll()
        .where('run_seq', '=', run.seq)
        .where('path', '=', path)
        .executeTakeFirst();
      const row: RunArtifactRow = {
        run_seq: run.seq,
        path,
        digest: blob.digest,
        size: blob.size,
        created_at: now,
      };
      await trx
        .insertInto('run_artifacts')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['run_seq', 'path'])
            .doUpdateSet({ digest: row.digest, size: row.size, created_at: now }),
        )
        .execute();
      const info = toArtifactInfo(row);
      await this.audit.record(trx, ctx, {
        action: 'run.put_artifact',
        resourceType: 'run',
        resourceId: runId,
        ...(previous === undefined ? {} : { before: toArtifactInfo(previous) }),
        after: info,
      });
      return info;
    });
  }

  async stat(runId: string, rawPath: string): Promise<ArtifactInfo> {
    const path = normaliseArtifactPath(rawPath);
    const run = await findRunRow(this.database.db, runId);
    const row = await this.database.db
      .selectFrom('run_artifacts')
      .selectAll()
      .where('run_seq', '=', run.seq)
      .where('path', '=', path)
      .executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError('ARTIFACT_NOT_FOUND', `run ${runId} has no artifact '${path}'`, {
        run: runId,
        path,
      });
    }
    return toArtifactInfo(row);
  }

  /** The bytes of an artifact already looked up with stat(), verified as they stream. */
  async read(runId: string, info: ArtifactInfo): Promise<Readable> {
    // The metadata names a blob the store no longer has: a storage fault, not a user mistake.
    const missing = () =>
      new IntegrityError(`artifact '${info.path}' of run ${runId} is missing its blob ${info.digest}`, {
        digest: info.digest,
      });
    // A blob whose length changed is refused before the first byte: a reader promised `info.size`
    // bytes must never receive that many wrong ones before the digest check fails.
    const blob = await this.blobs.stat(info.digest);
    if (blob === undefined) throw missing();
    if (blob.size !== info.size) {
      throw new IntegrityError(
        `artifact '${info.path}' of run ${runId} should be ${info.size} bytes but its blob ${info.digest} has ${blob.size}`,
        { digest: info.digest, expected: info.size, size: blob.size },
      );
    }
    try {
      return await this.blobs.get(info.digest);
    } catch (error) {
      if (error instanceof NotFoundError) throw missing();
      throw error;
    }
  }

  /** Every artifact of the run whose path starts with `prefix`, sorted by path. */
  async list(runId: string, rawPrefix?: string): Promise<readonly ArtifactInfo[]> {
    const prefix = normaliseArtifactPrefix(rawPrefix);
    const run = await findRunRow(this.database.db, runId);
    const rows = await this.database.db
      .selectFrom('run_artifacts')
      .selectAll()
      .where('run_seq', '=', run.seq)
      .orderBy('path')
      .execute();
    return rows.filter((row) => row.path.startsWith(prefix)).map(toArtifactInfo);
  }
}

function toArtifactInfo(row: RunArtifactRow): ArtifactInfo {
  return { path: row.path, digest: row.digest, size: row.size, createdAt: toIso(row.created_at) };
}
